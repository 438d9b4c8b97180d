import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/lifecycle.js';
import { applicationsDoc, encodeApps, infosOf, sendDoc, sendEncoded, sendStatus } from './answers.js';
import { BadEurekaInput } from './convert.js';
import type { Entry, NamespaceRegistry } from './registry.js';
import { namespaceOf, parseInstanceBody } from './request.js';
import type { EurekaWrites, WriteResult } from './writes.js';

export type Handler = (req: FastifyRequest, reply: FastifyReply, ctx: RequestContext) => Promise<FastifyReply>;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path after the base (`/eureka`, `/eureka/v1`, `/eureka/v2` or none). */
  path: string;
  handler: Handler;
}

export interface RouteDeps {
  writes: EurekaWrites;
  registry(namespace: string): NamespaceRegistry;
  namespace: string;
  /** Called after each successful renewal a client (not a peer) sent. */
  onRenewed?(namespace: string, app: string, eurekaId: string): void;
}

type Params = { appId?: string; instId?: string; vip?: string };

function params(req: FastifyRequest): Params {
  return req.params as Params;
}

/** First value of a query parameter. */
function q(req: FastifyRequest, key: string): string | undefined {
  const v = (req.query as Record<string, string | string[] | undefined>)[key];
  return Array.isArray(v) ? v[0] : v;
}

function answer(reply: FastifyReply, ctx: RequestContext, r: WriteResult): FastifyReply {
  if (r.status >= 400) ctx.logger?.info({ status: r.status, code: r.code, reason: r.reason }, 'eureka request refused');
  return sendStatus(reply, r.status, r.reason, r.code);
}

function find(view: Map<string, Map<string, Entry>>, id: string): Entry | undefined {
  for (const m of view.values()) {
    const e = m.get(id);
    if (e) return e;
  }
  return undefined;
}

/** The 14 Eureka REST routes (spec §1.2) except replication. */
export function eurekaRoutes(deps: RouteDeps): RouteDef[] {
  const ns = (req: FastifyRequest): string => namespaceOf(req, deps.namespace);
  const write =
    (fn: (req: FastifyRequest, ctx: RequestContext, p: Required<Pick<Params, 'appId' | 'instId'>>) => Promise<WriteResult>): Handler =>
    async (req, reply, ctx) => {
      const p = params(req);
      return answer(reply, ctx, await fn(req, ctx, { appId: p.appId ?? '', instId: p.instId ?? '' }));
    };

  const vipRoute =
    (kind: 'vipAddress' | 'secureVipAddress'): Handler =>
    async (req, reply, ctx) => {
      const target = (params(req).vip ?? '').trim().toLowerCase();
      if (!target) return answer(reply, ctx, { status: 400, reason: 'the VIP address is empty' });
      const reg = deps.registry(ns(req));
      const view = await reg.current();
      // Case-insensitive on both sides (1.18.1 upper-cased only the query).
      const matches = (e: Entry): boolean =>
        String(e.info[kind] ?? '')
          .split(',')
          .some((v) => v.trim().toLowerCase() === target);
      return sendDoc(
        req,
        reply,
        () => applicationsDoc(view.version, infosOf(view.apps).map(([name, list]) => [name, list.filter((i) => matches({ info: i } as Entry))])),
        { map: reg.encoded, key: `${kind}:${target}` },
      );
    };

  return [
    {
      method: 'POST',
      path: '/apps/:appId',
      handler: async (req, reply, ctx) => {
        let body: unknown;
        try {
          body = parseInstanceBody(req);
        } catch (err) {
          if (err instanceof BadEurekaInput) return answer(reply, ctx, { status: 400, reason: err.message });
          throw err;
        }
        return answer(reply, ctx, await deps.writes.register(ctx, ns(req), params(req).appId ?? '', body));
      },
    },
    {
      method: 'PUT',
      path: '/apps/:appId/:instId',
      handler: write(async (req, ctx, p) => {
        const r = await deps.writes.renew(ctx, ns(req), p.appId, p.instId);
        if (r.status === 200 && req.headers['x-netflix-discovery-replication'] !== 'true') deps.onRenewed?.(ns(req), p.appId, p.instId);
        return r;
      }),
    },
    { method: 'DELETE', path: '/apps/:appId/:instId', handler: write((req, ctx, p) => deps.writes.cancel(ctx, ns(req), p.appId, p.instId)) },
    {
      method: 'PUT',
      path: '/apps/:appId/:instId/status',
      handler: write((req, ctx, p) => deps.writes.setStatus(ctx, ns(req), p.appId, p.instId, q(req, 'value'))),
    },
    {
      method: 'DELETE',
      path: '/apps/:appId/:instId/status',
      handler: write((req, ctx, p) => deps.writes.deleteOverride(ctx, ns(req), p.appId, p.instId, q(req, 'value'))),
    },
    {
      method: 'PUT',
      path: '/apps/:appId/:instId/metadata',
      handler: write((req, ctx, p) => {
        const kv: Record<string, string> = {};
        for (const k of Object.keys(req.query as object)) kv[k] = q(req, k) ?? '';
        return deps.writes.mergeMetadata(ctx, ns(req), p.appId, p.instId, kv);
      }),
    },
    {
      method: 'GET',
      path: '/apps',
      handler: async (req, reply) => {
        const reg = deps.registry(ns(req));
        const view = await reg.current();
        return sendEncoded(req, reply, (json) => encodeApps(view, json), { map: reg.encoded, key: 'full' });
      },
    },
    {
      method: 'GET',
      path: '/apps/delta',
      handler: async (req, reply) => {
        const reg = deps.registry(ns(req));
        const view = await reg.current();
        return sendDoc(req, reply, () => applicationsDoc(view.version, reg.delta(), view.hash), { map: reg.encoded, key: 'delta' });
      },
    },
    {
      method: 'GET',
      path: '/apps/:appId',
      handler: async (req, reply, ctx) => {
        const name = (params(req).appId ?? '').toUpperCase();
        const app = (await deps.registry(ns(req)).current()).apps.get(name);
        if (!app) return answer(reply, ctx, { status: 404, reason: `app ${name} is not registered` });
        return sendDoc(req, reply, () => ({ root: 'application', value: { name, instance: [...app.values()].map((e) => e.info) } }));
      },
    },
    {
      method: 'GET',
      path: '/apps/:appId/:instId',
      handler: async (req, reply, ctx) => {
        const p = params(req);
        const e = (await deps.registry(ns(req)).current()).apps.get((p.appId ?? '').toUpperCase())?.get(p.instId ?? '');
        if (!e) return answer(reply, ctx, { status: 404, reason: `instance ${p.instId} of app ${p.appId} is not registered` });
        return sendDoc(req, reply, () => ({ root: 'instance', value: e.info }));
      },
    },
    {
      method: 'GET',
      path: '/instances/:instId',
      handler: async (req, reply, ctx) => {
        const id = params(req).instId ?? '';
        const e = find((await deps.registry(ns(req)).current()).apps, id);
        if (!e) return answer(reply, ctx, { status: 404, reason: `instance ${id} is not registered` });
        return sendDoc(req, reply, () => ({ root: 'instance', value: e.info }));
      },
    },
    { method: 'GET', path: '/vips/:vip', handler: vipRoute('vipAddress') },
    { method: 'GET', path: '/svips/:vip', handler: vipRoute('secureVipAddress') },
  ];
}
