import type { FastifyReply } from 'fastify';
import { rawBody } from './body.js';
import type { LogLevelControl } from './options.js';
import type { RouteDef, RouteGroup } from './route-table.js';

/**
 * Admin group (`api.admin.enable`): the `/` banner and the `/maintain/v1` operations. These are
 * plain routes, not Polaris envelopes: JSON on success, HTTP 400 with the error text otherwise.
 * Further maintain operations (connections, leaders, instance clean, …) join this list later.
 */

const TEXT = 'text/plain; charset=utf-8';

/** go-restful `WriteAsJson`: pretty-printed JSON. */
function sendPlainJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.code(200).type('application/json').send(JSON.stringify(value, null, ' '));
}

function sendPlainError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type(TEXT).send(message);
}

function logLevelRoutes(levels: LogLevelControl): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/maintain/v1/log/outputlevel',
      includes: [],
      envelope: null,
      handler: async (_req, reply) =>
        sendPlainJson(
          reply,
          levels.levels().map((l) => ({ Name: l.scope, Level: l.level })),
        ),
    },
    {
      method: 'PUT',
      url: '/maintain/v1/log/outputlevel',
      includes: [],
      envelope: null,
      handler: async (req, reply) => {
        let body: unknown;
        try {
          body = JSON.parse(rawBody(req));
        } catch (err) {
          return sendPlainError(reply, 400, err instanceof Error ? err.message : String(err));
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return sendPlainError(reply, 400, 'a JSON object {"scope": …, "level": …} is expected');
        }
        const { scope, level } = body as { scope?: unknown; level?: unknown };
        try {
          levels.setLevel(typeof scope === 'string' ? scope : '', typeof level === 'string' ? level : '');
        } catch (err) {
          return sendPlainError(reply, 400, err instanceof Error ? err.message : String(err));
        }
        return sendPlainJson(reply, 'ok');
      },
    },
  ];
}

export const adminRoutes: RouteGroup = {
  name: 'admin',
  api: 'admin',
  includeKeys: [],
  defaultInclude: [],
  routes(deps): RouteDef[] {
    const routes: RouteDef[] = [
      {
        method: 'GET',
        url: '/',
        includes: [],
        envelope: null,
        json: false,
        handler: async (_req, reply) => reply.code(200).type(TEXT).send('Polaris Server'),
      },
    ];
    if (deps.logLevels) routes.push(...logLevelRoutes(deps.logLevels));
    return routes;
  },
};
