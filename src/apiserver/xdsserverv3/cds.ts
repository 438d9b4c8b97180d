import type { XdsHealthCheck, XdsOutlier } from './convert.js';
import { TypeUrl } from './protos.js';

/** Clusters (CDS), polaris cds.go shapes. */

const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' };
const MAX = 4294967295;

/** polaris: interval, consecutive errors, error rate and its request volume, ejection time. */
function outlierDetection(o: XdsOutlier): object {
  const out: Record<string, unknown> = {};
  if (o.intervalSeconds) out.interval = { seconds: o.intervalSeconds };
  if (o.consecutive5xx) out.consecutive_5xx = { value: o.consecutive5xx };
  if (o.failurePercent) out.failure_percentage_threshold = { value: o.failurePercent };
  if (o.requestVolume) out.failure_percentage_request_volume = { value: o.requestVolume };
  if (o.ejectionSeconds) out.base_ejection_time = { seconds: o.ejectionSeconds };
  return out;
}

/** polaris: thresholds 3 unhealthy / 1 healthy; HTTP path, method and headers; TCP hex payloads. */
function healthCheck(h: XdsHealthCheck): object {
  const out: Record<string, unknown> = {
    timeout: { seconds: h.timeoutSeconds },
    interval: { seconds: h.intervalSeconds },
    unhealthy_threshold: { value: 3 },
    healthy_threshold: { value: 1 },
  };
  if (h.http) {
    out.http_health_check = {
      path: h.http.path,
      method: h.http.method,
      request_headers_to_add: h.http.headers.map(([key, value]) => ({ header: { key, value } })),
    };
  } else if (h.tcp) {
    out.tcp_health_check = { send: { text: h.tcp.send }, receive: h.tcp.receive.map((text) => ({ text })) };
  }
  return out;
}

/** An EDS cluster fed over ADS; `subsets` = lb_subset_config selectors (label key sets). */
export function edsCluster(name: string, subsets: string[][] = [], outlier?: XdsOutlier, checks: readonly XdsHealthCheck[] = []): object {
  const cluster: Record<string, unknown> = {
    name,
    connect_timeout: { seconds: 5 },
    type: 'EDS',
    eds_cluster_config: { service_name: name, eds_config: ADS_SOURCE },
  };
  if (subsets.length > 0) {
    cluster.lb_subset_config = {
      fallback_policy: 'ANY_ENDPOINT',
      subset_selectors: subsets.map((keys) => ({ keys, fallback_policy: 'ANY_ENDPOINT' })),
    };
  }
  if (outlier) cluster.outlier_detection = outlierDetection(outlier);
  if (checks.length > 0) cluster.health_checks = checks.map(healthCheck);
  return cluster;
}

/** polaris PassthroughCluster: ORIGINAL_DST, thresholds wide open. */
export function passthroughCluster(name: string): object {
  return {
    name,
    connect_timeout: { seconds: 5 },
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: {
      thresholds: [{ max_connections: { value: MAX }, max_pending_requests: { value: MAX }, max_requests: { value: MAX }, max_retries: { value: MAX } }],
    },
  };
}

export const CLUSTER_TYPE = TypeUrl.Cluster;
