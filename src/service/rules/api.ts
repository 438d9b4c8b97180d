import type {
  CircuitBreakerRule as WireCircuitBreakerRule,
  DiscoverResponse as WireDiscoverResponse,
  FaultDetectRule as WireFaultDetectRule,
  LaneGroup as WireLaneGroup,
  Response as WireResponse,
  RouteRule as WireRouteRule,
  Routing as WireRouting,
  Rule as WireRateLimit,
  Service as WireService,
  ServiceContract as WireServiceContract,
} from '../../common/api/gen/wire.js';
import type { ItemResult } from '../../common/errors/batch.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { ListResult, RawQuery } from '../api.js';

/**
 * The governance-rules module's front doors (route rules, rate limits, circuit breakers, fault
 * detectors, lane groups, service contracts). Inputs and outputs are wire objects; raw query
 * parameters are validated here. Batches return one ItemResult per item in request order, except
 * when polaris's parameter pre-pass refuses the batch: then nothing is written and only the
 * refused items are returned. A whole-batch refusal (empty, more than 100 items) throws.
 */

/** `/naming/v2/routings` and the deprecated `/naming/v1/routings` (stored as v2 rules). */
export interface RouteRuleOps {
  createRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]>;
  /** A rule is replaced as a whole; the answer has no value (polaris). */
  updateRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]>;
  deleteRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]>;
  enableRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]>;
  listRouteRules(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireRouteRule>>;
  createRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]>;
  updateRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]>;
  deleteRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]>;
  /** v1.18.1 lists nothing here: v1 rules live on as v2 rules. Only the query keys are checked. */
  listRoutingsV1(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireRouting>>;
}

/** `/naming/v1/ratelimits`. */
export interface RateLimitOps {
  createRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]>;
  updateRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]>;
  deleteRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]>;
  /** Sets `disable` of each rule by id. */
  enableRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]>;
  listRateLimits(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireRateLimit>>;
}

/** `/naming/v1/circuitbreaker/rules`. Values of successful items are `{id}` except on create. */
export interface CircuitBreakerOps {
  createCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]>;
  /** Does not change `enable` (that is enableCircuitBreakerRules' job, as in v1.18.1). */
  updateCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]>;
  deleteCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]>;
  enableCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]>;
  listCircuitBreakerRules(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireCircuitBreakerRule>>;
}

/** `/naming/v1/faultdetectors`. */
export interface FaultDetectOps {
  createFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]>;
  updateFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]>;
  deleteFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]>;
  listFaultDetectRules(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireFaultDetectRule>>;
}

/** `/naming/v1/lane/groups`. */
export interface LaneOps {
  createLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]>;
  updateLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]>;
  deleteLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]>;
  listLaneGroups(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireLaneGroup>>;
}

/** `/naming/v1/service/contract*` and PolarisServiceContractGRPC. */
export interface ServiceContractOps {
  createServiceContracts(ctx: RequestContext, reqs: WireServiceContract[]): Promise<ItemResult<WireServiceContract>[]>;
  deleteServiceContracts(ctx: RequestContext, reqs: WireServiceContract[]): Promise<ItemResult<WireServiceContract>[]>;
  listServiceContracts(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireServiceContract>>;
  /** Contracts of one service (every version), without interfaces' content when `brief`. */
  listServiceContractVersions(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireServiceContract>>;
  /** Replaces the contract's interfaces of the given source with the request's. */
  createContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>>;
  appendContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>>;
  deleteContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>>;
  /** gRPC ReportServiceContract: a whole v1.Response. */
  reportServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse>;
  /** gRPC GetServiceContract: a whole v1.Response. */
  getServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse>;
}

export interface RulesService extends RouteRuleOps, RateLimitOps, CircuitBreakerOps, FaultDetectOps, LaneOps, ServiceContractOps {}

/** The Discover types the rules module answers. */
export type RuleDiscoverType = 'ROUTING' | 'RATE_LIMIT' | 'CIRCUIT_BREAKER' | 'FAULT_DETECTOR' | 'LANE';

/**
 * The Discover read side for the naming module. `request` is the request's Service after the
 * common checks (name and namespace present); `source` is the service rules are looked up for
 * (the alias target, or the requested names when no such service exists).
 */
export interface RuleDiscovery {
  discover(
    type: RuleDiscoverType,
    request: WireService & { name: string; namespace: string },
    source: { name: string; namespace: string },
  ): WireDiscoverResponse;
}

/** Change notifications of the governance rules, for adapters that push (xDS). */
export interface RulesWatch {
  /** Called with the rule kinds that changed, after the read side (Discover) sees the change. */
  onRulesChange(listener: (kinds: ReadonlySet<string>) => void): () => void;
}
