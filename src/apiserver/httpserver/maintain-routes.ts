import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/lifecycle.js';
import { MaintainError, type InstanceKey, type MaintainOps } from '../../maintain/api.js';
import { rawBody } from './body.js';
import { sendResponse } from './answers.js';
import { admitted, type MaintainGuard } from './admin.js';
import { firstValue, rawQuery } from './query.js';
import type { HttpMethod, RouteDef } from './route-table.js';

/**
 * The `/maintain/v1` table (polaris `admin_access.go`) over the maintain module's front door.
 * Plain JSON on success (go-restful `WriteAsJson`), plain text with HTTP 400 on a refused call;
 * the admin / main account guard applies to every route, including `pprof/enable` (polaris
 * checked nothing there).
 */

const TEXT = 'text/plain; charset=utf-8';

export function sendPlainJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.code(200).type('application/json').send(JSON.stringify(value, null, ' '));
}

function sendPlainError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type(TEXT).send(message);
}

function jsonBody(req: FastifyRequest): unknown {
  try {
    return JSON.parse(rawBody(req)) as unknown;
  } catch (err) {
    throw new MaintainError(err instanceof Error ? err.message : String(err));
  }
}

function objectBody(req: FastifyRequest, expected: string): Record<string, unknown> {
  const body = jsonBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MaintainError(`a JSON object ${expected} is expected`);
  }
  return body as Record<string, unknown>;
}

/** A wire field that may come as a bare value or as a `{"value": …}` wrapper. */
function plain(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v;
}

function str(v: unknown): string | undefined {
  const p = plain(v);
  return typeof p === 'string' && p !== '' ? p : undefined;
}

function num(v: unknown): number | undefined {
  const p = plain(v);
  if (p === undefined || p === null || p === '') return undefined;
  const n = Number(p);
  return Number.isFinite(n) ? n : undefined;
}

function instanceKey(src: Record<string, unknown>): InstanceKey {
  return {
    id: str(src.id),
    service: str(src.service),
    namespace: str(src.namespace),
    host: str(src.host),
    port: num(src.port),
    vpc_id: str(src.vpc_id),
  };
}

type Handler = (req: FastifyRequest, reply: FastifyReply, ctx: RequestContext) => Promise<FastifyReply>;

export function maintainRoutes(ops: MaintainOps, guard: MaintainGuard): RouteDef[] {
  const route = (method: HttpMethod, path: string, run: Handler): RouteDef => ({
    method,
    url: `/maintain/v1${path}`,
    includes: [],
    envelope: null,
    handler: async (req, reply, ctx) => {
      if (!(await admitted(guard, ctx, reply))) return reply;
      try {
        return await run(req, reply, ctx);
      } catch (err) {
        if (err instanceof MaintainError) return sendPlainError(reply, err.status, err.message);
        throw err;
      }
    },
  });
  const q = (req: FastifyRequest, key: string) => firstValue(rawQuery(req), key);

  return [
    route('GET', '/apiserver/conn', async (req, reply) =>
      sendPlainJson(reply, ops.connections(q(req, 'protocol') ?? '', q(req, 'host'))),
    ),
    route('GET', '/apiserver/conn/stats', async (req, reply) =>
      sendPlainJson(reply, ops.connStats(q(req, 'protocol') ?? '', q(req, 'host'), num(q(req, 'amount')))),
    ),
    route('POST', '/apiserver/conn/close', async (req, reply) => {
      const body = jsonBody(req);
      if (!Array.isArray(body)) throw new MaintainError('a JSON array [{"Protocol","Host","Port","Amount"}] is expected');
      ops.closeConnections(
        body.map((r: Record<string, unknown>) => ({
          Protocol: str(r?.Protocol),
          Host: str(r?.Host),
          Port: num(r?.Port),
          Amount: num(r?.Amount),
        })),
      );
      return reply.code(200).send();
    }),
    route('POST', '/memory/free', async (_req, reply) => {
      await ops.freeMemory();
      return reply.code(200).send();
    }),
    route('POST', '/instance/clean', async (req, reply, ctx) => {
      const key = instanceKey(objectBody(req, '(an instance: id, or service, namespace, host, port)'));
      const out = await ops.cleanInstance(ctx, key);
      return sendResponse(reply, 'instance', { id: out.id });
    }),
    route('POST', '/instance/batchclean', async (req, reply) => {
      const body = objectBody(req, '{"batch_size": n}');
      const rows = await ops.batchCleanInstances(num(body.batch_size) ?? 0);
      return sendPlainJson(reply, { rows_affected: rows });
    }),
    route('GET', '/instance/heartbeat', async (req, reply) => {
      const query = rawQuery(req);
      const key: Record<string, unknown> = {};
      for (const k of ['id', 'service', 'namespace', 'host', 'port', 'vpc_id']) key[k] = firstValue(query, k);
      const hb = await ops.lastHeartbeat(instanceKey(key));
      return sendPlainJson(reply, hb);
    }),
    route('GET', '/log/outputlevel', async (_req, reply) => sendPlainJson(reply, ops.logLevels())),
    route('PUT', '/log/outputlevel', async (req, reply) => {
      const body = objectBody(req, '{"scope": …, "level": …}');
      ops.setLogLevel(typeof body.scope === 'string' ? body.scope : '', typeof body.level === 'string' ? body.level : '');
      return sendPlainJson(reply, 'ok');
    }),
    route('GET', '/leaders', async (_req, reply) => sendPlainJson(reply, ops.leaders())),
    route('POST', '/leaders/release', async (req, reply) => {
      const body = objectBody(req, '{"electKey": …}');
      await ops.releaseLeader(str(body.electKey) ?? '');
      return sendPlainJson(reply, 'ok');
    }),
    route('GET', '/cmdb/info', async (_req, reply) => sendPlainJson(reply, ops.cmdbInfo())),
    route('POST', '/pprof/enable', async (req, reply) => {
      const body = objectBody(req, '{"enable": bool}');
      if (typeof body.enable !== 'boolean') throw new MaintainError('enable must be true or false');
      ops.setPprof(body.enable);
      return sendPlainJson(reply, 'ok');
    }),
    route('GET', '/server/functions', async (_req, reply) => sendPlainJson(reply, ops.serverFunctions())),
  ];
}
