import type { Namespace } from '../../common/api/gen/wire.js';
import type { NamespaceService } from '../../namespace/api.js';
import { sendBatchWrite, sendQuery, sendResponse } from './answers.js';
import { decodeBatch, decodeOne } from './body.js';
import { firstValue, namespaceListQuery, rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/**
 * Namespaces: `/core/v1/namespaces*` (console include `default`, GETs also `default-read`) and the
 * same handlers under `/naming/v1/namespaces*` + `/naming/v1/namespace/token` (naming v1 sub-group
 * `service`).
 */

function handlers(ns: NamespaceService): Record<string, RouteHandler> {
  return {
    create: async (req, reply, ctx) => {
      const items = decodeBatch<Namespace>(req, 'v1.Namespace');
      return sendBatchWrite(reply, await ns.createNamespaces(ctx, items), 'namespace', 'largest');
    },
    remove: async (req, reply, ctx) => {
      const items = decodeBatch<Namespace>(req, 'v1.Namespace');
      return sendBatchWrite(reply, await ns.deleteNamespaces(ctx, items), 'namespace', 'largest');
    },
    update: async (req, reply, ctx) => {
      const items = decodeBatch<Namespace>(req, 'v1.Namespace');
      return sendBatchWrite(reply, await ns.updateNamespaces(ctx, items), 'namespace', 'largest');
    },
    list: async (req, reply, ctx) => {
      const query = namespaceListQuery(rawQuery(req));
      const list = await ns.listNamespaces(ctx, query);
      return sendQuery(reply, list.amount, list.namespaces.length, {
        namespaces: list.namespaces,
        summary: list.summary,
      });
    },
    getToken: async (req, reply, ctx) => {
      const name = firstValue(rawQuery(req), 'name') ?? '';
      return sendResponse(reply, 'namespace', await ns.getNamespaceToken(ctx, name));
    },
    updateToken: async (req, reply, ctx) => {
      const item = decodeOne<Namespace>(req, 'v1.Namespace');
      return sendResponse(reply, 'namespace', await ns.updateNamespaceToken(ctx, item));
    },
  };
}

const CORE = ['default'] as const;
const CORE_READ = ['default', 'default-read'] as const;
const NAMING = ['default', 'service'] as const;
const NAMING_READ = ['default', 'service', 'default-read'] as const;

export const coreNamespaceRoutes: RouteGroup = {
  name: 'namespaces',
  api: 'console',
  includeKeys: ['default', 'default-read', 'service'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    const h = handlers(deps.namespaces);
    const batch = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    const single = 'v1.Response' as const;
    return [
      { method: 'POST', url: '/core/v1/namespaces', includes: CORE, envelope: batch, handler: h.create },
      { method: 'POST', url: '/core/v1/namespaces/delete', includes: CORE, envelope: batch, handler: h.remove },
      { method: 'PUT', url: '/core/v1/namespaces', includes: CORE, envelope: batch, handler: h.update },
      { method: 'GET', url: '/core/v1/namespaces', includes: CORE_READ, envelope: query, handler: h.list },
      { method: 'GET', url: '/core/v1/namespaces/token', includes: CORE_READ, envelope: single, handler: h.getToken },
      { method: 'PUT', url: '/core/v1/namespaces/token', includes: CORE, envelope: single, handler: h.updateToken },

      { method: 'POST', url: '/naming/v1/namespaces', includes: NAMING, envelope: batch, handler: h.create },
      { method: 'POST', url: '/naming/v1/namespaces/delete', includes: NAMING, envelope: batch, handler: h.remove },
      { method: 'PUT', url: '/naming/v1/namespaces', includes: NAMING, envelope: batch, handler: h.update },
      { method: 'GET', url: '/naming/v1/namespaces', includes: NAMING_READ, envelope: query, handler: h.list },
      { method: 'GET', url: '/naming/v1/namespace/token', includes: NAMING_READ, envelope: single, handler: h.getToken },
      { method: 'PUT', url: '/naming/v1/namespace/token', includes: NAMING, envelope: single, handler: h.updateToken },
    ];
  },
};
