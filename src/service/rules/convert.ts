import type {
  Destination as WireDestination,
  DestinationGroup as WireDestinationGroup,
  MatchString as WireMatchString,
  Route as WireRoute,
  RouteRule as WireRouteRule,
  RoutingPolicy,
  RuleRoutingConfig as WireRuleRoutingConfig,
  Source as WireSource,
  SourceMatch as WireSourceMatch,
  SourceService as WireSourceService,
  SubRuleRouting as WireSubRuleRouting,
  WireAny,
} from '../../common/api/gen/wire.js';
import type { RuleEntry } from '../../cache/rules-cache.js';
import type { RuleRow, RuleServiceKey } from '../../store/rules-api.js';
import { asAny, ruleTime, TYPE_URL_PREFIX, unpackAny } from './common.js';

/**
 * Conversions of route rules between the wire (v1.RouteRule, v1.Routing), the stored row and the
 * old v1 `Routing` shape SDKs discover. The other rule kinds keep their conversions next to their
 * operations (convert-*.ts).
 */

export const RULE_ROUTING_TYPE = 'v1.RuleRoutingConfig';
export const RULE_ROUTING_TYPE_URL = TYPE_URL_PREFIX + RULE_ROUTING_TYPE;

/** Keys of a discovered v1 Route's extendInfo. */
export const V2_RULE_ID_KEY = '__routing_v2_id__';
export const V2_RULE_PRIORITY_KEY = '__routing_v2_priority__';
/** Metadata keys of v2 rules written through the deprecated v1 routing API. */
export const V1_RULE_ID_KEY = '__routing_v1_id__';
export const V1_RULE_ROUTE_TYPE_KEY = '__routing_v1_route_type__';
export const V1_RULE_ROUTE_INDEX_KEY = '__routing_v1_route_index__';

/** What a route rule's row keeps in `body` (the rest lives in the row's columns). */
export interface RouteBody {
  routing_policy: RoutingPolicy;
  /** Any of v1.RuleRoutingConfig, normalised (sub-rules only, see normaliseRuleRouting). */
  routing_config: WireAny | null;
  description: string;
  extendInfo: Record<string, string>;
  metadata: Record<string, string>;
}

/** A route rule's caller and callee: the first source and destination of its first sub-rule. */
export interface RouteIndexKeys {
  /** Absent when the first sub-rule has no source: the rule then applies to no caller. */
  caller?: RuleServiceKey;
  /** Absent when the first sub-rule has no destination (polaris's docs example has none). */
  callee?: RuleServiceKey;
}

function copyMatch(m: WireMatchString | null | undefined): WireMatchString {
  return { type: m?.type ?? 'EXACT', value: m?.value ?? '', value_type: m?.value_type ?? 'TEXT' };
}

function copyMatchMap(m: Record<string, WireMatchString> | null | undefined): Record<string, WireMatchString> {
  const out: Record<string, WireMatchString> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = copyMatch(v);
  return out;
}

/**
 * polaris `parseSubRouteRule`: a config without sub-rules becomes one unnamed sub-rule of the
 * deprecated top-level sources/destinations; sub-rules lacking sources or destinations inherit
 * them; the deprecated fields are then dropped.
 */
export function normaliseRuleRouting(cfg: WireRuleRoutingConfig): WireRuleRoutingConfig {
  const topSources = cfg.sources ?? [];
  const topDestinations = cfg.destinations ?? [];
  const rules: WireSubRuleRouting[] =
    (cfg.rules ?? []).length === 0
      ? [{ name: '', sources: topSources, destinations: topDestinations }]
      : (cfg.rules ?? []).map((r) => ({
          name: r.name ?? '',
          sources: (r.sources ?? []).length > 0 ? r.sources : topSources,
          destinations: (r.destinations ?? []).length > 0 ? r.destinations : topDestinations,
        }));
  return { sources: [], destinations: [], rules };
}

