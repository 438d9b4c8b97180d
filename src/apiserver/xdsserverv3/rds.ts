import type { XdsDestination, XdsGatewayRoute, XdsMatch, XdsRateLimit, XdsRoute } from './convert.js';
import { subsetKey } from './convert.js';
import { GATEWAY_ROUTE, outboundCluster, PASSTHROUGH_CLUSTER, subsetCluster } from './names.js';
import { TYPE_PREFIX } from './protos.js';

/** Route configurations and virtual hosts (RDS), polaris rds.go shapes. */

export interface ServiceRef {
  namespace: string;
  name: string;
  ports: readonly number[];
  routes: readonly XdsRoute[];
}

/** svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster, svc.ns.svc.cluster.local, each also with :port. */
export function serviceDomains(s: ServiceRef): string[] {
  const base = [s.name, `${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}.svc.cluster`, `${s.name}.${s.namespace}.svc.cluster.local`];
  const out = [...base];
  for (const port of s.ports) for (const d of base) out.push(`${d}:${port}`);
  return out;
}

function escapeRegex(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stringMatch(m: XdsMatch): { match: object; invert: boolean } {
  switch (m.type) {
    case 'EXACT':
      return { match: { exact: m.value }, invert: false };
    case 'NOT_EQUALS':
      return { match: { exact: m.value }, invert: true };
    case 'REGEX':
      return { match: { safe_regex: { regex: m.value } }, invert: false };
    case 'IN':
    case 'NOT_IN': {
      const alts = m.value.split(',').map((v) => escapeRegex(v.trim()));
      return { match: { safe_regex: { regex: `^(${alts.join('|')})$` } }, invert: m.type === 'NOT_IN' };
    }
  }
}

function headerMatcher(name: string, match: object, invert: boolean): object {
  return invert ? { name, string_match: match, invert_match: true } : { name, string_match: match };
}

/** A RouteMatch of the conditions (prefix `/` when no path condition). */
export function routeMatch(matches: readonly XdsMatch[]): object {
  const match: Record<string, unknown> = {};
  const headers: object[] = [];
  const query: object[] = [];
  for (const m of matches) {
    const { match: sm, invert } = stringMatch(m);
    if (m.kind === 'path') {
      if (m.type === 'EXACT') match.path = m.value;
      else if (m.type === 'REGEX') match.safe_regex = { regex: m.value };
      else headers.push(headerMatcher(':path', sm, invert));
    } else if (m.kind === 'header') {
      headers.push(headerMatcher(m.name, sm, invert));
    } else {
      // Query matchers cannot be inverted; convert.ts drops routes that would need it.
      query.push({ name: m.name, string_match: sm });
    }
  }
  if (match.path === undefined && match.safe_regex === undefined) match.prefix = '/';
  if (headers.length > 0) match.headers = headers;
  if (query.length > 0) match.query_parameters = query;
  return match;
}

/**
 * Envoy sidecars: every destination is the service's own cluster, label subsets through
 * `metadata_match` (lb_subset_config on the cluster). Proxyless gRPC has no subset balancing, so
 * labelled destinations name a subset cluster of their own instead.
 */
function weightedAction(ns: string, svc: string, dests: ReadonlyArray<XdsDestination & { service?: string }>, proxyless: boolean): object {
  const clusters = dests.map((d) => {
    const labelled = Object.keys(d.labels).length > 0;
    const target = d.service ?? svc;
    const name = proxyless && labelled ? subsetCluster(ns, target, subsetKey(d.labels)) : outboundCluster(ns, target);
    const wc: Record<string, unknown> = { name, weight: { value: d.weight } };
    if (!proxyless && labelled) {
      const fields: Record<string, object> = {};
      for (const k of Object.keys(d.labels).sort()) fields[k] = { stringValue: d.labels[k] };
      wc.metadata_match = { filter_metadata: { 'envoy.lb': { fields } } };
    }
    return wc;
  });
  return { weighted_clusters: { clusters } };
}

/** The routes of one service: its rules' routes, then a default `/` route unless a match-all exists. */
export function serviceRoutes(s: ServiceRef, proxyless: boolean): object[] {
  const out: object[] = s.routes.map((r) => ({ match: routeMatch(r.matches), route: weightedAction(s.namespace, s.name, r.destinations, proxyless) }));
  if (!s.routes.some((r) => r.matchAll)) out.push({ match: { prefix: '/' }, route: { cluster: outboundCluster(s.namespace, s.name) } });
  return out;
}

export function outboundVirtualHost(s: ServiceRef): object {
  return { name: outboundCluster(s.namespace, s.name), domains: serviceDomains(s), routes: serviceRoutes(s, false) };
}

const ALLOW_ANY = { name: 'allow_any', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: PASSTHROUGH_CLUSTER } }] };

