import type {
  CircuitBreakerRule as WireCircuitBreakerRule,
  FaultDetectRule as WireFaultDetectRule,
  Instance as WireInstance,
  MatchString as WireMatchString,
  Route as WireRoute,
  Rule as WireRateLimit,
} from '../../common/api/gen/wire.js';

/**
 * Polaris wire objects (what the naming front door's Discover answers) → the adapter's own model
 * of a service, from which the resource builders (cds/eds/rds/lds) work.
 */

export interface XdsEndpoint {
  host: string;
  port: number;
  weight: number;
  healthy: boolean;
  region: string;
  zone: string;
  campus: string;
  metadata: Record<string, string>;
}

/** One argument condition of a route: where to look and how to compare. */
export interface XdsMatch {
  kind: 'path' | 'header' | 'query';
  /** Header or query parameter name (':method' for METHOD); '' for path. */
  name: string;
  type: 'EXACT' | 'REGEX' | 'NOT_EQUALS' | 'IN' | 'NOT_IN';
  value: string;
}

export interface XdsDestination {
  /** Instance labels the destination selects (exact values only); empty = every instance. */
  labels: Record<string, string>;
  weight: number;
}

export interface XdsRoute {
  matches: XdsMatch[];
  /** No condition (or a `*` key): polaris places such routes last. */
  matchAll: boolean;
  destinations: XdsDestination[];
}

/** A local rate limit on the service's inbound route: requests matching `matches`, a token bucket. */
export interface XdsRateLimit {
  matches: XdsMatch[];
  maxTokens: number;
  fillSeconds: number;
}

/** Outlier detection of the service's cluster (from its first INSTANCE-level circuit breaker). */
export interface XdsOutlier {
  intervalSeconds?: number;
  consecutive5xx?: number;
  failurePercent?: number;
  requestVolume?: number;
  ejectionSeconds?: number;
}

/** A route of a gateway (the service as a caller): a path condition, destinations by service. */
export interface XdsGatewayRoute {
  matches: XdsMatch[];
  destinations: Array<XdsDestination & { service: string }>;
}

/** An active health check of the service's cluster (from a fault-detect rule). */
export interface XdsHealthCheck {
  intervalSeconds: number;
  timeoutSeconds: number;
  http?: { path: string; method: string; headers: Array<[string, string]> };
  /** Payloads hex-encoded, as Envoy's Payload.text wants them. */
  tcp?: { send: string; receive: string[] };
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  healthChecks?: XdsHealthCheck[];
  /** Routes when this service is an Envoy gateway (its outbound rules with a path condition). */
  gatewayRoutes?: XdsGatewayRoute[];
  rateLimits: XdsRateLimit[];
  outlier?: XdsOutlier;
  /** Endpoints Envoy may use: isolated and weight-0 instances excluded, unhealthy ones kept. */
  endpoints: XdsEndpoint[];
  /** Distinct ports among every instance, ascending. */
  ports: number[];
  routes: XdsRoute[];
  /** Revisions the resources were built from; equal revisions = nothing to rebuild. */
  revision: string;
}

/** polaris: isolated and weight-0 instances are never endpoints; unhealthy ones are, marked so. */
export function toEndpoints(instances: readonly WireInstance[]): { endpoints: XdsEndpoint[]; ports: number[] } {
  const endpoints: XdsEndpoint[] = [];
  const ports = new Set<number>();
  for (const inst of instances) {
    const port = inst.port ?? 0;
    if (port > 0) ports.add(port);
    const weight = inst.weight ?? 100;
    if (inst.isolate || weight <= 0 || !inst.host || port <= 0) continue;
    endpoints.push({
      host: inst.host,
      port,
      weight,
      healthy: inst.healthy !== false,
      region: inst.location?.region ?? '',
      zone: inst.location?.zone ?? '',
      campus: inst.location?.campus ?? '',
      metadata: { ...((inst as { metadata?: Record<string, string> | null }).metadata ?? {}) },
    });
  }
  endpoints.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
  return { endpoints, ports: [...ports].sort((a, b) => a - b) };
}

const SUPPORTED: ReadonlySet<string> = new Set(['EXACT', 'REGEX', 'NOT_EQUALS', 'IN', 'NOT_IN']);

