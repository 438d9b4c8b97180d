import type { LoginRequest, ModifyUserPassword, User } from '../../common/api/gen/wire.js';
import type { UserService } from '../../auth/api.js';
import { sendQuery } from './answers.js';
import { AUTH_GROUP_BASE, sendAuthBatch, sendAuthResponse } from './auth-answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { rawQuery } from './query.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/** `/core/v1` login, users, password and user tokens, plus `/core/v1/auth/status`. */

function handlers(users: UserService, status: () => Record<string, string>): Record<string, RouteHandler> {
  return {
    status: async (_req, reply) => sendAuthResponse(reply, 'optionSwitch', { options: status() }),
    login: async (req, reply, ctx) => {
      const body = decodeOne<LoginRequest>(req, 'v1.LoginRequest');
      return sendAuthResponse(reply, 'loginResponse', await users.login(body, ctx.clientIp));
    },
    list: async (req, reply, ctx) => {
      const list = await users.listUsers(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { users: list.items });
    },
    create: async (req, reply, ctx) => {
      const items = decodeBatch<User>(req, 'v1.User');
      return sendAuthBatch(reply, await users.createUsers(ctx, items), 'user');
    },
    remove: async (req, reply, ctx) => {
      const items = decodeBatch<User>(req, 'v1.User');
      return sendAuthBatch(reply, await users.deleteUsers(ctx, items), 'user');
    },
    update: async (req, reply, ctx) => {
      const item = decodeOne<User>(req, 'v1.User');
      return sendAuthResponse(reply, 'user', await users.updateUser(ctx, item));
    },
    password: async (req, reply, ctx) => {
      const item = decodeOne<ModifyUserPassword>(req, 'v1.ModifyUserPassword');
      await users.updatePassword(ctx, item);
      return sendAuthResponse(reply, null);
    },
    token: async (req, reply, ctx) => sendAuthResponse(reply, 'user', await users.getUserToken(ctx, rawQuery(req))),
    tokenStatus: async (req, reply, ctx) => {
      const item = decodeOne<User>(req, 'v1.User');
      return sendAuthResponse(reply, 'user', await users.enableUserToken(ctx, item));
    },
    tokenRefresh: async (req, reply, ctx) => {
      const item = decodeOne<User>(req, 'v1.User');
      return sendAuthResponse(reply, 'user', await users.resetUserToken(ctx, item));
    },
  };
}

export const authUserRoutes: RouteGroup = {
  name: 'auth-users',
  ...AUTH_GROUP_BASE,
  routes(deps): RouteDef[] {
    if (!deps.auth) return [];
    const h = handlers(deps.auth.users, () => deps.auth?.policies.status() ?? {});
    const single = 'v1.Response' as const;
    const p = '/core/v1';
    return [
      { method: 'GET', url: `${p}/auth/status`, includes: [], envelope: single, handler: h.status },
      { method: 'POST', url: `${p}/user/login`, includes: [], envelope: single, handler: h.login },
      { method: 'GET', url: `${p}/users`, includes: [], envelope: 'v1.BatchQueryResponse', handler: h.list },
      { method: 'POST', url: `${p}/users`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.create },
      { method: 'POST', url: `${p}/users/delete`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.remove },
      { method: 'PUT', url: `${p}/user`, includes: [], envelope: single, handler: h.update },
      { method: 'PUT', url: `${p}/user/password`, includes: [], envelope: single, handler: h.password },
      { method: 'GET', url: `${p}/user/token`, includes: [], envelope: single, handler: h.token },
      { method: 'PUT', url: `${p}/user/token/status`, includes: [], envelope: single, handler: h.tokenStatus },
      { method: 'PUT', url: `${p}/user/token/refresh`, includes: [], envelope: single, handler: h.tokenRefresh },
    ];
  },
};
