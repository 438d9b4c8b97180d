import type {
  Instance as WireInstance,
  MatchString as WireMatchString,
  Route as WireRoute,
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

export interface ServiceInfo {
  namespace: string;
  name: string;
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
