import type { Logger } from 'pino';
import { Code, type PolarisCode } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import { UserType, type PrincipalRef, type Strategy, type User, type UserGroup } from '../common/model/auth.js';
import type { AccessRequest, AuthChecker, Operator, Plane } from './api.js';
import type { AuthReader } from './auth-cache.js';
import type { AuthModuleConfig } from './config.js';
import { decide } from './evaluate.js';
import { decodeToken } from './token.js';

/** Why a credential was not accepted. */
type CredentialFailure = 'missing' | 'invalid' | 'stale' | 'disabled';

/** A caller whose token matched its stored token. */
export type Identity =
  | { kind: 'user'; user: User; disabled: boolean }
  | { kind: 'group'; group: UserGroup; disabled: boolean };

const ROLE_OF: Record<number, Operator['role']> = { [UserType.Admin]: 'admin', [UserType.Main]: 'main', [UserType.Sub]: 'sub' };

export const ANONYMOUS: Operator = { kind: 'anonymous', id: '__anonymous__', name: '__anonymous__', ownerId: '', role: 'none' };
const OPEN: Operator = { kind: 'open', id: '', name: '', ownerId: '', role: 'none' };
const INTERNAL: Operator = { kind: 'internal', id: '', name: 'polaris', ownerId: '', role: 'admin' };

export function operatorOf(identity: Identity): Operator {
  if (identity.kind === 'user') {
    const u = identity.user;
    return { kind: 'user', id: u.id, name: u.name, ownerId: u.owner === '' ? u.id : u.owner, role: ROLE_OF[u.type] ?? 'sub' };
  }
  const g = identity.group;
  return { kind: 'group', id: g.id, name: g.name, ownerId: g.owner, role: 'group' };
}

/**
 * polaris' credential checks and the policy decision. Credentials are read from the auth cache,
 * which this node's writes update before they answer, so a disabled or refreshed token is refused
 * from the next request on.
 */
export class DefaultAuthChecker implements AuthChecker {
  constructor(
    private readonly deps: { cache: AuthReader; logger: Logger },
    private config: AuthModuleConfig,
  ) {}

  /** Reload: switches token checks on or off from the next request on (the salt needs a restart). */
  updateSwitches(s: Pick<AuthModuleConfig, 'consoleOpen' | 'consoleStrict' | 'clientOpen' | 'clientStrict'>): void {
    this.config = { ...this.config, ...s };
  }

  isOpen(plane: Plane): boolean {
    return plane === 'console' ? this.config.consoleOpen : this.config.clientOpen;
  }

  private isStrict(plane: Plane): boolean {
    return plane === 'console' ? this.config.consoleStrict : this.config.clientStrict;
  }

  /** The caller behind the request's token, or why there is none. */
  identify(token: string | undefined): Identity | CredentialFailure {
    if (token === undefined || token === '') return 'missing';
    const subject = decodeToken(token, this.config.salt);
    if (!subject) return 'invalid';
    if (subject.kind === 'user') {
      const user = this.deps.cache.user(subject.id);
      if (!user) return 'invalid';
      if (user.token !== token) return 'stale';
      return { kind: 'user', user, disabled: !user.tokenEnable };
    }
    const group = this.deps.cache.group(subject.id);
    if (!group) return 'invalid';
    if (group.token !== token) return 'stale';
    return { kind: 'group', group, disabled: !group.tokenEnable };
  }

  async authorize(ctx: RequestContext, req: AccessRequest): Promise<Operator> {
    if (ctx.internal) return INTERNAL;
    if (!this.isOpen(req.plane)) return OPEN;
    const found = this.identify(ctx.token);
    let op: Operator;
    if (typeof found === 'string') {
      // polaris' non-strict mode: a missing, unreadable or outdated token is the anonymous caller,
      // which holds no grant (so it may read, and never write). A disabled token never downgrades.
      if (found === 'disabled' || this.isStrict(req.plane)) throw refusal(found);
      op = ANONYMOUS;
    } else {
      if (found.disabled) throw refusal('disabled');
      op = operatorOf(found);
    }
    if (op.role === 'admin') return op;
    const strategies = op.kind === 'anonymous' ? [] : this.strategiesOf(op);
    if (!decide(strategies, req.fn, req.access, req.resources())) {
      ctx.logger?.info({ operator: op.id, fn: req.fn }, 'operation refused by policy');
      throw new PolarisError(Code.NotAllowedAccess, `no permission for ${req.fn}`);
    }
    return op;
  }

  /**
   * The auth module's own check (users, groups, policies), polaris' `verifyAuth`: no token 401002;
   * an unreadable, unknown or outdated token 403001; a disabled token 401003 (also for reads,
   * unlike polaris); a group token 403002; a sub-account where a main account is needed 403002.
   */
  authModuleCaller(ctx: RequestContext, opts: { ownerOnly: boolean }): { op: Operator; identity: Identity } {
    const found = this.identify(ctx.token);
    if (found === 'missing') throw new PolarisError(Code.EmptyAutToken);
    if (found === 'invalid' || found === 'stale') throw new PolarisError(Code.AuthTokenForbidden);
    if (found === 'disabled' || found.disabled) throw new PolarisError(Code.TokenDisabled);
    if (found.kind !== 'user') throw new PolarisError(Code.OperationRoleForbidden, 'only a user token can manage users, groups and policies');
    const op = operatorOf(found);
    if (opts.ownerOnly && op.role === 'sub') {
      throw new PolarisError(Code.OperationRoleForbidden, 'only an admin or main account can do this');
    }
    return { op, identity: found };
  }

  /** The strategies that apply to the operator: its own and, for a user, those of its groups. */
  strategiesOf(op: Operator): Strategy[] {
    const principals: PrincipalRef[] = [];
    if (op.kind === 'user') {
      principals.push({ type: 'user', id: op.id });
      for (const g of this.deps.cache.groupsOf(op.id)) principals.push({ type: 'group', id: g.id });
    } else if (op.kind === 'group') {
      principals.push({ type: 'group', id: op.id });
    }
    const seen = new Map<string, Strategy>();
    for (const p of principals) for (const s of this.deps.cache.strategiesOf(p)) seen.set(s.id, s);
    return [...seen.values()];
  }
}

function refusal(why: CredentialFailure): PolarisError {
  const code: PolarisCode =
    why === 'disabled' ? Code.TokenDisabled : why === 'stale' ? Code.TokenNotExisted : Code.NotAllowedAccess;
  const detail = why === 'missing' ? 'a token is required' : why === 'invalid' ? 'invalid token' : undefined;
  return new PolarisError(code, detail);
}
