import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/lifecycle.js';
import { sendStatus } from './answers.js';
import { BadEurekaInput } from './convert.js';
import { namespaceOf, parseJsonBody } from './request.js';
import type { RouteDef } from './routes.js';
import type { EurekaWrites, WriteResult } from './writes.js';

/** Items of one batch handled at once (Eureka peers send up to 1000 per batch). */
const CONCURRENCY = 64;
/** The identity polaris servers replicate with: batches from them are not applied (no loops). */
const POLARIS_IDENTITY = 'PolarisServer';

interface ReplicationItem {
  appName?: unknown;
  id?: unknown;
  status?: unknown;
  overriddenStatus?: unknown;
  instanceInfo?: unknown;
  action?: unknown;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

async function apply(writes: EurekaWrites, ctx: RequestContext, ns: string, item: ReplicationItem): Promise<WriteResult> {
  const app = str(item.appName);
  const id = str(item.id);
  if (!app) return { status: 400, reason: 'appName is missing' };
  switch (str(item.action)) {
    case 'Register':
      return writes.register(ctx, ns, app, { instance: item.instanceInfo });
    case 'Heartbeat':
      return writes.renew(ctx, ns, app, id);
    case 'Cancel':
      return writes.cancel(ctx, ns, app, id);
    case 'StatusUpdate':
      return writes.setStatus(ctx, ns, app, id, str(item.status));
    case 'DeleteStatusOverride':
      return writes.deleteOverride(ctx, ns, app, id, undefined);
    default:
      return { status: 400, reason: `unknown action ${str(item.action) || '(none)'}` };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in item order. */
export async function pooled<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const n = next++;
      out[n] = await fn(items[n]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * POST /peerreplication/batch (spec §1.13, inbound): every item is applied like the matching REST
 * call, many at once (polaris#998: one by one, 200 heartbeats outlived their TTL). The answer is
 * always JSON, one `statusCode` per item in order.
 */
export function replicationRoute(deps: { writes: EurekaWrites; namespace: string }): RouteDef {
  return {
    method: 'POST',
    path: '/peerreplication/batch',
    handler: async (req: FastifyRequest, reply, ctx) => {
      const identity = req.headers['discoveryidentity-name'];
      if (identity === POLARIS_IDENTITY) return reply.code(200).type('application/json').send({ responseList: [] });
      let list: ReplicationItem[];
      try {
        const body = parseJsonBody(req) as { replicationList?: unknown };
        if (!body || typeof body !== 'object' || !Array.isArray(body.replicationList)) throw new BadEurekaInput('replicationList is missing');
        list = body.replicationList as ReplicationItem[];
      } catch (err) {
        if (err instanceof BadEurekaInput) return sendStatus(reply, 400, err.message);
        throw err;
      }
      const ns = namespaceOf(req, deps.namespace);
      const results = await pooled(list, CONCURRENCY, async (item) => {
        try {
          return await apply(deps.writes, ctx, ns, item && typeof item === 'object' ? item : {});
        } catch (err) {
          ctx.logger?.warn({ err }, 'replicated item failed');
          return { status: 500 } as WriteResult;
        }
      });
      const responseList = results.map((r) => ({ statusCode: r.status === 204 ? 200 : r.status }));
      return reply.code(200).type('application/json').send({ responseList });
    },
  };
}
