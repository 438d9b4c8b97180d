import type { Route as WireRoute, Routing as WireRouting } from '../../common/api/gen/wire.js';
import type { RuleEntry, RuleIndexer, RulesReader } from '../../cache/rules-cache.js';
import type { RuleServiceKey } from '../../store/rules-api.js';
import { compositeRevision } from './common.js';
import { buildRoutes, routeKeys, ruleRoutingOf, type RouteBody } from './convert.js';

/** Route rules are indexed under `out` by caller and `in` by callee (enabled or not). */
export const routeIndexer: RuleIndexer = (e) => {
  const body = e.body as RouteBody;
  if (body.routing_policy !== 'RulePolicy') return [];
  const keys = routeKeys(ruleRoutingOf(body));
  const out: Array<{ index: string; key: RuleServiceKey }> = [];
  if (keys.caller) out.push({ index: 'out', key: keys.caller });
  if (keys.callee) out.push({ index: 'in', key: keys.callee });
  return out;
};

/** polaris `CompareRoutingV2`: priority ascending, then the older rule first. */
function byPriority(a: RuleEntry, b: RuleEntry): number {
  return a.row.priority - b.row.priority || a.row.ctime - b.row.ctime || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
}

/**
 * Enabled rules of one direction that apply to a service, in polaris's order: the service's own
 * rules, then its namespace's wildcard rules (`ns/*`), then the global wildcard (`*` / `*`), each
 * group by priority. A rule is listed once.
 */
export function applicableRouteRules(cache: RulesReader, direction: 'in' | 'out', svc: RuleServiceKey): RuleEntry<RouteBody>[] {
  const keys: RuleServiceKey[] = [svc, { namespace: svc.namespace, service: '*' }, { namespace: '*', service: '*' }];
  const seen = new Set<string>();
  const out: RuleEntry<RouteBody>[] = [];
  for (const key of keys) {
    const group = cache.bound<RouteBody>('route', direction, key).filter((e) => e.row.enable);
    group.sort(byPriority);
    for (const e of group) {
      if (seen.has(e.row.id)) continue;
      seen.add(e.row.id);
      out.push(e);
    }
  }
  return out;
}

/**
 * The v1 `Routing` an SDK discovers for a service, derived from the v2 rules: `inbounds` from the
 * rules it is the callee of, `outbounds` from those it is the caller of (wildcard-bound rules
 * included). The revision is the composite of the applicable rules' revisions (SHA-1 of empty
 * input when none apply), so it changes exactly when an applicable rule changes.
 */
export function routingFor(cache: RulesReader, svc: RuleServiceKey): WireRouting {
  const inbound = applicableRouteRules(cache, 'in', svc);
  const outbound = applicableRouteRules(cache, 'out', svc);
  const inbounds: WireRoute[] = [];
  const outbounds: WireRoute[] = [];
  for (const e of inbound) inbounds.push(...buildRoutes(e, routeKeys(ruleRoutingOf(e.body)), 'in'));
  for (const e of outbound) outbounds.push(...buildRoutes(e, routeKeys(ruleRoutingOf(e.body)), 'out'));
  const revision = compositeRevision([...inbound, ...outbound].map((e) => e.row.revision));
  return { service: svc.service, namespace: svc.namespace, inbounds, outbounds, revision };
}
