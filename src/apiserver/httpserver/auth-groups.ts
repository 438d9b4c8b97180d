import type { ModifyUserGroup, UserGroup } from '../../common/api/gen/wire.js';
import type { GroupService } from '../../auth/api.js';
import { sendQuery } from './answers.js';
import { AUTH_GROUP_BASE, sendAuthBatch, sendAuthResponse } from './auth-answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { firstValue, rawQuery } from './query.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/** `/core/v1` user groups: create, modify (members), delete, list, detail and group tokens. */

function handlers(groups: GroupService): Record<string, RouteHandler> {
  return {
    create: async (req, reply, ctx) => {
      const item = decodeOne<UserGroup>(req, 'v1.UserGroup');
      return sendAuthResponse(reply, 'userGroup', await groups.createGroup(ctx, item));
    },
    update: async (req, reply, ctx) => {
      const items = decodeBatch<ModifyUserGroup>(req, 'v1.ModifyUserGroup');
      return sendAuthBatch(reply, await groups.updateGroups(ctx, items), 'modifyUserGroup');
    },
    remove: async (req, reply, ctx) => {
      const items = decodeBatch<UserGroup>(req, 'v1.UserGroup');
      return sendAuthBatch(reply, await groups.deleteGroups(ctx, items), 'userGroup');
    },
    list: async (req, reply, ctx) => {
      const list = await groups.listGroups(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { userGroups: list.items });
    },
    detail: async (req, reply, ctx) =>
      sendAuthResponse(reply, 'userGroup', await groups.getGroup(ctx, firstValue(rawQuery(req), 'id') ?? '')),
    token: async (req, reply, ctx) =>
      sendAuthResponse(reply, 'userGroup', await groups.getGroupToken(ctx, firstValue(rawQuery(req), 'id') ?? '')),
    tokenStatus: async (req, reply, ctx) => {
      const item = decodeOne<UserGroup>(req, 'v1.UserGroup');
      return sendAuthResponse(reply, 'userGroup', await groups.enableGroupToken(ctx, item));
    },
    tokenRefresh: async (req, reply, ctx) => {
      const item = decodeOne<UserGroup>(req, 'v1.UserGroup');
      return sendAuthResponse(reply, 'userGroup', await groups.resetGroupToken(ctx, item));
    },
  };
}

export const authGroupRoutes: RouteGroup = {
  name: 'auth-groups',
  ...AUTH_GROUP_BASE,
  routes(deps): RouteDef[] {
    if (!deps.auth) return [];
    const h = handlers(deps.auth.groups);
    const single = 'v1.Response' as const;
    const p = '/core/v1';
    return [
      { method: 'POST', url: `${p}/usergroup`, includes: [], envelope: single, handler: h.create },
      { method: 'PUT', url: `${p}/usergroups`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.update },
      { method: 'GET', url: `${p}/usergroups`, includes: [], envelope: 'v1.BatchQueryResponse', handler: h.list },
      { method: 'POST', url: `${p}/usergroups/delete`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.remove },
      { method: 'GET', url: `${p}/usergroup/detail`, includes: [], envelope: single, handler: h.detail },
      { method: 'GET', url: `${p}/usergroup/token`, includes: [], envelope: single, handler: h.token },
      { method: 'PUT', url: `${p}/usergroup/token/status`, includes: [], envelope: single, handler: h.tokenStatus },
      { method: 'PUT', url: `${p}/usergroup/token/refresh`, includes: [], envelope: single, handler: h.tokenRefresh },
    ];
  },
};
