import { edsCluster } from './cds.js';
import { endpointMatches, subsetKey, type ServiceInfo, type XdsEndpoint } from './convert.js';
import { encodeLoadAssignment, LbEndpointCache } from './eds.js';
import { tlsCluster } from './mtls.js';
import { proxylessListener } from './lds.js';
import { GATEWAY_ROUTE, inboundCluster, inboundRoute, outboundCluster, proxylessName, subsetCluster } from './names.js';
import { TypeUrl } from './protos.js';
import { gatewayRouteConfig, inboundRouteConfig, outboundVirtualHost, proxylessRouteConfig } from './rds.js';
import { encodedResource, makeResource, type XdsResource } from './resource.js';

/** Everything one service contributes, built from its ServiceInfo alone. */
export interface BuiltService {
  info: ServiceInfo;
  /** In the wildcard view of the service's namespace: its OUTBOUND cluster and load assignment. */
  shared: XdsResource[];
  /** Served by name only: subset clusters, proxyless listener and route, INBOUND cluster and route. */
  named: XdsResource[];
  /** Its virtual host in the namespace's `polaris-outbound-router`. */
  vhost: object;
  /** `polaris-outbound-router-gateway` for gateway nodes that name this service as their own. */
  gateway: XdsResource;
  /** The OUTBOUND cluster as nodes in TLS mode see it (same name). */
  tls: { strict: XdsResource; permissive: XdsResource };
  /** The same resources by role, so the next build can take over those whose inputs did not change. */
  parts: {
    cluster: XdsResource;
    eds: XdsResource;
    /** By subset key (see subsetKey). */
    subsets: ReadonlyMap<string, { cluster: XdsResource; eds: XdsResource }>;
    listener: XdsResource;
    proxylessRoute: XdsResource;
    inCluster: XdsResource;
    inEds: XdsResource;
    inRoute: XdsResource;
    /** The encoded LbEndpoints of the load assignments above, for the next build to reuse. */
    lbEndpoints: LbEndpointCache;
  };
}

/** Label key sets of the destinations of the service's routes (lb_subset_config selectors). */
function subsetSelectors(info: ServiceInfo): { keys: string[][]; subsets: Map<string, Record<string, string>> } {
  const keys = new Map<string, string[]>();
  const subsets = new Map<string, Record<string, string>>();
  for (const r of info.routes) {
    for (const d of r.destinations) {
      const k = Object.keys(d.labels).sort();
      if (k.length === 0) continue;
      keys.set(k.join('\u0000'), k);
      subsets.set(subsetKey(d.labels), d.labels);
    }
  }
  return { keys: [...keys.values()], subsets };
}

function inboundEndpoints(ports: readonly number[]): XdsEndpoint[] {
  return ports.map((port) => ({ host: '127.0.0.1', port, weight: 100, healthy: true, region: '', zone: '', campus: '', metadata: {} }));
}

/** A load assignment resource, its endpoints encoded through `cache` (only new or changed ones are encoded). */
function edsResource(cluster: string, endpoints: readonly XdsEndpoint[], cache: LbEndpointCache): XdsResource {
  return encodedResource(cluster, { type_url: TypeUrl.Endpoint, value: encodeLoadAssignment(cluster, endpoints, cache) });
}

/**
 * Same builder input: the very object, or equal content. Discover reports rate limits, circuit
 * breakers and fault detectors afresh on every read (no revision to answer "unchanged" with), so
 * an endpoint change brings new but equal rule lists; compared by identity only, they would rebuild
 * the service's three clusters and its inbound route on every endpoint change. The inputs are plain
 * data built by convert.ts in a fixed key order, so equal JSON means equal resources.
 */
function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Builds (encodes and hashes) every resource of a service. With `prev`, the build of the same
 * service before, a resource whose inputs are unchanged is taken over as it is: the snapshot's
 * reads keep the parts Discover reported unchanged (routes) by reference, and rule lists read anew
 * are compared by content (`same`), so an endpoint change re-encodes only the load assignments, not
 * the clusters, listeners and routes (each of which costs a protobuf encode and two hashes, all
 * while the event loop waits). The load assignments themselves are assembled from the endpoints'
 * encodings of the build before (LbEndpointCache): only new or changed endpoints are encoded.
 */
