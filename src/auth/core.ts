import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { PrincipalRef, Strategy, User, UserGroup } from '../common/model/auth.js';
import { newId } from '../common/utils/ids.js';
import type { AuthStore, AuthStoreTx } from '../store/auth-api.js';
import type { Operator } from './api.js';
import type { AuthReader } from './auth-cache.js';
import type { DefaultAuthChecker } from './checker.js';
import type { AuthModuleConfig } from './config.js';

export interface AuthModuleDeps {
  store: AuthStore;
  cache: AuthReader;
  checker: DefaultAuthChecker;
  /** Namespaces and services named in strategies are checked and displayed through it. */
  naming: NamingReader;
  logger: Logger;
}

/**
 * What the user, group and policy services share: the caller check of the auth module, the
 * read-your-writes step after every write, and the rules of who may see or manage whom.
 */
export class AuthCore {
  constructor(
    readonly deps: AuthModuleDeps,
    readonly config: AuthModuleConfig,
  ) {}

  get cache(): AuthReader {
    return this.deps.cache;
  }

  /** The authenticated caller of an auth-module operation (polaris' verifyAuth codes). */
  caller(ctx: RequestContext, ownerOnly: boolean): Operator {
    return this.deps.checker.authModuleCaller(ctx, { ownerOnly }).op;
  }

  /** Makes this node's writes visible to its next request (tokens, grants, members). */
  async sync(): Promise<void> {
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
  }

  /** Self, the user's main account, or an admin. */
  canManageUser(op: Operator, target: User): boolean {
    return op.role === 'admin' || target.id === op.id || target.owner === op.id;
  }

  /** The group's owner or an admin. */
  canManageGroup(op: Operator, group: UserGroup): boolean {
    return op.role === 'admin' || group.owner === op.id;
  }

  /** The group's owner, an admin, or a member. */
  canViewGroup(op: Operator, group: UserGroup): boolean {
    return this.canManageGroup(op, group) || group.userIds.includes(op.id);
  }

  /** A user the operator's account may name: under the same main account (any user for an admin). */
  sameTenant(op: Operator, u: User): boolean {
    return op.role === 'admin' || u.id === op.ownerId || u.owner === op.ownerId;
  }

  requireUser(id: string | null | undefined): User {
    const u = id ? this.cache.user(id) : undefined;
    if (!u) throw new PolarisError(Code.NotFoundUser, id ?? '');
    return u;
  }

  requireGroup(id: string | null | undefined): UserGroup {
    const g = id ? this.cache.group(id) : undefined;
    if (!g) throw new PolarisError(Code.NotFoundUserGroup, id ?? '');
    return g;
  }

  /** A principal's default strategy, created with it. */
  newDefaultStrategy(principal: PrincipalRef, name: string, owner: string, now: number): Strategy {
    return {
      id: newId(),
      name: principal.type === 'user' ? `(用户) ${name}的默认策略` : `(用户组) ${name}的默认策略`,
      action: 'READ_WRITE',
      comment: principal.type === 'user' ? 'default strategy of the user' : 'default strategy of the user group',
      owner,
      defaultStrategy: true,
      source: 'Polaris',
      metadata: {},
      functions: [],
      resourceLabels: [],
      principals: [principal],
      resources: [],
      ctime: now,
      mtime: now,
    };
  }

  /**
   * Inside a transaction: deletes the principal's default strategy and removes the principal from
   * every other strategy (and, for a user, from every group).
   */
  async forgetPrincipal(tx: AuthStoreTx, principal: PrincipalRef, now: number): Promise<void> {
    for (const cached of this.cache.strategiesOf(principal)) {
      const s = await tx.getStrategy(cached.id);
      if (!s) continue;
      if (s.defaultStrategy && s.principals.length === 1) {
        await tx.deleteStrategy(s.id);
        continue;
      }
      const principals = s.principals.filter((p) => !(p.type === principal.type && p.id === principal.id));
      await tx.updateStrategy({ ...s, principals, mtime: now });
    }
    if (principal.type !== 'user') return;
    for (const cached of this.cache.groupsOf(principal.id)) {
      const g = await tx.getGroup(cached.id);
      if (!g) continue;
      await tx.updateGroup({ ...g, userIds: g.userIds.filter((id) => id !== principal.id), mtime: now });
    }
  }
}
