import type { CircuitBreaker, CircuitBreakerRule, ConfigRelease, FaultDetectRule } from '../../common/api/gen/wire.js';
import type { RulesService } from '../../service/rules/api.js';
import { decodeBatch } from './body.js';
import {
  sendAnyBatch,
  sendAnyList,
  sendDeprecatedBatch,
  sendDeprecatedQuery,
  sendDeprecatedSingle,
} from './naming-rules-common.js';
import { rawQuery } from './query.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/**
 * Naming v1 sub-group `circuitbreaker`: circuit-breaker rules (`/circuitbreaker/rules`), fault
 * detectors (`/faultdetectors`) and the deprecated v1 circuit-breaker routes, which answer
 * 400000 "bad request: API is Deprecated" after reading their body as polaris does.
 */

const CB = 'v1.CircuitBreakerRule';
const FD = 'v1.FaultDetectRule';

function handlers(rules: RulesService): Record<string, RouteHandler> {
  const cb = (req: Parameters<RouteHandler>[0]) => decodeBatch<CircuitBreakerRule>(req, CB);
  const fd = (req: Parameters<RouteHandler>[0]) => decodeBatch<FaultDetectRule>(req, FD);
  return {
    cbCreate: async (req, reply, ctx) => sendAnyBatch(reply, await rules.createCircuitBreakerRules(ctx, cb(req)), CB),
    cbUpdate: async (req, reply, ctx) => sendAnyBatch(reply, await rules.updateCircuitBreakerRules(ctx, cb(req)), CB),
    cbDelete: async (req, reply, ctx) => sendAnyBatch(reply, await rules.deleteCircuitBreakerRules(ctx, cb(req)), CB),
    cbEnable: async (req, reply, ctx) => sendAnyBatch(reply, await rules.enableCircuitBreakerRules(ctx, cb(req)), CB),
    cbList: async (req, reply, ctx) => sendAnyList(reply, await rules.listCircuitBreakerRules(ctx, rawQuery(req)), CB),
    fdCreate: async (req, reply, ctx) => sendAnyBatch(reply, await rules.createFaultDetectRules(ctx, fd(req)), FD),
    fdUpdate: async (req, reply, ctx) => sendAnyBatch(reply, await rules.updateFaultDetectRules(ctx, fd(req)), FD),
    fdDelete: async (req, reply, ctx) => sendAnyBatch(reply, await rules.deleteFaultDetectRules(ctx, fd(req)), FD),
    fdList: async (req, reply, ctx) => sendAnyList(reply, await rules.listFaultDetectRules(ctx, rawQuery(req)), FD),
    oldBreakers: async (req, reply) => {
      decodeBatch<CircuitBreaker>(req, 'v1.CircuitBreaker');
      return sendDeprecatedBatch(reply);
    },
    oldReleases: async (req, reply) => {
      decodeBatch<ConfigRelease>(req, 'v1.ConfigRelease');
      return sendDeprecatedBatch(reply);
    },
    oldQuery: async (_req, reply) => sendDeprecatedQuery(reply),
    oldSingle: async (_req, reply) => sendDeprecatedSingle(reply),
  };
}

const W = ['default', 'circuitbreaker'] as const;
const R = ['default', 'circuitbreaker', 'default-read'] as const;

export const namingFaultToleranceRoutes: RouteGroup = {
  name: 'naming-rules-fault',
  api: 'console',
  includeKeys: ['default', 'default-read', 'circuitbreaker'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    if (!deps.rules) return [];
    const h = handlers(deps.rules);
    const batch = 'v1.BatchWriteResponse' as const;
    const query = 'v1.BatchQueryResponse' as const;
    const p = '/naming/v1';
    return [
      { method: 'GET', url: `${p}/circuitbreaker/rules`, includes: R, envelope: query, handler: h.cbList },
      { method: 'POST', url: `${p}/circuitbreaker/rules`, includes: W, envelope: batch, handler: h.cbCreate },
      { method: 'PUT', url: `${p}/circuitbreaker/rules`, includes: W, envelope: batch, handler: h.cbUpdate },
      { method: 'POST', url: `${p}/circuitbreaker/rules/delete`, includes: W, envelope: batch, handler: h.cbDelete },
      { method: 'PUT', url: `${p}/circuitbreaker/rules/enable`, includes: W, envelope: batch, handler: h.cbEnable },
      { method: 'GET', url: `${p}/faultdetectors`, includes: R, envelope: query, handler: h.fdList },
      { method: 'POST', url: `${p}/faultdetectors`, includes: W, envelope: batch, handler: h.fdCreate },
      { method: 'PUT', url: `${p}/faultdetectors`, includes: W, envelope: batch, handler: h.fdUpdate },
      { method: 'POST', url: `${p}/faultdetectors/delete`, includes: W, envelope: batch, handler: h.fdDelete },
      // Deprecated since 1.14: every one answers 400000.
      { method: 'POST', url: `${p}/circuitbreakers`, includes: W, envelope: batch, handler: h.oldBreakers },
      { method: 'POST', url: `${p}/circuitbreakers/version`, includes: W, envelope: batch, handler: h.oldBreakers },
      { method: 'POST', url: `${p}/circuitbreakers/delete`, includes: W, envelope: batch, handler: h.oldBreakers },
      { method: 'PUT', url: `${p}/circuitbreakers`, includes: W, envelope: batch, handler: h.oldBreakers },
      { method: 'POST', url: `${p}/circuitbreakers/release`, includes: W, envelope: batch, handler: h.oldReleases },
      { method: 'POST', url: `${p}/circuitbreakers/unbind`, includes: W, envelope: batch, handler: h.oldReleases },
      { method: 'GET', url: `${p}/circuitbreaker`, includes: R, envelope: query, handler: h.oldQuery },
      { method: 'GET', url: `${p}/circuitbreaker/versions`, includes: R, envelope: query, handler: h.oldQuery },
      { method: 'GET', url: `${p}/circuitbreakers/master`, includes: R, envelope: query, handler: h.oldQuery },
      { method: 'GET', url: `${p}/circuitbreakers/release`, includes: R, envelope: query, handler: h.oldQuery },
      { method: 'GET', url: `${p}/circuitbreaker/token`, includes: R, envelope: 'v1.Response', handler: h.oldSingle },
      { method: 'GET', url: `${p}/service/circuitbreaker`, includes: ['default-read'], envelope: query, handler: h.oldQuery },
    ];
  },
};
