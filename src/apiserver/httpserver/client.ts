import { ALL_FIELDS } from '../../common/api/codec.js';
import type { Client, DiscoverRequest, Instance } from '../../common/api/gen/wire.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { NamingService } from '../../service/api.js';
import { sendItemResult } from './answers.js';
import { decodeOne } from './body.js';
import { sendEnvelope, type EnvelopeMessage } from './envelope.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/**
 * SDK routes under `/v1` (client group): include `discover` = ReportClient + Discover, `register` =
 * Register/DeregisterInstance, `healthcheck` = Heartbeat. Parse failures answer a v1.Response, as
 * polaris does, also for Discover.
 */

/** Discover types of specification v1.5 that polaris-server 1.18.1 (v1.4.2) does not have. */
const NEWER_DISCOVER_TYPES: ReadonlySet<string> = new Set(['LANE', 'CUSTOM_ROUTE_RULE', 'NEARBY_ROUTE_RULE', 'LOSSLESS']);

/** A service_token in the body takes precedence over the header token (polaris behaviour). */
function withServiceToken(ctx: RequestContext, instance: Instance): RequestContext {
  const token = (instance as { service_token?: unknown }).service_token;
  return typeof token === 'string' && token !== '' ? { ...ctx, token } : ctx;
}

function handlers(naming: NamingService): Record<string, RouteHandler> {
  return {
    reportClient: async (req, reply, ctx) => {
      const client = decodeOne<Client>(req, 'v1.Client');
      return sendItemResult(reply, await naming.reportClient(ctx, client), 'client');
    },
    discover: async (req, reply, ctx) => {
      const request = decodeOne<DiscoverRequest>(req, 'v1.DiscoverRequest');
      const answer = (await naming.discover(ctx, request)) as unknown as EnvelopeMessage;
      const code = typeof answer.code === 'number' ? answer.code : Code.ExecuteException;
      // A resource type 1.18.1 does not have is asked for by newer clients only: its answer keeps
      // the v1.5 fields (lanes, ...) that carry it.
      const fields = NEWER_DISCOVER_TYPES.has(request.type ?? '') ? ALL_FIELDS : undefined;
      return sendEnvelope(reply, 'v1.DiscoverResponse', { ...answer, code }, undefined, fields);
    },
    register: async (req, reply, ctx) => {
      const instance = decodeOne<Instance>(req, 'v1.Instance');
      const result = await naming.registerInstance(withServiceToken(ctx, instance), instance);
      return sendItemResult(reply, result, 'instance');
    },
    deregister: async (req, reply, ctx) => {
      const instance = decodeOne<Instance>(req, 'v1.Instance');
      const result = await naming.deregisterInstance(withServiceToken(ctx, instance), instance);
      return sendItemResult(reply, result, 'instance');
    },
    heartbeat: async (req, reply, ctx) => {
      const instance = decodeOne<Instance>(req, 'v1.Instance');
      return sendItemResult(reply, await naming.heartbeat(ctx, instance), 'instance');
    },
  };
}

export const clientRoutes: RouteGroup = {
  name: 'client',
  api: 'client',
  includeKeys: ['discover', 'register', 'healthcheck'],
  defaultInclude: ['discover', 'register', 'healthcheck'],
  routes(deps): RouteDef[] {
    const h = handlers(deps.naming);
    const single = 'v1.Response' as const;
    return [
      { method: 'POST', url: '/v1/ReportClient', includes: ['discover'], envelope: single, handler: h.reportClient },
      { method: 'POST', url: '/v1/Discover', includes: ['discover'], envelope: single, handler: h.discover },
      { method: 'POST', url: '/v1/RegisterInstance', includes: ['register'], envelope: single, handler: h.register },
      { method: 'POST', url: '/v1/DeregisterInstance', includes: ['register'], envelope: single, handler: h.deregister },
      { method: 'POST', url: '/v1/Heartbeat', includes: ['healthcheck'], envelope: single, handler: h.heartbeat },
    ];
  },
};