/** `polaris-outbound-router`: a virtual host per service of the namespace, then allow_any. */
export function outboundRouteConfig(name: string, vhosts: readonly object[]): object {
  return { name, validate_clusters: { value: false }, virtual_hosts: [...vhosts, ALLOW_ANY] };
}

const LOCAL_RATE_LIMIT = `${TYPE_PREFIX}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`;

function percent100(runtimeKey: string): object {
  return { default_value: { numerator: 100, denominator: 'HUNDRED' }, runtime_key: runtimeKey };
}

function localRateLimit(prefix: string, rl: XdsRateLimit): object {
  return {
    '@type': LOCAL_RATE_LIMIT,
    stat_prefix: prefix,
    token_bucket: { max_tokens: rl.maxTokens, tokens_per_fill: { value: rl.maxTokens }, fill_interval: duration(rl.fillSeconds) },
    filter_enabled: percent100(`${prefix}_local_rate_limit_enabled`),
    filter_enforced: percent100(`${prefix}_local_rate_limit_enforced`),
    response_headers_to_add: [{ header: { key: 'x-local-rate-limit', value: 'true' } }],
  };
}

function duration(secs: number): object {
  const whole = Math.floor(secs);
  const nanos = Math.round((secs - whole) * 1e9);
  return nanos ? { seconds: whole, nanos } : { seconds: whole };
}

/**
 * `polaris-inbound-cluster|svc.ns`: everything to the INBOUND cluster; each local rate limit is a
 * route of its own (its conditions, its token bucket) ahead of the catch-all, a rule without
 * conditions limits the catch-all. polaris puts only the last rule's descriptors on one route.
 */
export function inboundRouteConfig(name: string, cluster: string, statPrefix: string, limits: readonly XdsRateLimit[]): object {
  const routes: object[] = [];
  let catchAll: object | undefined;
  for (const rl of limits) {
    const perFilter = { 'envoy.filters.http.local_ratelimit': localRateLimit(statPrefix, rl) };
    if (rl.matches.length === 0) catchAll ??= perFilter;
    else routes.push({ match: routeMatch(rl.matches), route: { cluster }, typed_per_filter_config: perFilter });
  }
  routes.push({ match: { prefix: '/' }, route: { cluster }, ...(catchAll ? { typed_per_filter_config: catchAll } : {}) });
  return { name, validate_clusters: { value: false }, virtual_hosts: [{ name: cluster, domains: ['*'], routes }] };
}

/** The route configuration of `xds:///svc.ns` (gRPC matches the authority against the domains). */
export function proxylessRouteConfig(name: string, s: ServiceRef): object {
  return {
    name,
    virtual_hosts: [{ name, domains: [name, ...serviceDomains({ ...s, ports: [] })], routes: serviceRoutes(s, true) }],
  };
}

/**
 * `polaris-outbound-router-gateway` of one gateway service: a route per path rule to the weighted
 * destination services (label subsets through metadata_match), then everything else to
 * PassthroughCluster. polaris references this route configuration but never builds it.
 */
export function gatewayRouteConfig(ns: string, routes: readonly XdsGatewayRoute[]): object {
  const out: object[] = routes.map((r) => ({ match: routeMatch(r.matches), route: weightedAction(ns, '', r.destinations, false) }));
  out.push({ match: { prefix: '/' }, route: { cluster: PASSTHROUGH_CLUSTER } });
  return { name: GATEWAY_ROUTE, validate_clusters: { value: false }, virtual_hosts: [{ name: 'gateway-virtualhost', domains: ['*'], routes: out }] };
}

const ON_DEMAND = `${TYPE_PREFIX}envoy.extensions.filters.http.on_demand.v3`;

/**
 * polaris's on-demand variant of the outbound route configuration: every route asks for its
 * cluster through on-demand CDS (delta xDS to the `polaris_xds_server` cluster) when Envoy lacks it.
 */
export function demandRouteConfig(name: string, vhosts: readonly object[]): object {
  const perRoute = {
    'envoy.filters.http.on_demand': {
      '@type': `${ON_DEMAND}.PerRouteConfig`,
      odcds: {
        source: {
          api_config_source: { api_type: 'DELTA_GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'polaris_xds_server' } }] },
          resource_api_version: 'V3',
        },
      },
    },
  };
  const withDemand = (vh: object) => {
    const v = vh as { routes?: object[] };
    return { ...v, routes: (v.routes ?? []).map((r) => ({ ...r, typed_per_filter_config: perRoute })) };
  };
  return { name, validate_clusters: { value: false }, virtual_hosts: [...vhosts.map(withDemand), ALLOW_ANY] };
}

/** The HTTP filter that runs on-demand discovery (before the router). */
export const ON_DEMAND_FILTER = { name: 'envoy.filters.http.on_demand', typed_config: { '@type': `${ON_DEMAND}.OnDemand` } };
