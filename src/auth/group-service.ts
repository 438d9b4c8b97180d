import type { ModifyUserGroup as WireModifyUserGroup, UserGroup as WireUserGroup } from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { UserGroup } from '../common/model/auth.js';
import { newId } from '../common/utils/ids.js';
import { checkBatch } from '../common/utils/validate.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { AuthQuery, GroupService, ListResult, Operator } from './api.js';
import { groupDetailToWire, groupToWire } from './convert.js';
import type { AuthCore } from './core.js';
import { createToken } from './token.js';
import { checkKeys, checkName, first, page, paging, requireId } from './validate.js';

const GROUP_QUERY_KEYS = ['id', 'user_id', 'user_name', 'group_id', 'name', 'owner', 'offset', 'limit'];

export class DefaultGroupService implements GroupService {
  constructor(private readonly core: AuthCore) {}

  /** Member ids of a relation, each an existing user of the caller's main account (400312 otherwise). */
  private memberIds(op: Operator, users: readonly { id?: string | null }[] | null | undefined): string[] {
    const ids: string[] = [];
    for (const u of users ?? []) {
      const user = u.id ? this.core.cache.user(u.id) : undefined;
      if (!user || !this.core.sameTenant(op, user)) throw new PolarisError(Code.NotFoundUser, u.id ?? '');
      if (!ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }

  async createGroup(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup> {
    const op = this.core.caller(ctx, true);
    const name = checkName(req.name);
    const owner = op.ownerId;
    if ([...this.core.cache.groups()].some((g) => g.owner === owner && g.name === name)) {
      throw new PolarisError(Code.UserGroupExisted, name);
    }
    const userIds = this.memberIds(op, req.relation?.users);
    const now = Date.now();
    const id = newId();
    const group: UserGroup = {
      id,
      name,
      owner,
      token: createToken({ kind: 'group', id }, this.core.config.salt),
      tokenEnable: true,
      comment: req.comment ?? '',
      source: req.source ?? '',
      metadata: { ...(req.metadata ?? {}) },
      userIds,
      ctime: now,
      mtime: now,
    };
    try {
      await this.core.deps.store.transaction(async (tx) => {
        await tx.createGroup(group);
        await tx.createStrategy(this.core.newDefaultStrategy({ type: 'group', id }, name, owner, now));
      });
    } catch (err) {
      if (err instanceof PolarisError && err.code === Code.ExistedResource) throw new PolarisError(Code.UserGroupExisted, name);
      throw err;
    }
    await this.core.sync();
    return { ...req, id, owner };
  }

  async updateGroups(ctx: RequestContext, reqs: WireModifyUserGroup[]): Promise<ItemResult<WireModifyUserGroup>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireModifyUserGroup>[] = [];
    for (const req of reqs) {
      try {
        const group = this.core.requireGroup(requireId(req.id, Code.InvalidUserGroupID));
        if (!this.core.canManageGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
        const add = this.memberIds(op, req.add_relations?.users);
        const remove = new Set((req.remove_relations?.users ?? []).map((u) => u.id ?? ''));
        const userIds = [...group.userIds.filter((id) => !remove.has(id)), ...add.filter((id) => !group.userIds.includes(id))];
        const comment = req.comment ?? group.comment;
        const changed =
          comment !== group.comment || userIds.length !== group.userIds.length || userIds.some((id, i) => id !== group.userIds[i]);
        if (!changed) {
          out.push(ok(req, Code.NoNeedUpdate));
          continue;
        }
        await this.core.deps.store.transaction(async (tx) => {
          const cur = await tx.getGroup(group.id);
          if (!cur) throw new PolarisError(Code.NotFoundUserGroup);
          const ids = [...cur.userIds.filter((id) => !remove.has(id)), ...add.filter((id) => !cur.userIds.includes(id))];
          await tx.updateGroup({ ...cur, userIds: ids, comment, mtime: Date.now() });
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.core.sync();
    return out;
  }

  async deleteGroups(ctx: RequestContext, reqs: WireUserGroup[]): Promise<ItemResult<WireUserGroup>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireUserGroup>[] = [];
    for (const req of reqs) {
      try {
        const group = req.id ? this.core.cache.group(req.id) : undefined;
        if (!group) {
          out.push(ok(req));
          continue;
        }
        if (!this.core.canManageGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
        await this.core.deps.store.transaction(async (tx) => {
          await this.core.forgetPrincipal(tx, { type: 'group', id: group.id }, Date.now());
          await tx.deleteGroup(group.id);
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.core.sync();
    return out;
  }

  async listGroups(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireUserGroup>> {
    const op = this.core.caller(ctx, false);
    checkKeys(query, GROUP_QUERY_KEYS);
    const p = paging(query);
    const id = first(query, 'id') ?? first(query, 'group_id');
    const name = first(query, 'name');
    const nameMatch = name ? wildcardMatcher(name) : undefined;
    const owner = op.role === 'admin' ? first(query, 'owner') : op.ownerId;
    // A sub-account sees only the groups it is in (polaris).
    let userId = first(query, 'user_id');
    if (op.role === 'sub' && userId === undefined) userId = op.id;
    const userName = first(query, 'user_name');
    const named = userName
      ? new Set([...this.core.cache.users()].filter((u) => u.name === userName).map((u) => u.id))
      : undefined;
    const all = [...this.core.cache.groups()].filter(
      (g) =>
        (id === undefined || g.id === id) &&
        (!nameMatch || nameMatch(g.name)) &&
        (owner === undefined || g.owner === owner) &&
        (userId === undefined || g.userIds.includes(userId)) &&
        (!named || g.userIds.some((uid) => named.has(uid))),
    );
    all.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? -1 : 1));
    return { amount: all.length, items: page(all, p).map(groupToWire) };
  }

  async getGroup(ctx: RequestContext, id: string): Promise<WireUserGroup> {
    const op = this.core.caller(ctx, false);
    const group = this.core.requireGroup(id);
    if (!this.core.canViewGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
    return groupDetailToWire(group, this.core.cache);
  }

  async getGroupToken(ctx: RequestContext, id: string): Promise<WireUserGroup> {
    const op = this.core.caller(ctx, false);
    const group = this.core.requireGroup(id);
    if (!this.core.canViewGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
    return { id: group.id, name: group.name, auth_token: group.token, token_enable: group.tokenEnable };
  }

  async enableGroupToken(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup> {
    const op = this.core.caller(ctx, true);
    const group = this.core.requireGroup(requireId(req.id, Code.InvalidUserGroupID));
    if (!this.core.canManageGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
    await this.core.deps.store.updateGroup({ ...group, tokenEnable: req.token_enable === true, mtime: Date.now() });
    await this.core.sync();
    return req;
  }

  async resetGroupToken(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup> {
    const op = this.core.caller(ctx, true);
    const group = this.core.requireGroup(requireId(req.id, Code.InvalidUserGroupID));
    if (!this.core.canManageGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
    const token = createToken({ kind: 'group', id: group.id }, this.core.config.salt);
    await this.core.deps.store.updateGroup({ ...group, token, mtime: Date.now() });
    await this.core.sync();
    return { ...req, auth_token: token };
  }
}
