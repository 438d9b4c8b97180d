import type { FastifyReply } from 'fastify';
import type { HealthReport } from '../../maintain/api.js';
import type { HttpServerDeps } from './options.js';
import type { RouteDef } from './route-table.js';

function sendHealth(reply: FastifyReply, report: HealthReport): FastifyReply {
  return reply
    .code(report.status === 'UP' ? 200 : 503)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send(JSON.stringify(report));
}

/**
 * Always-mounted extras (independent of the `api` groups): `GET /metrics`, the Prometheus
 * exposition of the injected registry, and the orchestrator probes `GET /healthz` (liveness) and
 * `GET /readyz` (readiness: 200 when ready, 503 with the failing checks otherwise). Absent
 * dependency → no route (404).
 */
export function alwaysMountedRoutes(deps: HttpServerDeps): RouteDef[] {
  const routes: RouteDef[] = [];
  const registry = deps.metrics;
  if (registry) {
    routes.push({
      method: 'GET',
      url: '/metrics',
      includes: [],
      envelope: null,
      json: false,
      handler: async (_req, reply) => {
        const text = await registry.metrics();
        return reply.code(200).header('content-type', registry.contentType).send(text);
      },
    });
  }
  const health = deps.health;
  if (health) {
    routes.push(
      {
        method: 'GET',
        url: '/healthz',
        includes: [],
        envelope: null,
        json: false,
        handler: async (_req, reply) => sendHealth(reply, health.liveness()),
      },
      {
        method: 'GET',
        url: '/readyz',
        includes: [],
        envelope: null,
        json: false,
        handler: async (_req, reply) => sendHealth(reply, await health.readiness()),
      },
    );
  }
  return routes;
}
