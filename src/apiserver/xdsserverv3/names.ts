/** Resource names (polaris HEAD's, plus the proxyless ones polaris never serves). */

export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const OUTBOUND_ROUTE = 'polaris-outbound-router';
export const GATEWAY_ROUTE = 'polaris-outbound-router-gateway';
export const OUTBOUND_LISTENER = 'OUTBOUND_15001';

/** The outbound route configuration of nodes with `sidecar.polarismesh.cn/openOnDemand: true`. */
export function demandRoute(namespace: string): string {
  return `${OUTBOUND_ROUTE}|${namespace}|demand`;
}

export function outboundCluster(namespace: string, service: string): string {
  return `OUTBOUND|${namespace}|${service}`;
}

export function inboundCluster(namespace: string, service: string): string {
  return `INBOUND|${namespace}|${service}`;
}

/** A cluster of the instances carrying `subset` labels (proxyless routes; gRPC has no subset LB). */
export function subsetCluster(namespace: string, service: string, subset: string): string {
  return `OUTBOUND|${namespace}|${service}|${subset}`;
}

export function inboundRoute(namespace: string, service: string): string {
  return `polaris-inbound-cluster|${service}.${namespace}`;
}

export function inboundListener(namespace: string, service: string): string {
  return `${service}.${namespace}_INBOUND_15006`;
}

/** What `xds:///service.namespace` asks for: the listener, and its route configuration. */
export function proxylessName(namespace: string, service: string): string {
  return `${service}.${namespace}`;
}

/** The namespace a cluster / load assignment name belongs to (`OUTBOUND|ns|svc…`), if any. */
export function namespaceOfCluster(name: string): string | undefined {
  const parts = name.split('|');
  return parts.length >= 3 && (parts[0] === 'OUTBOUND' || parts[0] === 'INBOUND') ? parts[1] : undefined;
}
