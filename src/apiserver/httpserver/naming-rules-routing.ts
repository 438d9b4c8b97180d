import type { RouteRule, Routing } from '../../common/api/gen/wire.js';
import type { RulesService } from '../../service/rules/api.js';
import { sendQuery } from './answers.js';
import { decodeBatch } from './body.js';
import { decodeBatchV2, sendAnyBatch, sendAnyList, sendFieldBatch } from './naming-rules-common.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/**
 * Route rules: `/naming/v2/routings*` (v1.RouteRule as Any in `data`) and the deprecated
 * `/naming/v1/routings*` (v1.Routing), which v1.18.1 still serves by storing v2 rules.
 */

const ROUTE_RULE = 'v1.RouteRule';

function handlers(rules: RulesService): Record<string, RouteHandler> {
  return {
    create: async (req, reply, ctx) =>
      sendAnyBatch(reply, await rules.createRouteRules(ctx, decodeBatchV2<RouteRule>(req, ROUTE_RULE)), ROUTE_RULE),
    remove: async (req, reply, ctx) =>
      sendAnyBatch(reply, await rules.deleteRouteRules(ctx, decodeBatchV2<RouteRule>(req, ROUTE_RULE)), ROUTE_RULE),
    update: async (req, reply, ctx) =>
      sendAnyBatch(reply, await rules.updateRouteRules(ctx, decodeBatchV2<RouteRule>(req, ROUTE_RULE)), ROUTE_RULE),
    enable: async (req, reply, ctx) =>
      sendAnyBatch(reply, await rules.enableRouteRules(ctx, decodeBatchV2<RouteRule>(req, ROUTE_RULE)), ROUTE_RULE),
    list: async (req, reply, ctx) => sendAnyList(reply, await rules.listRouteRules(ctx, rawQuery(req)), ROUTE_RULE),
    createV1: async (req, reply, ctx) =>
      sendFieldBatch(reply, await rules.createRoutingsV1(ctx, decodeBatch<Routing>(req, 'v1.Routing')), 'routing'),
    removeV1: async (req, reply, ctx) =>
      sendFieldBatch(reply, await rules.deleteRoutingsV1(ctx, decodeBatch<Routing>(req, 'v1.Routing')), 'routing'),
    updateV1: async (req, reply, ctx) =>
      sendFieldBatch(reply, await rules.updateRoutingsV1(ctx, decodeBatch<Routing>(req, 'v1.Routing')), 'routing'),
    listV1: async (req, reply, ctx) => {
      const list = await rules.listRoutingsV1(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { routings: list.items });
    },
  };
}

const W = ['default', 'router'] as const;
const R = ['default', 'router', 'default-read'] as const;

export const namingRoutingRoutes: RouteGroup = {
  name: 'naming-rules-routing',
  api: 'console',
  includeKeys: ['default', 'default-read', 'router'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    if (!deps.rules) return [];
    const h = handlers(deps.rules);
    const batch = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    return [
      { method: 'POST', url: '/naming/v2/routings', includes: W, envelope: batch, handler: h.create },
      { method: 'POST', url: '/naming/v2/routings/delete', includes: W, envelope: batch, handler: h.remove },
      { method: 'PUT', url: '/naming/v2/routings', includes: W, envelope: batch, handler: h.update },
      { method: 'GET', url: '/naming/v2/routings', includes: R, envelope: query, handler: h.list },
      { method: 'PUT', url: '/naming/v2/routings/enable', includes: W, envelope: batch, handler: h.enable },
      { method: 'POST', url: '/naming/v1/routings', includes: W, envelope: batch, handler: h.createV1 },
      { method: 'POST', url: '/naming/v1/routings/delete', includes: W, envelope: batch, handler: h.removeV1 },
      { method: 'PUT', url: '/naming/v1/routings', includes: W, envelope: batch, handler: h.updateV1 },
      { method: 'GET', url: '/naming/v1/routings', includes: R, envelope: query, handler: h.listV1 },
    ];
  },
};
