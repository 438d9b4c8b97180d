import type { FastifyReply } from 'fastify';
import { rawBody } from './body.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { HttpServerDeps, LogLevelControl } from './options.js';
import type { RouteDef, RouteGroup } from './route-table.js';
import { maintainRoutes, sendPlainJson } from './maintain-routes.js';

/**
 * Admin group (`api.admin.enable`): the `/` banner and the `/maintain/v1` operations. These are
 * plain routes, not Polaris envelopes: JSON on success, HTTP 400 with the error text otherwise.
 * With the maintain module the whole table is mounted (maintain-routes.ts); without it only the
 * log-level pair over `logLevels`.
 */

const TEXT = 'text/plain; charset=utf-8';

function sendPlainError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type(TEXT).send(message);
}

export type MaintainGuard = HttpServerDeps['maintainGuard'];

/** Plain-text refusal of a maintain call by the guard (polaris writes auth errors as text there). */
export async function admitted(guard: MaintainGuard, ctx: RequestContext, reply: FastifyReply): Promise<boolean> {
  if (!guard) return true;
  try {
    await guard(ctx);
    return true;
  } catch (err) {
    const code = err instanceof PolarisError ? err.code : 401000;
    const info = err instanceof PolarisError ? err.info : 'unauthorized';
    reply.code(Math.floor(code / 1000)).type(TEXT).header('X-Polaris-Code', String(code)).send(info);
    return false;
  }
}

function logLevelRoutes(levels: LogLevelControl, guard: MaintainGuard): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/maintain/v1/log/outputlevel',
      includes: [],
      envelope: null,
      handler: async (_req, reply, ctx) => {
        if (!(await admitted(guard, ctx, reply))) return reply;
        return sendPlainJson(
          reply,
          levels.levels().map((l) => ({ Name: l.scope, Level: l.level })),
        );
      },
    },
    {
      method: 'PUT',
      url: '/maintain/v1/log/outputlevel',
      includes: [],
      envelope: null,
      handler: async (req, reply, ctx) => {
        if (!(await admitted(guard, ctx, reply))) return reply;
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
    if (deps.maintain) routes.push(...maintainRoutes(deps.maintain, deps.maintainGuard));
    else if (deps.logLevels) routes.push(...logLevelRoutes(deps.logLevels, deps.maintainGuard));
    return routes;
  },
};