export function buildService(info: ServiceInfo, prev?: BuiltService): BuiltService {
  const { namespace: ns, name } = info;
  const p = prev && prev.info.namespace === ns && prev.info.name === name ? prev : undefined;
  const old = p?.info;
  const sameRoutes = old !== undefined && same(old.routes, info.routes);
  const sameCluster = sameRoutes && same(old.outlier, info.outlier) && same(old.healthChecks, info.healthChecks);
  const sameEndpoints = old !== undefined && old.endpoints === info.endpoints;
  const samePorts = old !== undefined && sameNumbers(old.ports, info.ports);
  const out = outboundCluster(ns, name);
  const { keys, subsets } = subsetSelectors(info);
  let clusterRes: XdsResource;
  let tls: BuiltService['tls'];
  if (p && sameCluster) {
    clusterRes = p.parts.cluster;
    tls = p.tls;
  } else {
    const cluster = edsCluster(out, keys, info.outlier, info.healthChecks);
    clusterRes = makeResource(TypeUrl.Cluster, out, cluster);
    tls = {
      strict: makeResource(TypeUrl.Cluster, out, tlsCluster(cluster, 'strict', ns, name)),
      permissive: makeResource(TypeUrl.Cluster, out, tlsCluster(cluster, 'permissive', ns, name)),
    };
  }
  // One cache per service, handed from build to build.
  const lbCache = p?.parts.lbEndpoints ?? new LbEndpointCache();
  lbCache.begin();
  const eds = p && sameEndpoints ? p.parts.eds : edsResource(out, info.endpoints, lbCache);
  const shared = [clusterRes, eds];
  const named: XdsResource[] = [];
  const subsetParts = new Map<string, { cluster: XdsResource; eds: XdsResource }>();
  for (const [key, labels] of subsets) {
    const cname = subsetCluster(ns, name, key);
    const before = p?.parts.subsets.get(key);
    const part = {
      cluster: before && sameRoutes ? before.cluster : makeResource(TypeUrl.Cluster, cname, edsCluster(cname)),
      eds: before && sameEndpoints ? before.eds : edsResource(cname, info.endpoints.filter((e) => endpointMatches(e, labels)), lbCache),
    };
    subsetParts.set(key, part);
    named.push(part.cluster, part.eds);
  }
  const pname = proxylessName(ns, name);
  const listener = p ? p.parts.listener : makeResource(TypeUrl.Listener, pname, proxylessListener(pname));
  const proxylessRoute = p && sameRoutes ? p.parts.proxylessRoute : makeResource(TypeUrl.Route, pname, proxylessRouteConfig(pname, info));
  const inCluster = inboundCluster(ns, name);
  const inClusterRes = p ? p.parts.inCluster : makeResource(TypeUrl.Cluster, inCluster, edsCluster(inCluster));
  const inEds = p && samePorts ? p.parts.inEds : edsResource(inCluster, inboundEndpoints(info.ports), lbCache);
  const inRoute = inboundRoute(ns, name);
  const inRouteRes = p && same(old?.rateLimits, info.rateLimits) ? p.parts.inRoute : makeResource(TypeUrl.Route, inRoute, inboundRouteConfig(inRoute, inCluster, `INBOUND|SIDECAR|${ns}|${name}`, info.rateLimits));
  named.push(listener, proxylessRoute, inClusterRes, inEds, inRouteRes);
  const gateway = p && same(old?.gatewayRoutes, info.gatewayRoutes) ? p.gateway : makeResource(TypeUrl.Route, GATEWAY_ROUTE, gatewayRouteConfig(ns, info.gatewayRoutes ?? []));
  const vhost = p && sameRoutes && samePorts ? p.vhost : outboundVirtualHost(info);
  // A new load assignment of the whole service used every endpoint still there: forget the rest.
  if (eds !== p?.parts.eds) lbCache.sweep();
  return {
    info,
    shared,
    named,
    vhost,
    gateway,
    tls,
    parts: { cluster: clusterRes, eds, subsets: subsetParts, listener, proxylessRoute, inCluster: inClusterRes, inEds, inRoute: inRouteRes, lbEndpoints: lbCache },
  };
}
