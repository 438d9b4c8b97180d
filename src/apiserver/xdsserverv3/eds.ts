import type { XdsEndpoint } from './convert.js';

/**
 * ClusterLoadAssignment (EDS): one LocalityLbEndpoints per (region, zone, campus), endpoints with
 * weight and health, instance metadata under `envoy.lb` (polaris eds.go). Localities carry the sum
 * of their endpoints' weights: gRPC ignores localities without a weight (Envoy ignores the field
 * unless locality-weighted balancing is on).
 */
export function loadAssignment(clusterName: string, endpoints: readonly XdsEndpoint[]): object {
  const groups = new Map<string, { locality: object; lb_endpoints: object[]; weight: number }>();
  for (const e of endpoints) {
    const key = `${e.region}\u0000${e.zone}\u0000${e.campus}`;
    let g = groups.get(key);
    if (!g) {
      const locality: Record<string, string> = {};
      if (e.region) locality.region = e.region;
      if (e.zone) locality.zone = e.zone;
      if (e.campus) locality.sub_zone = e.campus;
      groups.set(key, (g = { locality, lb_endpoints: [], weight: 0 }));
    }
    g.weight += e.weight;
    g.lb_endpoints.push(lbEndpoint(e));
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    cluster_name: clusterName,
    endpoints: ordered.map(([, g]) => ({
      locality: g.locality,
      lb_endpoints: g.lb_endpoints,
      load_balancing_weight: { value: Math.min(g.weight, 4294967295) },
    })),
  };
}

function lbEndpoint(e: XdsEndpoint): object {
  const lb: Record<string, { stringValue: string }> = {};
  for (const k of Object.keys(e.metadata).sort()) lb[k] = { stringValue: e.metadata[k] };
  const filter: Record<string, object> = { 'envoy.lb': { fields: lb } };
  const tls = e.metadata['polarismesh.cn/tls-mode'];
  if (tls === 'strict' || tls === 'permissive') {
    filter['envoy.transport_socket_match'] = { fields: { acceptMTLS: { stringValue: 'true' } } };
  }
  return {
    endpoint: {
      address: { socket_address: { protocol: 'TCP', address: e.host, port_value: e.port } },
      health_check_config: { disable_active_health_check: true },
    },
    health_status: e.healthy ? 'HEALTHY' : 'UNHEALTHY',
    load_balancing_weight: { value: e.weight },
    metadata: { filter_metadata: filter },
  };
}
