import type { NamingService } from '../../service/api.js';
import { admitted, type MaintainGuard } from './admin.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/**
 * Reported SDK clients as Prometheus HTTP service-discovery targets: `GET /prometheus/v1/clients`
 * answers the plain target array Prometheus reads; `GET /core/v1/clients` (console) and
 * `GET /maintain/v1/report/clients` (admin) wrap it as `{"Code": 200000, "Response": [...]}`,
 * polaris-server's (non-envelope) shape.
 */

function targets(naming: NamingService, wrapped: boolean, guard?: MaintainGuard): RouteHandler {
  return async (_req, reply, ctx) => {
    if (!(await admitted(guard, ctx, reply))) return reply;
    const list = await naming.prometheusTargets(ctx);
    const body = wrapped ? { Code: 200000, Response: list } : list;
    return reply.code(200).type('application/json').send(JSON.stringify(body));
  };
}

export const consoleClientTargetRoutes: RouteGroup = {
  name: 'client-targets',
  api: 'console',
  includeKeys: ['default'],
  defaultInclude: ['default'],
  routes(deps): RouteDef[] {
    return [
      { method: 'GET', url: '/core/v1/clients', includes: ['default'], envelope: null, handler: targets(deps.naming, true) },
      { method: 'GET', url: '/prometheus/v1/clients', includes: [], envelope: null, handler: targets(deps.naming, false) },
    ];
  },
};

export const adminClientTargetRoutes: RouteGroup = {
  name: 'report-clients',
  api: 'admin',
  includeKeys: [],
  defaultInclude: [],
  routes(deps): RouteDef[] {
    return [
      {
        method: 'GET',
        url: '/maintain/v1/report/clients',
        includes: [],
        envelope: null,
        handler: targets(deps.naming, true, deps.maintainGuard),
      },
    ];
  },
};