/** The RuleRoutingConfig inside a stored route body ('' when the body has none). */
export function ruleRoutingOf(body: RouteBody): WireRuleRoutingConfig {
  if (!body.routing_config) return { rules: [] };
  return unpackAny<WireRuleRoutingConfig>(body.routing_config);
}

/** Caller = first source, callee = first destination of the first sub-rule (polaris's keys). */
export function routeKeys(cfg: WireRuleRoutingConfig): RouteIndexKeys {
  const first = cfg.rules?.[0];
  const src = first?.sources?.[0];
  const dst = first?.destinations?.[0];
  return {
    caller: src ? { namespace: src.namespace ?? '', service: src.service ?? '' } : undefined,
    callee: dst ? { namespace: dst.namespace ?? '', service: dst.service ?? '' } : undefined,
  };
}

/** Every service a route rule references (sources and destinations of every sub-rule). */
export function routeServices(cfg: WireRuleRoutingConfig): RuleServiceKey[] {
  const out: RuleServiceKey[] = [];
  for (const r of cfg.rules ?? []) {
    for (const s of r.sources ?? []) out.push({ namespace: s.namespace ?? '', service: s.service ?? '' });
    for (const d of r.destinations ?? []) out.push({ namespace: d.namespace ?? '', service: d.service ?? '' });
  }
  return out;
}

/** The stored row of a (validated, normalised) route rule. */
export function routeRuleToRow(
  rule: WireRouteRule,
  cfg: WireRuleRoutingConfig,
  cols: { id: string; revision: string; enable: boolean; etime: number },
): RuleRow {
  const body: RouteBody = {
    routing_policy: rule.routing_policy ?? 'RulePolicy',
    routing_config: asAny(RULE_ROUTING_TYPE, cfg),
    description: rule.description ?? '',
    extendInfo: { ...(rule.extendInfo ?? {}) },
    metadata: { ...(rule.metadata ?? {}) },
  };
  return {
    kind: 'route',
    id: cols.id,
    name: rule.name ?? '',
    namespace: rule.namespace ?? '',
    services: routeServices(cfg),
    enable: cols.enable,
    revision: cols.revision,
    priority: rule.priority ?? 0,
    body: JSON.stringify(body),
    etime: cols.etime,
    ctime: 0,
    mtime: 0,
  };
}

/** A stored route rule as the OpenAPI shows it. */
export function routeRuleToWire(e: RuleEntry<RouteBody>): WireRouteRule {
  const { row, body } = e;
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    enable: row.enable,
    routing_policy: body.routing_policy,
    routing_config: body.routing_config ?? asAny(RULE_ROUTING_TYPE, { rules: [] }),
    revision: row.revision,
    ctime: ruleTime(row.ctime),
    mtime: ruleTime(row.mtime),
    etime: ruleTime(row.etime),
    priority: row.priority,
    description: body.description,
    extendInfo: { ...body.extendInfo },
    metadata: { ...body.metadata },
    editable: true,
    deleteable: true,
  };
}

// ---- v2 rules as the old v1 Routing (what SDKs discover) ----

const ARGUMENT_KEYS: Partial<Record<NonNullable<WireSourceMatch['type']>, (key: string) => string>> = {
  CUSTOM: (key) => key,
  METHOD: () => '$method',
  HEADER: (key) => `$header.${key}`,
  QUERY: (key) => `$query.${key}`,
  CALLER_IP: () => '$caller_ip',
  COOKIE: (key) => `$cookie.${key}`,
  PATH: () => '$path',
};

/** v2 source arguments as v1 metadata labels; argument types without a label form are dropped. */
export function argumentsToLabels(args: readonly WireSourceMatch[] | null | undefined): Record<string, WireMatchString> {
  const out: Record<string, WireMatchString> = {};
  for (const a of args ?? []) {
    const keyOf = ARGUMENT_KEYS[a.type ?? 'CUSTOM'];
    if (!keyOf) continue;
    out[keyOf(a.key ?? '')] = copyMatch(a.value);
  }
  return out;
}

