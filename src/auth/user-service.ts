import type {
  LoginRequest as WireLoginRequest,
  LoginResponse as WireLoginResponse,
  ModifyUserPassword as WireModifyUserPassword,
  User as WireUser,
} from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import { UserType, type User } from '../common/model/auth.js';
import { newId } from '../common/utils/ids.js';
import { checkBatch } from '../common/utils/validate.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { AuthQuery, ListResult, UserService } from './api.js';
import { ROLE_NAMES, userToWire } from './convert.js';
import type { AuthCore } from './core.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './password.js';
import { createToken } from './token.js';
import { checkEmail, checkKeys, checkMobile, checkName, checkPassword, first, page, paging, requireId } from './validate.js';

const USER_QUERY_KEYS = ['id', 'name', 'owner', 'source', 'group_id', 'hide_admin', 'offset', 'limit'];

/** Echo of a user request without its password. */
function echo(req: WireUser): WireUser {
  const out = { ...req };
  delete out.password;
  return out;
}

export class DefaultUserService implements UserService {
  private readonly throttle = new LoginThrottle();

  constructor(private readonly core: AuthCore) {}

  async login(req: WireLoginRequest, clientIp = ''): Promise<WireLoginResponse> {
    const cache = this.core.cache;
    const name = req.name ?? '';
    this.throttle.check(name, clientIp);
    const ownerName = req.owner || name;
    let user: User | undefined;
    if (ownerName === name) {
      user = cache.userByName('', name);
    } else {
      const owner = cache.userByName('', ownerName);
      user = owner ? cache.userByName(owner.id, name) : undefined;
    }
    if (!user) {
      this.throttle.failed(name, clientIp);
      throw new PolarisError(Code.NotFoundUser);
    }
    if (!(await verifyPassword(req.password ?? '', user.password))) {
      this.throttle.failed(name, clientIp);
      throw new PolarisError(Code.NotAllowedAccess, 'name or password is wrong');
    }
    this.throttle.succeeded(name, clientIp);
    return {
      user_id: user.id,
      name: user.name,
      role: ROLE_NAMES[user.type] ?? 'sub',
      owner_id: user.owner,
      token: user.token,
      options: {},
    };
  }

