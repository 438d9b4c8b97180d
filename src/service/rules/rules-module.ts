import type { RuleIndexer } from '../../cache/rules-cache.js';
import type { RuleKind } from '../../store/rules-api.js';
import type {
  CircuitBreakerOps,
  FaultDetectOps,
  LaneOps,
  RateLimitOps,
  RouteRuleOps,
  RuleDiscovery,
  RulesService,
  RulesWatch,
  ServiceContractOps,
} from './api.js';
import { circuitBreakerPayload, DefaultCircuitBreakerOps } from './circuitbreaker-ops.js';
import { DefaultServiceContractOps } from './contract-ops.js';
import type { RuleOpsDeps } from './deps.js';
import { DefaultRuleDiscovery } from './discover.js';
import { DefaultFaultDetectOps, faultDetectPayload } from './faultdetect-ops.js';
import { DefaultLaneOps, laneIndexer, lanePayload } from './lane-ops.js';
import { DefaultRateLimitOps, rateLimitPayload } from './ratelimit-ops.js';
import { DefaultRouteRuleOps } from './route-ops.js';
import { routeIndexer } from './route-discover.js';

/** How the rules cache indexes each kind (the others: `svc` over their bound services). */
export const RULE_INDEXERS: Partial<Record<RuleKind, RuleIndexer>> = {
  route: routeIndexer,
  lane: laneIndexer,
};

export interface RulesModule {
  service: RulesService;
  /** The Discover answers of the rule types, for the naming module. */
  discovery: RuleDiscovery;
  /**
   * Route rules naming this exact service (as a source or a destination): deleting a service
   * with any is refused with 400205.
   */
  routeRulesOf(namespace: string, service: string): Promise<number>;
  /** Which rule kinds changed, for adapters that push (xDS). */
  watch: RulesWatch;
}

export function createRulesModule(deps: RuleOpsDeps): RulesModule {
  const service: RulesService = {
    ...bind<RouteRuleOps>(new DefaultRouteRuleOps(deps)),
    ...bind<RateLimitOps>(new DefaultRateLimitOps(deps)),
    ...bind<CircuitBreakerOps>(new DefaultCircuitBreakerOps(deps)),
    ...bind<FaultDetectOps>(new DefaultFaultDetectOps(deps)),
    ...bind<LaneOps>(new DefaultLaneOps(deps)),
    ...bind<ServiceContractOps>(new DefaultServiceContractOps(deps)),
  };
  const discovery = new DefaultRuleDiscovery(deps.cache, {
    RATE_LIMIT: { kind: 'ratelimit', build: rateLimitPayload },
    CIRCUIT_BREAKER: { kind: 'circuitbreaker', build: circuitBreakerPayload },
    FAULT_DETECTOR: { kind: 'faultdetect', build: (cache, source) => faultDetectPayload(cache, source) },
    LANE: { kind: 'lane', build: (cache, source) => lanePayload(cache, source) },
  });
  return {
    service,
    discovery,
    routeRulesOf: (namespace, name) => deps.store.countRulesBoundTo(['route'], { namespace, service: name }),
    watch: { onRulesChange: (listener) => deps.cache.onChange(listener) },
  };
}

/** The public methods of a class instance as bound functions. */
function bind<T>(obj: object): T {
  const out: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(obj) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (obj as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof fn === 'function') out[name] = (fn as (...a: unknown[]) => unknown).bind(obj);
  }
  return out as T;
}