function v1Destination(rule: RuleEntry<RouteBody>, subName: string, d: WireDestinationGroup, svc: RuleServiceKey): WireDestination {
  return {
    service: svc.service,
    namespace: svc.namespace,
    metadata: copyMatchMap(d.labels),
    priority: d.priority ?? 0,
    weight: d.weight ?? 0,
    transfer: d.transfer ?? '',
    isolate: d.isolate ?? false,
    name: `${rule.row.name}.${subName}.${d.name ?? ''}`,
  };
}

/**
 * The v1 routes of one v2 rule for a direction: one Route per sub-rule. Inbound routes name the
 * callee in their destinations, outbound routes name the caller in their sources (as polaris).
 */
export function buildRoutes(rule: RuleEntry<RouteBody>, keys: RouteIndexKeys, direction: 'in' | 'out'): WireRoute[] {
  const own = direction === 'in' ? keys.callee : keys.caller;
  if (!own) return [];
  const cfg = ruleRoutingOf(rule.body);
  const routes: WireRoute[] = [];
  for (const sub of cfg.rules ?? []) {
    const subName = sub.name ?? '';
    const sources: WireSource[] = (sub.sources ?? []).map((s) => ({
      service: direction === 'out' ? own.service : s.service ?? '',
      namespace: direction === 'out' ? own.namespace : s.namespace ?? '',
      metadata: argumentsToLabels(s.arguments),
    }));
    const destinations = (sub.destinations ?? []).map((d) =>
      v1Destination(
        rule,
        subName,
        d,
        direction === 'in' ? own : { service: d.service ?? '', namespace: d.namespace ?? '' },
      ),
    );
    routes.push({
      sources,
      destinations,
      extendInfo: { [V2_RULE_ID_KEY]: rule.row.id, [V2_RULE_PRIORITY_KEY]: String(rule.row.priority) },
    });
  }
  return routes;
}

// ---- the deprecated v1 routing API, stored as v2 rules ----

function labelsToArguments(labels: Record<string, WireMatchString> | null | undefined): WireSourceMatch[] {
  return Object.entries(labels ?? {}).map(([key, v]) => ({ type: 'CUSTOM', key, value: copyMatch(v) }));
}

/**
 * One v1 route as the RuleRoutingConfig of a v2 rule. Missing service names default to the
 * routing's own service: its inbound destinations and outbound sources are that service.
 */
export function v1RouteToRuleRouting(route: WireRoute, own: RuleServiceKey, direction: 'in' | 'out'): WireRuleRoutingConfig {
  const sources: WireSourceService[] = (route.sources ?? []).map((s) => ({
    service: s.service || (direction === 'out' ? own.service : '*'),
    namespace: s.namespace || (direction === 'out' ? own.namespace : '*'),
    arguments: labelsToArguments(s.metadata),
  }));
  const destinations: WireDestinationGroup[] = (route.destinations ?? []).map((d) => ({
    service: d.service || (direction === 'in' ? own.service : '*'),
    namespace: d.namespace || (direction === 'in' ? own.namespace : '*'),
    labels: copyMatchMap(d.metadata),
    priority: d.priority ?? 0,
    weight: d.weight ?? 0,
    transfer: d.transfer ?? '',
    isolate: d.isolate ?? false,
    name: d.name ?? '',
  }));
  if (direction === 'out' && sources.length === 0) sources.push({ service: own.service, namespace: own.namespace, arguments: [] });
  if (direction === 'in' && destinations.length === 0) {
    destinations.push({ service: own.service, namespace: own.namespace, labels: {}, priority: 0, weight: 100, transfer: '', isolate: false, name: '' });
  }
  if (direction === 'in' && sources.length === 0) sources.push({ service: '*', namespace: '*', arguments: [] });
  return { sources: [], destinations: [], rules: [{ name: '', sources, destinations }] };
}
