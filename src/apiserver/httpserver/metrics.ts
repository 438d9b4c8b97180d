import type { HttpServerDeps } from './options.js';
import type { RouteDef } from './route-table.js';

/**
 * Always-mounted extras (independent of the `api` groups): `GET /metrics`, the Prometheus
 * exposition of the injected registry. Absent registry → no route (404).
 */
export function alwaysMountedRoutes(deps: HttpServerDeps): RouteDef[] {
  const registry = deps.metrics;
  if (!registry) return [];
  return [
    {
      method: 'GET',
      url: '/metrics',
      includes: [],
      envelope: null,
      json: false,
      handler: async (_req, reply) => {
        const text = await registry.metrics();
        return reply.code(200).header('content-type', registry.contentType).send(text);
      },
    },
  ];
}
