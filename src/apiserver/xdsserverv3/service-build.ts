import { edsCluster } from './cds.js';
import { endpointMatches, subsetKey, type ServiceInfo, type XdsEndpoint } from './convert.js';
import { loadAssignment } from './eds.js';
import { tlsCluster } from './mtls.js';
import { proxylessListener } from './lds.js';
import { GATEWAY_ROUTE, inboundCluster, inboundRoute, outboundCluster, proxylessName, subsetCluster } from './names.js';
import { TypeUrl } from './protos.js';
import { gatewayRouteConfig, inboundRouteConfig, outboundVirtualHost, proxylessRouteConfig } from './rds.js';
import { makeResource, type XdsResource } from './resource.js';

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

export function buildService(info: ServiceInfo): BuiltService {
  const { namespace: ns, name } = info;
  const out = outboundCluster(ns, name);
  const { keys, subsets } = subsetSelectors(info);
  const cluster = edsCluster(out, keys, info.outlier, info.healthChecks);
  const tls = {
    strict: makeResource(TypeUrl.Cluster, out, tlsCluster(cluster, 'strict', ns, name)),
    permissive: makeResource(TypeUrl.Cluster, out, tlsCluster(cluster, 'permissive', ns, name)),
  };
  const shared = [makeResource(TypeUrl.Cluster, out, cluster), makeResource(TypeUrl.Endpoint, out, loadAssignment(out, info.endpoints))];
  const named: XdsResource[] = [];
  for (const [key, labels] of subsets) {
    const cname = subsetCluster(ns, name, key);
    named.push(makeResource(TypeUrl.Cluster, cname, edsCluster(cname)));
    named.push(makeResource(TypeUrl.Endpoint, cname, loadAssignment(cname, info.endpoints.filter((e) => endpointMatches(e, labels)))));
  }
  const pname = proxylessName(ns, name);
  named.push(makeResource(TypeUrl.Listener, pname, proxylessListener(pname)));
  named.push(makeResource(TypeUrl.Route, pname, proxylessRouteConfig(pname, info)));
  const inCluster = inboundCluster(ns, name);
  named.push(makeResource(TypeUrl.Cluster, inCluster, edsCluster(inCluster)));
  named.push(makeResource(TypeUrl.Endpoint, inCluster, loadAssignment(inCluster, inboundEndpoints(info.ports))));
  const inRoute = inboundRoute(ns, name);
  named.push(makeResource(TypeUrl.Route, inRoute, inboundRouteConfig(inRoute, inCluster, `INBOUND|SIDECAR|${ns}|${name}`, info.rateLimits)));
  const gateway = makeResource(TypeUrl.Route, GATEWAY_ROUTE, gatewayRouteConfig(ns, info.gatewayRoutes ?? []));
  return { info, shared, named, vhost: outboundVirtualHost(info), gateway, tls };
}
