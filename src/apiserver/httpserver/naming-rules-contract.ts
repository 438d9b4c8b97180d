import type { ServiceContract } from '../../common/api/gen/wire.js';
import type { RulesService } from '../../service/rules/api.js';
import { sendItemResult } from './answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { sendAnyBatch, sendAnyList } from './naming-rules-common.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/** Service contracts under `/naming/v1/service/contract*` (naming v1 sub-group `service`). */

const CONTRACT = 'v1.ServiceContract';

function handlers(rules: RulesService): Record<string, RouteHandler> {
  const items = (req: Parameters<RouteHandler>[0]) => decodeBatch<ServiceContract>(req, CONTRACT);
  const one = (req: Parameters<RouteHandler>[0]) => decodeOne<ServiceContract>(req, CONTRACT);
  return {
    create: async (req, reply, ctx) => sendAnyBatch(reply, await rules.createServiceContracts(ctx, items(req)), CONTRACT),
    remove: async (req, reply, ctx) => sendAnyBatch(reply, await rules.deleteServiceContracts(ctx, items(req)), CONTRACT),
    list: async (req, reply, ctx) => sendAnyList(reply, await rules.listServiceContracts(ctx, rawQuery(req)), CONTRACT),
    versions: async (req, reply, ctx) =>
      sendAnyList(reply, await rules.listServiceContractVersions(ctx, rawQuery(req)), CONTRACT),
    addMethods: async (req, reply, ctx) => sendItemResult(reply, await rules.createContractInterfaces(ctx, one(req)), 'data'),
    appendMethods: async (req, reply, ctx) =>
      sendItemResult(reply, await rules.appendContractInterfaces(ctx, one(req)), 'data'),
    deleteMethods: async (req, reply, ctx) =>
      sendItemResult(reply, await rules.deleteContractInterfaces(ctx, one(req)), 'data'),
  };
}

const W = ['default', 'service'] as const;
const R = ['default', 'service', 'default-read'] as const;

export const namingContractRoutes: RouteGroup = {
  name: 'naming-rules-contract',
  api: 'console',
  includeKeys: ['default', 'default-read', 'service'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    if (!deps.rules) return [];
    const h = handlers(deps.rules);
    const batch = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    const single = 'v1.Response' as const;
    const p = '/naming/v1/service';
    return [
      { method: 'POST', url: `${p}/contracts`, includes: W, envelope: batch, handler: h.create },
      { method: 'GET', url: `${p}/contracts`, includes: R, envelope: query, handler: h.list },
      { method: 'POST', url: `${p}/contracts/delete`, includes: W, envelope: batch, handler: h.remove },
      { method: 'GET', url: `${p}/contract/versions`, includes: R, envelope: query, handler: h.versions },
      { method: 'POST', url: `${p}/contract/methods`, includes: W, envelope: single, handler: h.addMethods },
      { method: 'PUT', url: `${p}/contract/methods/append`, includes: W, envelope: single, handler: h.appendMethods },
      { method: 'POST', url: `${p}/contract/methods/delete`, includes: W, envelope: single, handler: h.deleteMethods },
    ];
  },
};
