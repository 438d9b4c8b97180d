import type { NamingReader } from '../../cache/api.js';
import type { RulesReader } from '../../cache/rules-cache.js';
import type { Response as WireResponse } from '../../common/api/gen/wire.js';
import type { PolarisError } from '../../common/errors/polaris-error.js';
import type { ResourceType } from '../../common/model/auth.js';
import type { RulesService } from '../../service/rules/api.js';
import type { RuleKind } from '../../store/rules-api.js';
import type { AuthChecker, ResourceRef } from '../api.js';
import { guard, type OperationTable } from './guard.js';
import { serviceRef } from './naming-resources.js';

/**
 * Governance rules (polaris service/interceptor/auth): each rule is guarded as itself (its id, or
 * `*` of its type) and as the namespace it lives in; rules tied to one service (v1 routings, rate
 * limits, contracts) also as that service. A request that names a rule only by id (deletes,
 * enables) needs a grant on that rule or on its whole type.
 *
 * A request naming an existing rule by id is also judged where that rule lives now (its stored
 * namespace and services, from the rules cache), not only where the request claims it is: a grant
 * on namespace X must not let a caller edit or delete a rule of namespace Y by writing X in the
 * body. Moving a rule needs rights on both sides.
 */
export function rulesOperations(cache: NamingReader, rulesCache?: RulesReader): OperationTable<RulesService> {
  const stored = (type: ResourceType, id: string | null | undefined): ResourceRef | undefined => {
    const kind = KIND_OF[type];
    if (!rulesCache || !kind || !id) return undefined;
    const entry = rulesCache.get(kind, id);
    if (!entry) return undefined;
    const bound = entry.row.services[0];
    const serviceId = bound ? serviceRef(cache, bound.namespace, bound.service).serviceId : undefined;
    return { type, id, namespace: entry.row.namespace || undefined, serviceId };
  };
  const withStored = (type: ResourceType, id: string | null | undefined, claimed: ResourceRef): ResourceRef[] => {
    const now = stored(type, id);
    if (!now) return [claimed];
    const same = now.namespace === claimed.namespace && now.serviceId === claimed.serviceId;
    // A request that names only the id (delete, enable) is judged where the rule is.
    const claimsPlace = claimed.namespace !== undefined || claimed.serviceId !== undefined;
    return same || !claimsPlace ? [now] : [now, claimed];
  };
  const rule =
    (type: ResourceType) =>
    (reqs: readonly { id?: string | null; namespace?: string | null }[]): ResourceRef[] =>
      reqs.flatMap((r) => withStored(type, r.id, { type, id: r.id ?? '', namespace: r.namespace ?? undefined }));
  const ofService =
    (type: ResourceType) =>
    (reqs: readonly { id?: string | null; namespace?: string | null; service?: string | null }[]): ResourceRef[] =>
      reqs.flatMap((r) => {
        const svc = serviceRef(cache, r.namespace, r.service);
        return withStored(type, r.id, { type, id: r.id ?? '', namespace: r.namespace ?? undefined, serviceId: svc.serviceId });
      });
  const contract = (reqs: readonly { namespace?: string | null; service?: string | null }[]): ResourceRef[] =>
    reqs.map((r) => serviceRef(cache, r.namespace, r.service));
  const refused = (err: PolarisError): WireResponse => ({ code: err.code, info: err.info });
  const c = 'console' as const;
  const route = rule('route_rules');
  const routeV1 = ofService('route_rules');
  const limit = ofService('ratelimit_rules');
  const breaker = rule('circuitbreaker_rules');
  const detect = rule('faultdetect_rules');
  const lane = rule('lane_rules');
  return {
    createRouteRules: { plane: c, access: 'write', fn: 'CreateRouteRules', resources: route },
    updateRouteRules: { plane: c, access: 'write', fn: 'UpdateRouteRules', resources: route },
    deleteRouteRules: { plane: c, access: 'write', fn: 'DeleteRouteRules', resources: route },
    enableRouteRules: { plane: c, access: 'write', fn: 'EnableRouteRules', resources: route },
    listRouteRules: { plane: c, access: 'read', fn: 'DescribeRouteRules' },
    createRoutingsV1: { plane: c, access: 'write', fn: 'CreateRoutingConfigs', resources: (reqs) => routeV1(reqs.map(v1)) },
    updateRoutingsV1: { plane: c, access: 'write', fn: 'UpdateRoutingConfigs', resources: (reqs) => routeV1(reqs.map(v1)) },
    deleteRoutingsV1: { plane: c, access: 'write', fn: 'DeleteRoutingConfigs', resources: (reqs) => routeV1(reqs.map(v1)) },
    listRoutingsV1: { plane: c, access: 'read', fn: 'DescribeRoutingConfigs' },

    createRateLimits: { plane: c, access: 'write', fn: 'CreateRateLimits', resources: limit },
    updateRateLimits: { plane: c, access: 'write', fn: 'UpdateRateLimits', resources: limit },
    deleteRateLimits: { plane: c, access: 'write', fn: 'DeleteRateLimits', resources: limit },
    enableRateLimits: { plane: c, access: 'write', fn: 'EnableRateLimits', resources: limit },
    listRateLimits: { plane: c, access: 'read', fn: 'DescribeRateLimits' },

    createCircuitBreakerRules: { plane: c, access: 'write', fn: 'CreateCircuitBreakerRules', resources: breaker },
    updateCircuitBreakerRules: { plane: c, access: 'write', fn: 'UpdateCircuitBreakerRules', resources: breaker },
    deleteCircuitBreakerRules: { plane: c, access: 'write', fn: 'DeleteCircuitBreakerRules', resources: breaker },
    enableCircuitBreakerRules: { plane: c, access: 'write', fn: 'EnableCircuitBreakerRules', resources: breaker },
    listCircuitBreakerRules: { plane: c, access: 'read', fn: 'DescribeCircuitBreakerRules' },

    createFaultDetectRules: { plane: c, access: 'write', fn: 'CreateFaultDetectRules', resources: detect },
    updateFaultDetectRules: { plane: c, access: 'write', fn: 'UpdateFaultDetectRules', resources: detect },
    deleteFaultDetectRules: { plane: c, access: 'write', fn: 'DeleteFaultDetectRules', resources: detect },
    listFaultDetectRules: { plane: c, access: 'read', fn: 'DescribeFaultDetectRules' },

    createLaneGroups: { plane: c, access: 'write', fn: 'CreateLaneGroups', resources: lane },
    updateLaneGroups: { plane: c, access: 'write', fn: 'UpdateLaneGroups', resources: lane },
    deleteLaneGroups: { plane: c, access: 'write', fn: 'DeleteLaneGroups', resources: lane },
    listLaneGroups: { plane: c, access: 'read', fn: 'DescribeLaneGroups' },

    createServiceContracts: { plane: c, access: 'write', fn: 'CreateServiceContracts', resources: contract },
    deleteServiceContracts: { plane: c, access: 'write', fn: 'DeleteServiceContracts', resources: contract },
    listServiceContracts: { plane: c, access: 'read', fn: 'DescribeServiceContracts' },
    listServiceContractVersions: { plane: c, access: 'read', fn: 'DescribeServiceContractVersions' },
    createContractInterfaces: { plane: c, access: 'write', fn: 'CreateServiceContractInterfaces', resources: (r) => contract([r]) },
    appendContractInterfaces: { plane: c, access: 'write', fn: 'AppendServiceContractInterfaces', resources: (r) => contract([r]) },
    deleteContractInterfaces: { plane: c, access: 'write', fn: 'DeleteServiceContractInterfaces', resources: (r) => contract([r]) },
    reportServiceContract: {
      plane: 'client',
      access: 'write',
      fn: 'ReportServiceContract',
      resources: (r) => contract([r]),
      refuse: refused,
    },
    getServiceContract: { plane: 'client', access: 'read', fn: 'GetServiceContract', refuse: refused },
  };
}

const KIND_OF: Partial<Record<ResourceType, RuleKind>> = {
  route_rules: 'route',
  ratelimit_rules: 'ratelimit',
  circuitbreaker_rules: 'circuitbreaker',
  faultdetect_rules: 'faultdetect',
  lane_rules: 'lane',
};

/** A v1 routing names its service; it has no id of its own. */
function v1(r: { service?: string | null; namespace?: string | null }): { service?: string | null; namespace?: string | null } {
  return { service: r.service, namespace: r.namespace };
}

export function guardRules(inner: RulesService, cache: NamingReader, checker: AuthChecker, rulesCache?: RulesReader): RulesService {
  return guard(inner, rulesOperations(cache, rulesCache), checker);
}
