import type { Service, ServiceAlias } from '../../common/api/gen/wire.js';
import type { NamingService } from '../../service/api.js';
import { sendBatchWrite, sendItemResult, sendQuery, sendResponse } from './answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { firstValue, rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/** `/naming/v1` services, service tokens, owners and aliases (naming v1 sub-group `service`). */

function handlers(naming: NamingService): Record<string, RouteHandler> {
  return {
    create: async (req, reply, ctx) => {
      const items = decodeBatch<Service>(req, 'v1.Service');
      return sendBatchWrite(reply, await naming.createServices(ctx, items), 'service', 'uniform');
    },
    remove: async (req, reply, ctx) => {
      const items = decodeBatch<Service>(req, 'v1.Service');
      return sendBatchWrite(reply, await naming.deleteServices(ctx, items), 'service', 'uniform');
    },
    update: async (req, reply, ctx) => {
      const items = decodeBatch<Service>(req, 'v1.Service');
      return sendBatchWrite(reply, await naming.updateServices(ctx, items), 'service', 'uniform');
    },
    list: async (req, reply, ctx) => {
      const list = await naming.listServices(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { services: list.items });
    },
    all: async (req, reply, ctx) => {
      const services = await naming.allServices(ctx, firstValue(rawQuery(req), 'namespace'));
      return sendQuery(reply, services.length, services.length, { services });
    },
    count: async (_req, reply, ctx) => {
      return sendQuery(reply, await naming.countServices(ctx), 0);
    },
    getToken: async (req, reply, ctx) => {
      const q = rawQuery(req);
      const probe = {
        name: firstValue(q, 'name') ?? '',
        namespace: firstValue(q, 'namespace') ?? '',
        token: firstValue(q, 'token') ?? '',
      } as Service;
      return sendResponse(reply, 'service', await naming.getServiceToken(ctx, probe));
    },
    updateToken: async (req, reply, ctx) => {
      const item = decodeOne<Service>(req, 'v1.Service');
      return sendResponse(reply, 'service', await naming.updateServiceToken(ctx, item));
    },
    owners: async (req, reply, ctx) => {
      const items = decodeBatch<Service>(req, 'v1.Service');
      const services = await naming.getServiceOwners(ctx, items);
      return sendQuery(reply, services.length, services.length, { services });
    },
    createAlias: async (req, reply, ctx) => {
      const item = decodeOne<ServiceAlias>(req, 'v1.ServiceAlias');
      return sendResponse(reply, 'alias', await naming.createAlias(ctx, item));
    },
    updateAlias: async (req, reply, ctx) => {
      const item = decodeOne<ServiceAlias>(req, 'v1.ServiceAlias');
      return sendItemResult(reply, await naming.updateAlias(ctx, item), 'alias');
    },
    listAliases: async (req, reply, ctx) => {
      const list = await naming.listAliases(ctx, rawQuery(req));
      return sendQuery(reply, list.amount, list.items.length, { aliases: list.items });
    },
    deleteAliases: async (req, reply, ctx) => {
      const items = decodeBatch<ServiceAlias>(req, 'v1.ServiceAlias');
      return sendBatchWrite(reply, await naming.deleteAliases(ctx, items), 'alias', 'uniform');
    },
  };
}

const W = ['default', 'service'] as const;
/** Also part of polaris' `default-read` set. */
const R = ['default', 'service', 'default-read'] as const;

export const namingServiceRoutes: RouteGroup = {
  name: 'naming-services',
  api: 'console',
  includeKeys: ['default', 'default-read', 'service'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    const h = handlers(deps.naming);
    const batch = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    const single = 'v1.Response' as const;
    const p = '/naming/v1';
    return [
      { method: 'POST', url: `${p}/services`, includes: W, envelope: batch, handler: h.create },
      { method: 'POST', url: `${p}/services/delete`, includes: W, envelope: batch, handler: h.remove },
      { method: 'PUT', url: `${p}/services`, includes: W, envelope: batch, handler: h.update },
      { method: 'GET', url: `${p}/services`, includes: R, envelope: query, handler: h.list },
      { method: 'GET', url: `${p}/services/all`, includes: W, envelope: query, handler: h.all },
      { method: 'GET', url: `${p}/services/count`, includes: R, envelope: query, handler: h.count },
      { method: 'GET', url: `${p}/service/token`, includes: R, envelope: single, handler: h.getToken },
      { method: 'PUT', url: `${p}/service/token`, includes: W, envelope: single, handler: h.updateToken },
      { method: 'POST', url: `${p}/service/alias`, includes: W, envelope: single, handler: h.createAlias },
      { method: 'PUT', url: `${p}/service/alias`, includes: W, envelope: single, handler: h.updateAlias },
      { method: 'GET', url: `${p}/service/aliases`, includes: R, envelope: query, handler: h.listAliases },
      { method: 'POST', url: `${p}/service/aliases/delete`, includes: W, envelope: batch, handler: h.deleteAliases },
      { method: 'POST', url: `${p}/service/owner`, includes: R, envelope: query, handler: h.owners },
    ];
  },
};
