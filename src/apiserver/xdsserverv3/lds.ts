import type { XdsNode } from './node.js';
import { demandRoute, GATEWAY_ROUTE, inboundListener, inboundRoute, OUTBOUND_LISTENER, OUTBOUND_ROUTE, PASSTHROUGH_CLUSTER } from './names.js';
import { ON_DEMAND_FILTER } from './rds.js';
import { TYPE_PREFIX } from './protos.js';

/** Listeners (LDS), polaris lds.go shapes, plus the proxyless gRPC API listener. */

const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' };
const HCM = `${TYPE_PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.filters.http.router.v3.Router` } };

/** Off unless a route's typed_per_filter_config enables it (inbound rate limits). */
const LOCAL_RATE_LIMIT_FILTER = {
  name: 'envoy.filters.http.local_ratelimit',
  typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`, stat_prefix: 'http_local_rate_limiter' },
};

function hcm(statPrefix: string, routeName: string, extra: Record<string, unknown> = {}, filters: object[] = [ROUTER]): object {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': HCM,
      codec_type: 'AUTO',
      stat_prefix: statPrefix,
      rds: { config_source: ADS_SOURCE, route_config_name: routeName },
      http_filters: filters,
      ...extra,
    },
  };
}

const ACCESS_LOG = [
  {
    name: 'envoy.access_loggers.file',
    typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.access_loggers.file.v3.FileAccessLog`, path: '/dev/stdout' },
  },
];

const PASSTHROUGH_CHAIN = {
  name: 'PassthroughFilterChain',
  filters: [
    {
      name: 'envoy.filters.network.tcp_proxy',
      typed_config: {
        '@type': `${TYPE_PREFIX}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
        stat_prefix: PASSTHROUGH_CLUSTER,
        cluster: PASSTHROUGH_CLUSTER,
      },
    },
  ],
};

const ORIGINAL_DST = {
  name: 'envoy.filters.listener.original_dst',
  typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` },
};

function listener(name: string, port: number, direction: 'OUTBOUND' | 'INBOUND', chain: object): object {
  return {
    name,
    address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: port } },
    traffic_direction: direction,
    listener_filters: [ORIGINAL_DST],
    filter_chains: [chain],
    default_filter_chain: PASSTHROUGH_CHAIN,
  };
}

/**
 * The listeners of one Envoy node: OUTBOUND_15001 (HCM over `polaris-outbound-router`, or the
 * gateway route config for a gateway) and, for a sidecar that names its own service, the
 * `<svc>.<ns>_INBOUND_15006` listener over its inbound route. Other run types get none (polaris).
 */
export function nodeListeners(node: XdsNode): object[] {
  if (node.gateway) {
    return [listener(OUTBOUND_LISTENER, 15001, 'OUTBOUND', { filters: [hcm('INBOUND_HTTP', GATEWAY_ROUTE, {}, [LOCAL_RATE_LIMIT_FILTER, ROUTER])] })];
  }
  if (node.runType !== 'sidecar') return [];
  // On demand (polaris): clusters are fetched when a route first needs them.
  const outbound = node.openOnDemand
    ? hcm('OUTBOUND_HTTP', demandRoute(node.selfNamespace), { access_log: ACCESS_LOG }, [ON_DEMAND_FILTER, ROUTER])
    : hcm('OUTBOUND_HTTP', OUTBOUND_ROUTE, { access_log: ACCESS_LOG, http_protocol_options: { accept_http_10: true } });
  const out = [listener(OUTBOUND_LISTENER, 15001, 'OUTBOUND', { filters: [outbound] })];
  if (node.selfService && node.selfNamespace) {
    const route = inboundRoute(node.selfNamespace, node.selfService);
    out.push(listener(inboundListener(node.selfNamespace, node.selfService), 15006, 'INBOUND', { filters: [hcm('INBOUND_HTTP', route, {}, [LOCAL_RATE_LIMIT_FILTER, ROUTER])] }));
  }
  return out;
}

/** What `xds:///svc.ns` resolves: an API listener whose HCM takes route config `name` over ADS. */
export function proxylessListener(name: string): object {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: name,
        rds: { config_source: ADS_SOURCE, route_config_name: name },
        http_filters: [ROUTER],
      },
    },
  };
}
