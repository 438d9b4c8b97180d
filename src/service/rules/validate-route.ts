import type {
  RouteRule as WireRouteRule,
  Routing as WireRouting,
  RuleRoutingConfig as WireRuleRoutingConfig,
} from '../../common/api/gen/wire.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { checkResourceName, MAX_NAMESPACE_LEN, MAX_SERVICE_NAME_LEN } from '../../common/utils/validate.js';
import { checkMaxLen, checkServiceRef, MAX_COMMENT, MAX_RULE_NAME, unpackAny } from './common.js';
import { normaliseRuleRouting, RULE_ROUTING_TYPE_URL } from './convert.js';

/** A route rule that passed the checks, with its normalised RuleRoutingConfig. */
export interface CheckedRouteRule {
  req: WireRouteRule;
  cfg: WireRuleRoutingConfig;
}

/** polaris `checkRoutingNameAndNamespace` + priority + policy, then the routing config itself. */
export function checkRouteRule(req: WireRouteRule): CheckedRouteRule {
  checkMaxLen(req.name, MAX_RULE_NAME, Code.InvalidRoutingName, 'name');
  checkMaxLen(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  if ((req.priority ?? 0) > 10) throw new PolarisError(Code.InvalidRoutingPriority, 'priority must be within [0, 10]');
  if ((req.routing_policy ?? 'RulePolicy') !== 'RulePolicy') {
    throw new PolarisError(Code.InvalidRoutingPolicy, 'only RulePolicy rules can be written here');
  }
  checkMaxLen(req.description, MAX_COMMENT, Code.InvalidParameter, 'description');
  const any = req.routing_config;
  // polaris-server v1.18.1 dereferences the missing config and drops the connection.
  if (!any) throw new PolarisError(Code.InvalidParameter, 'routing_config is required');
  const url = any['@type'];
  if (url !== '' && url !== RULE_ROUTING_TYPE_URL) {
    throw new PolarisError(Code.InvalidParameter, `routing_config of a RulePolicy rule must be ${RULE_ROUTING_TYPE_URL}, not ${url}`);
  }
  const cfg = normaliseRuleRouting(unpackAny<WireRuleRoutingConfig>(any));
  // Sub-rules may lack sources or destinations (polaris's own docs example has no destination):
  // such a rule simply applies to no caller / callee.
  for (const sub of cfg.rules ?? []) {
    for (const s of sub.sources ?? []) checkServiceRef(s.service, s.namespace);
    for (const d of sub.destinations ?? []) checkServiceRef(d.service, d.namespace);
  }
  return { req, cfg };
}

export function checkRouteRuleUpdate(req: WireRouteRule): CheckedRouteRule {
  checkRouteRuleId(req);
  return checkRouteRule(req);
}

export function checkRouteRuleId(req: WireRouteRule): string {
  if (!req.id) throw new PolarisError(Code.InvalidRoutingID, 'id is empty');
  return req.id;
}

/** polaris `checkRoutingConfig` of the deprecated v1 routing API. */
export function checkV1Routing(req: WireRouting): { service: string; namespace: string } {
  const service = checkResourceName(req.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'service');
  const namespace = checkResourceName(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  checkMaxLen(req.service_token, 2048, Code.InvalidServiceToken, 'service_token');
  return { service, namespace };
}