/** A v1 label key (`$path`, `$header.x`, `$query.x`, `$method`) as a request condition; custom keys → undefined. */
function labelToMatch(key: string, m: WireMatchString): XdsMatch | 'skip' | undefined {
  const type = m.type ?? 'EXACT';
  if (!SUPPORTED.has(type)) return 'skip';
  const value = m.value ?? '';
  const t = type as XdsMatch['type'];
  if (key === '$path') return { kind: 'path', name: '', type: t, value };
  if (key === '$method') return { kind: 'header', name: ':method', type: t, value };
  if (key.startsWith('$header.')) return { kind: 'header', name: key.slice('$header.'.length).toLowerCase(), type: t, value };
  if (key.startsWith('$query.')) {
    // Envoy's query parameter matcher has no invert.
    if (t === 'NOT_EQUALS' || t === 'NOT_IN') return 'skip';
    return { kind: 'query', name: key.slice('$query.'.length), type: t, value };
  }
  return undefined;
}

/**
 * The routes of a service's inbound rules (the v1 shape of routing v2 RulePolicy rules, as
 * Discover ROUTING gives them), in rule order. Conditions Envoy cannot express (RANGE, custom
 * labels, caller IP, cookies) make the route unusable for HTTP matching: such a route is dropped
 * rather than widened to match everything.
 */
export function toRoutes(inbounds: readonly WireRoute[]): XdsRoute[] {
  const out: XdsRoute[] = [];
  for (const r of inbounds) {
    for (const src of r.sources?.length ? r.sources : [{ metadata: {} }]) {
      const matches: XdsMatch[] = [];
      let matchAll = false;
      let usable = true;
      const labels = Object.entries(src.metadata ?? {});
      if (labels.length === 0) matchAll = true;
      for (const [key, m] of labels) {
        if (key === '*') {
          matchAll = true;
          continue;
        }
        const match = labelToMatch(key, m);
        if (match === 'skip' || match === undefined) {
          usable = false;
          break;
        }
        matches.push(match);
      }
      if (!usable) continue;
      const destinations: XdsDestination[] = [];
      for (const d of r.destinations ?? []) {
        const weight = d.weight ?? 0;
        if (weight <= 0 || d.isolate) continue;
        const labelsOf: Record<string, string> = {};
        for (const [k, v] of Object.entries(d.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (k === '*' || (v.type ?? 'EXACT') !== 'EXACT') continue;
          labelsOf[k] = v.value ?? '';
        }
        destinations.push({ labels: labelsOf, weight });
      }
      if (destinations.length === 0) continue;
      out.push({ matches: matchAll ? [] : matches, matchAll: matchAll || matches.length === 0, destinations });
    }
  }
  // Match-all routes go last (stable): Envoy takes the first route that matches.
  return [...out.filter((r) => !r.matchAll), ...out.filter((r) => r.matchAll)];
}

/** A label set as a stable subset suffix: `k1=v1,k2=v2` (sorted keys). */
export function subsetKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export function endpointMatches(e: XdsEndpoint, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(labels)) if (e.metadata[k] !== v) return false;
  return true;
}

/** Go duration text (`1s`, `500ms`, `1m`) in seconds; 0 when unreadable. */
function seconds(text: string | null | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec((text ?? '').trim());
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n;
}

/**
 * Enabled rate-limit rules as local limits: the rule's method is the path, HEADER / QUERY /
 * METHOD arguments become conditions, and the strictest amount is the bucket. Rules with
 * conditions Envoy cannot see on a request (caller service, caller IP, custom labels) are skipped.
 */
export function toRateLimits(rules: readonly WireRateLimit[]): XdsRateLimit[] {
  const out: XdsRateLimit[] = [];
  for (const r of rules) {
    if (r.disable) continue;
    const matches: XdsMatch[] = [];
    let usable = true;
    if (r.method?.value) {
      const m = labelToMatch('$path', r.method);
      if (m === 'skip' || m === undefined) usable = false;
      else matches.push(m);
    }
    for (const a of r.arguments ?? []) {
      const key = a.type === 'HEADER' ? `$header.${a.key ?? ''}` : a.type === 'QUERY' ? `$query.${a.key ?? ''}` : a.type === 'METHOD' ? '$method' : '';
      const m = key && a.value ? labelToMatch(key, a.value) : undefined;
      if (m === 'skip' || m === undefined) {
        usable = false;
        break;
      }
      matches.push(m);
    }
    let best: { max: number; secs: number } | undefined;
    for (const a of r.amounts ?? []) {
      const max = a.maxAmount ?? 0;
      const secs = seconds(a.validDuration);
      if (max <= 0 || secs <= 0) continue;
      if (!best || max / secs < best.max / best.secs) best = { max, secs };
    }
    if (usable && best) out.push({ matches, maxTokens: best.max, fillSeconds: best.secs });
  }
  return out;
}

