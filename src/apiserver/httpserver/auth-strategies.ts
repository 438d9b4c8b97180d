import type { AuthStrategy, ModifyAuthStrategy } from '../../common/api/gen/wire.js';
import type { PolicyService } from '../../auth/api.js';
import { sendQuery } from './answers.js';
import { AUTH_GROUP_BASE, sendAuthBatch, sendAuthResponse } from './auth-answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { firstValue, rawQuery } from './query.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/** `/core/v1` auth strategies (policies) and the resources granted to a principal. */

function handlers(policies: PolicyService): Record<string, RouteHandler> {
  return {
    create: async (req, reply, ctx) => {
      const item = decodeOne<AuthStrategy>(req, 'v1.AuthStrategy');
      return sendAuthResponse(reply, 'authStrategy', await policies.createStrategy(ctx, item));
    },
    detail: async (req, reply, ctx) =>
      sendAuthResponse(reply, 'authStrategy', await policies.getStrategy(ctx, firstValue(rawQuery(req), 'id') ?? '')),
    update: async (req, reply, ctx) => {
      const items = decodeBatch<ModifyAuthStrategy>(req, 'v1.ModifyAuthStrategy');
      return sendAuthBatch(reply, await policies.updateStrategies(ctx, items), 'modifyAuthStrategy');
    },
    remove: async (req, reply, ctx) => {
      const items = decodeBatch<AuthStrategy>(req, 'v1.AuthStrategy');
      return sendAuthBatch(reply, await policies.deleteStrategies(ctx, items), 'authStrategy');
    },
    list: async (req, reply, ctx) => {
      const list = await policies.listStrategies(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { authStrategies: list.items });
    },
    resources: async (req, reply, ctx) =>
      sendAuthResponse(reply, 'resources', await policies.principalResources(ctx, rawQuery(req))),
  };
}

export const authStrategyRoutes: RouteGroup = {
  name: 'auth-strategies',
  ...AUTH_GROUP_BASE,
  routes(deps): RouteDef[] {
    if (!deps.auth) return [];
    const h = handlers(deps.auth.policies);
    const single = 'v1.Response' as const;
    const p = '/core/v1/auth';
    return [
      { method: 'POST', url: `${p}/strategy`, includes: [], envelope: single, handler: h.create },
      { method: 'GET', url: `${p}/strategy/detail`, includes: [], envelope: single, handler: h.detail },
      { method: 'PUT', url: `${p}/strategies`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.update },
      { method: 'POST', url: `${p}/strategies/delete`, includes: [], envelope: 'v1.BatchWriteResponse', handler: h.remove },
      { method: 'GET', url: `${p}/strategies`, includes: [], envelope: 'v1.BatchQueryResponse', handler: h.list },
      { method: 'GET', url: `${p}/principal/resources`, includes: [], envelope: single, handler: h.resources },
    ];
  },
};
