import type { LaneGroup } from '../../common/api/gen/wire.js';
import type { RulesService } from '../../service/rules/api.js';
import { decodeBatch } from './body.js';
import { sendAnyBatch, sendAnyList } from './naming-rules-common.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/**
 * Lane groups under `/naming/v1/lane/groups` (naming v1 sub-group `router`). Newer than
 * polaris-server 1.18.1, so the answers keep every v1.5 field.
 */

const LANE = 'v1.LaneGroup';

function handlers(rules: RulesService): Record<string, RouteHandler> {
  const items = (req: Parameters<RouteHandler>[0]) => decodeBatch<LaneGroup>(req, LANE);
  return {
    create: async (req, reply, ctx) => sendAnyBatch(reply, await rules.createLaneGroups(ctx, items(req)), LANE),
    remove: async (req, reply, ctx) => sendAnyBatch(reply, await rules.deleteLaneGroups(ctx, items(req)), LANE),
    update: async (req, reply, ctx) => sendAnyBatch(reply, await rules.updateLaneGroups(ctx, items(req)), LANE),
    list: async (req, reply, ctx) => sendAnyList(reply, await rules.listLaneGroups(ctx, rawQuery(req)), LANE),
  };
}

const W = ['default', 'router'] as const;
const R = ['default', 'router', 'default-read'] as const;

export const namingLaneRoutes: RouteGroup = {
  name: 'naming-rules-lane',
  api: 'console',
  includeKeys: ['default', 'default-read', 'router'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    if (!deps.rules) return [];
    const h = handlers(deps.rules);
    const batch = 'v1.BatchWriteResponse' as const;
    const p = '/naming/v1/lane/groups';
    return [
      { method: 'POST', url: p, includes: W, envelope: batch, allFields: true, handler: h.create },
      { method: 'POST', url: `${p}/delete`, includes: W, envelope: batch, allFields: true, handler: h.remove },
      { method: 'PUT', url: p, includes: W, envelope: batch, allFields: true, handler: h.update },
      { method: 'GET', url: p, includes: R, envelope: 'v1.BatchQueryResponse', allFields: true, handler: h.list },
    ];
  },
};