/** polaris: the first enabled INSTANCE-level circuit breaker with a trigger condition. */
export function toOutlier(rules: readonly WireCircuitBreakerRule[]): XdsOutlier | undefined {
  const rule = rules.find((r) => r.enable && r.level === 'INSTANCE' && (r.trigger_condition ?? []).length > 0);
  if (!rule) return undefined;
  const o: XdsOutlier = {};
  for (const t of rule.trigger_condition ?? []) {
    if (t.interval) o.intervalSeconds ??= t.interval;
    if (t.trigger_type === 'CONSECUTIVE_ERROR' && t.error_count) o.consecutive5xx ??= t.error_count;
    if (t.trigger_type === 'ERROR_RATE' && t.error_percent) {
      o.failurePercent ??= Math.min(100, t.error_percent);
      if (t.minimum_request) o.requestVolume ??= t.minimum_request;
    }
  }
  const sleep = rule.recoverCondition?.sleep_window;
  if (sleep) o.ejectionSeconds = sleep;
  return o;
}

/**
 * A gateway's routes (polaris makeGatewayRouteConfiguration): its outbound rules whose source has
 * a path condition, towards concrete services of its own namespace. Routes without a path, or
 * whose destinations are all elsewhere, are left out.
 */
export function toGatewayRoutes(outbounds: readonly WireRoute[], namespace: string): XdsGatewayRoute[] {
  const out: XdsGatewayRoute[] = [];
  for (const r of outbounds) {
    const destinations: XdsGatewayRoute['destinations'] = [];
    for (const d of r.destinations ?? []) {
      if (d.namespace !== namespace || !d.service || d.service === '*' || (d.weight ?? 0) <= 0 || d.isolate) continue;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata ?? {})) if (k !== '*' && (v.type ?? 'EXACT') === 'EXACT') labels[k] = v.value ?? '';
      destinations.push({ service: d.service, labels, weight: d.weight ?? 0 });
    }
    if (destinations.length === 0) continue;
    for (const src of r.sources ?? []) {
      const matches: XdsMatch[] = [];
      let usable = true;
      for (const [key, m] of Object.entries(src.metadata ?? {})) {
        const match = labelToMatch(key, m);
        if (match === 'skip' || match === undefined) usable = false;
        else matches.push(match);
      }
      if (usable && matches.some((m) => m.kind === 'path')) out.push({ matches, destinations });
    }
  }
  return out;
}

const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** polaris: one health check per HTTP or TCP fault-detect rule (UDP has no Envoy counterpart). */
export function toHealthChecks(rules: readonly WireFaultDetectRule[]): XdsHealthCheck[] {
  const out: XdsHealthCheck[] = [];
  for (const r of rules) {
    const base = { intervalSeconds: r.interval && r.interval > 0 ? r.interval : 10, timeoutSeconds: r.timeout && r.timeout > 0 ? r.timeout : 1 };
    if (r.protocol === 'HTTP') {
      const method = (r.http_config?.method ?? 'GET').toUpperCase();
      const headers = (r.http_config?.headers ?? []).map((h) => [h.key ?? '', h.value ?? ''] as [string, string]).filter(([k]) => k !== '');
      out.push({ ...base, http: { path: r.http_config?.url || '/', method: HTTP_METHODS.has(method) ? method : 'GET', headers } });
    } else if (r.protocol === 'TCP') {
      const hex = (t: string) => Buffer.from(t, 'utf8').toString('hex');
      out.push({ ...base, tcp: { send: hex(r.tcp_config?.send ?? ''), receive: (r.tcp_config?.receive ?? []).map(hex) } });
    }
  }
  return out;
}
