import type { TlsMode } from './node.js';
import { TYPE_PREFIX } from './protos.js';

/**
 * The TLS variants polaris gives nodes with `polarismesh.cn/tls-mode` strict or permissive
 * (mtls.go): certificates over SDS (`default`, trust bundle `ROOTCA`) from the local `sds-grpc`
 * cluster, upstream TLS matched by instance metadata, and a TLS-only inbound chain.
 */

const TLS = `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3`;

const SDS_SOURCE = {
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    set_node_on_first_message_only: true,
    grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }],
  },
  initial_fetch_timeout: { seconds: 0 },
  resource_api_version: 'V3',
};

const CERTIFICATE = [{ name: 'default', sds_config: SDS_SOURCE }];
const ROOT_CA = { name: 'ROOTCA', sds_config: SDS_SOURCE };

const CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];

function upstreamTls(namespace: string, service: string): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': `${TLS}.UpstreamTlsContext`,
      common_tls_context: { tls_certificate_sds_secret_configs: CERTIFICATE, validation_context_sds_secret_config: ROOT_CA },
      sni: `outbound_.default_.${service}.${namespace}.svc.cluster.local`,
    },
  };
}

const RAW_BUFFER = {
  name: 'envoy.transport_sockets.raw_buffer',
  typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer` },
};

/**
 * A service cluster as a TLS node sees it. Permissive: TLS to endpoints whose metadata says
 * acceptMTLS (EDS sets it from the instance's tls-mode), plain to the rest. Strict: TLS always.
 */
export function tlsCluster(cluster: object, mode: Exclude<TlsMode, 'none'>, namespace: string, service: string): object {
  const tls = { name: 'tls-mode', transport_socket: upstreamTls(namespace, service) };
  const matches =
    mode === 'strict'
      ? [tls]
      : [{ ...tls, match: { fields: { acceptMTLS: { stringValue: 'true' } } } }, { name: 'rawbuffer', match: {}, transport_socket: RAW_BUFFER }];
  return { ...cluster, transport_socket_matches: matches };
}

const INSPECTORS = [
  { name: 'envoy.filters.listener.http_inspector', typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.filters.listener.http_inspector.v3.HttpInspector` } },
  { name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': `${TYPE_PREFIX}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector` } },
];

/**
 * A listener as a TLS node gets it: one TLS-only chain (client certificate required, SPIFFE
 * SANs of the cluster) carrying the HTTP connection manager; strict drops the plain default chain.
 */
export function tlsListener(listener: Record<string, unknown>, mode: Exclude<TlsMode, 'none'>): object {
  const chains = listener.filter_chains as Array<{ filters: object[] }> | undefined;
  if (!chains || chains.length === 0) return listener;
  const chain = {
    name: 'PassthroughFilterChain-TLS',
    filter_chain_match: { transport_protocol: 'tls' },
    filters: chains[0].filters,
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': `${TLS}.DownstreamTlsContext`,
        require_client_certificate: { value: true },
        common_tls_context: {
          tls_params: { tls_minimum_protocol_version: 'TLSv1_2', cipher_suites: CIPHERS },
          tls_certificate_sds_secret_configs: CERTIFICATE,
          combined_validation_context: {
            default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/' } }] },
            validation_context_sds_secret_config: ROOT_CA,
          },
        },
      },
    },
  };
  const out: Record<string, unknown> = {
    ...listener,
    filter_chains: [chain],
    listener_filters: [...INSPECTORS, ...((listener.listener_filters as object[]) ?? [])],
  };
  if (mode === 'strict') delete out.default_filter_chain;
  return out;
}
