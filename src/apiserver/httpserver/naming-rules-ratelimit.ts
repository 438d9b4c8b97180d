import type { Rule } from '../../common/api/gen/wire.js';
import type { RulesService } from '../../service/rules/api.js';
import { sendQuery } from './answers.js';
import { decodeBatch } from './body.js';
import { sendFieldBatch } from './naming-rules-common.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/** Rate-limit rules under `/naming/v1/ratelimits` (naming v1 sub-group `ratelimit`). */

function handlers(rules: RulesService): Record<string, RouteHandler> {
  const items = (req: Parameters<RouteHandler>[0]) => decodeBatch<Rule>(req, 'v1.Rule');
  return {
    create: async (req, reply, ctx) => sendFieldBatch(reply, await rules.createRateLimits(ctx, items(req)), 'rateLimit'),
    remove: async (req, reply, ctx) => sendFieldBatch(reply, await rules.deleteRateLimits(ctx, items(req)), 'rateLimit'),
    update: async (req, reply, ctx) => sendFieldBatch(reply, await rules.updateRateLimits(ctx, items(req)), 'rateLimit'),
    enable: async (req, reply, ctx) => sendFieldBatch(reply, await rules.enableRateLimits(ctx, items(req)), 'rateLimit'),
    list: async (req, reply, ctx) => {
      const list = await rules.listRateLimits(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { rateLimits: list.items });
    },
  };
}

const W = ['default', 'ratelimit'] as const;
const R = ['default', 'ratelimit', 'default-read'] as const;

export const namingRateLimitRoutes: RouteGroup = {
  name: 'naming-rules-ratelimit',
  api: 'console',
  includeKeys: ['default', 'default-read', 'ratelimit'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    if (!deps.rules) return [];
    const h = handlers(deps.rules);
    const batch = 'v1.BatchWriteResponse' as const;
    const p = '/naming/v1';
    return [
      { method: 'POST', url: `${p}/ratelimits`, includes: W, envelope: batch, handler: h.create },
      { method: 'POST', url: `${p}/ratelimits/delete`, includes: W, envelope: batch, handler: h.remove },
      { method: 'PUT', url: `${p}/ratelimits`, includes: W, envelope: batch, handler: h.update },
      { method: 'GET', url: `${p}/ratelimits`, includes: R, envelope: 'v1.BatchQueryResponse', handler: h.list },
      { method: 'PUT', url: `${p}/ratelimits/enable`, includes: W, envelope: batch, handler: h.enable },
    ];
  },
};
