import type { Instance } from '../../common/api/gen/wire.js';
import type { NamingService } from '../../service/api.js';
import { sendBatchWrite, sendQuery, sendResponse } from './answers.js';
import { decodeBatch } from './body.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/** `/naming/v1/instances*` (naming v1 sub-group `service`). */

type BatchOp = 'createInstances' | 'deleteInstances' | 'deleteInstancesByHost' | 'updateInstances' | 'updateIsolateByHost';

function batch(naming: NamingService, op: BatchOp): RouteHandler {
  return async (req, reply, ctx) => {
    const items = decodeBatch<Instance>(req, 'v1.Instance');
    return sendBatchWrite(reply, await naming[op](ctx, items), 'instance', 'uniform');
  };
}

function handlers(naming: NamingService): Record<string, RouteHandler> {
  return {
    create: batch(naming, 'createInstances'),
    remove: batch(naming, 'deleteInstances'),
    removeByHost: batch(naming, 'deleteInstancesByHost'),
    update: batch(naming, 'updateInstances'),
    isolateByHost: batch(naming, 'updateIsolateByHost'),
    list: async (req, reply, ctx) => {
      const list = await naming.listInstances(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { instances: list.items });
    },
    count: async (_req, reply, ctx) => {
      return sendQuery(reply, await naming.countInstances(ctx), 0);
    },
    labels: async (req, reply, ctx) => {
      return sendResponse(reply, 'instanceLabels', await naming.instanceLabels(ctx, rawQuery(req)));
    },
  };
}

const W = ['default', 'service'] as const;
/** Also part of polaris' `default-read` set. */
const R = ['default', 'service', 'default-read'] as const;

export const namingInstanceRoutes: RouteGroup = {
  name: 'naming-instances',
  api: 'console',
  includeKeys: ['default', 'default-read', 'service'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    const h = handlers(deps.naming);
    const batchEnv = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    const p = '/naming/v1';
    return [
      { method: 'POST', url: `${p}/instances`, includes: W, envelope: batchEnv, handler: h.create },
      { method: 'POST', url: `${p}/instances/delete`, includes: W, envelope: batchEnv, handler: h.remove },
      { method: 'POST', url: `${p}/instances/delete/host`, includes: W, envelope: batchEnv, handler: h.removeByHost },
      { method: 'PUT', url: `${p}/instances`, includes: W, envelope: batchEnv, handler: h.update },
      { method: 'PUT', url: `${p}/instances/isolate/host`, includes: W, envelope: batchEnv, handler: h.isolateByHost },
      { method: 'GET', url: `${p}/instances`, includes: R, envelope: query, handler: h.list },
      { method: 'GET', url: `${p}/instances/count`, includes: R, envelope: query, handler: h.count },
      { method: 'GET', url: `${p}/instances/labels`, includes: W, envelope: 'v1.Response', handler: h.labels },
    ];
  },
};