  async createUsers(ctx: RequestContext, reqs: WireUser[]): Promise<ItemResult<WireUser>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireUser>[] = [];
    for (const req of reqs) {
      try {
        out.push(ok(await this.createOne(op.role === 'admin' ? '' : op.id, req)));
      } catch (err) {
        out.push(failed(err, echo(req)));
      }
    }
    await this.core.sync();
    return out;
  }

  /** An admin creates main accounts (owner ''); a main account creates its sub-accounts. */
  private async createOne(owner: string, req: WireUser): Promise<WireUser> {
    const name = checkName(req.name);
    const password = checkPassword(req.password);
    if (!req.source) throw new PolarisError(Code.InvalidParameter, 'source is required');
    checkMobile(req.mobile);
    checkEmail(req.email);
    const cache = this.core.cache;
    if (owner !== '' && cache.user(owner)?.name === name) throw new PolarisError(Code.UserExisted, 'same name as its owner');
    if (cache.userByName(owner, name)) throw new PolarisError(Code.UserExisted, name);
    const now = Date.now();
    const id = newId();
    const user: User = {
      id,
      name,
      password: await hashPassword(password),
      owner,
      source: req.source,
      token: createToken({ kind: 'user', id }, this.core.config.salt),
      tokenEnable: true,
      type: owner === '' ? UserType.Main : UserType.Sub,
      comment: req.comment ?? '',
      mobile: req.mobile ?? '',
      email: req.email ?? '',
      metadata: { ...(req.metadata ?? {}) },
      ctime: now,
      mtime: now,
    };
    const strategy = this.core.newDefaultStrategy({ type: 'user', id }, name, owner === '' ? id : owner, now);
    try {
      await this.core.deps.store.transaction(async (tx) => {
        await tx.createUser(user);
        await tx.createStrategy(strategy);
      });
    } catch (err) {
      if (err instanceof PolarisError && err.code === Code.ExistedResource) throw new PolarisError(Code.UserExisted, name);
      throw err;
    }
    return { ...echo(req), id, owner: '' };
  }

  async deleteUsers(ctx: RequestContext, reqs: WireUser[]): Promise<ItemResult<WireUser>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireUser>[] = [];
    for (const req of reqs) {
      try {
        const user = req.id ? this.core.cache.user(req.id) : undefined;
        if (!user) {
          out.push(ok(echo(req)));
          continue;
        }
        if (user.id === op.id) throw new PolarisError(Code.NotAllowedAccess, 'an account cannot delete itself');
        if (op.role !== 'admin' && user.owner !== op.id) throw new PolarisError(Code.NotAllowedAccess);
        await this.core.deps.store.transaction(async (tx) => {
          if (user.type === UserType.Main && (await tx.countSubUsers(user.id)) > 0) throw new PolarisError(Code.SubAccountExisted);
          const now = Date.now();
          await this.core.forgetPrincipal(tx, { type: 'user', id: user.id }, now);
          await tx.deleteUser(user.id);
        });
        out.push(ok(echo(req)));
      } catch (err) {
        out.push(failed(err, echo(req)));
      }
    }
    await this.core.sync();
    return out;
  }

  async updateUser(ctx: RequestContext, req: WireUser): Promise<WireUser> {
    const op = this.core.caller(ctx, false);
    if (!req.id) throw new PolarisError(Code.BadRequest, 'id is empty');
    const user = this.core.requireUser(req.id);
    if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
    checkMobile(req.mobile);
    checkEmail(req.email);
    const next: User = {
      ...user,
      comment: req.comment ?? user.comment,
      mobile: req.mobile ?? user.mobile,
      email: req.email ?? user.email,
      metadata: req.metadata ? { ...req.metadata } : user.metadata,
      mtime: Date.now(),
    };
    await this.core.deps.store.updateUser(next);
    await this.core.sync();
    return echo(req);
  }

  async updatePassword(ctx: RequestContext, req: WireModifyUserPassword): Promise<void> {
    const op = this.core.caller(ctx, false);
    const user = this.core.requireUser(req.id);
    if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
    const fresh = checkPassword(req.new_password);
    // Someone else's password (an admin, or a main account for its sub-account) needs no old
    // password; one's own always does, so a stolen token alone cannot take over the account.
    if (user.id === op.id) {
      if (!req.old_password) throw new PolarisError(Code.InvalidUserPassword, 'original password is empty');
      if (!(await verifyPassword(req.old_password, user.password))) {
        throw new PolarisError(Code.InvalidUserPassword, 'original password does not match');
      }
    }
    const latest = this.core.requireUser(user.id);
    await this.core.deps.store.updateUser({ ...latest, password: await hashPassword(fresh), mtime: Date.now() });
    await this.core.sync();
  }

  async listUsers(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireUser>> {
    const op = this.core.caller(ctx, false);
    checkKeys(query, USER_QUERY_KEYS);
    const p = paging(query);
    const id = first(query, 'id');
    const name = first(query, 'name');
    const source = first(query, 'source');
    const groupId = first(query, 'group_id');
    // Outside admins, an account sees its own main account's users only (polaris).
    const owner = op.role === 'admin' ? first(query, 'owner') : op.ownerId;
    const nameMatch = name ? wildcardMatcher(name) : undefined;
    const members = groupId ? new Set(this.core.cache.group(groupId)?.userIds ?? []) : undefined;
    const all = [...this.core.cache.users()].filter(
      (u) =>
        u.type !== UserType.Admin &&
        (id === undefined || u.id === id) &&
        (!nameMatch || nameMatch(u.name)) &&
        (source === undefined || u.source === source) &&
        (owner === undefined || u.owner === owner || u.id === owner) &&
        (!members || members.has(u.id)),
    );
    all.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? -1 : 1));
    return { amount: all.length, items: page(all, p).map(userToWire) };
  }

  async getUserToken(ctx: RequestContext, query: AuthQuery): Promise<WireUser> {
    const op = this.core.caller(ctx, false);
    const id = first(query, 'id');
    if (!id) throw new PolarisError(Code.InvalidParameter, 'id is required');
    const user = this.core.requireUser(id);
    if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
    return { id: user.id, name: user.name, auth_token: user.token, token_enable: user.tokenEnable };
  }

  async enableUserToken(ctx: RequestContext, req: WireUser): Promise<WireUser> {
    const op = this.core.caller(ctx, false);
    const user = this.core.requireUser(requireId(req.id, Code.BadRequest));
    if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
    if (user.id === op.id && op.role !== 'sub') {
      // Nobody could turn it back on: a main account or admin would lock itself out.
      throw new PolarisError(Code.OperationRoleForbidden, 'a main account cannot change the status of its own token');
    }
    await this.core.deps.store.updateUser({ ...user, tokenEnable: req.token_enable === true, mtime: Date.now() });
    await this.core.sync();
    return echo(req);
  }

  async resetUserToken(ctx: RequestContext, req: WireUser): Promise<WireUser> {
    const op = this.core.caller(ctx, false);
    const user = this.core.requireUser(requireId(req.id, Code.BadRequest));
    if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
    const token = createToken({ kind: 'user', id: user.id }, this.core.config.salt);
    await this.core.deps.store.updateUser({ ...user, token, mtime: Date.now() });
    await this.core.sync();
    return { ...echo(req), auth_token: token };
  }
}
