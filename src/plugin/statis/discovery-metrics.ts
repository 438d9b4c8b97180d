import { Histogram, type Registry } from 'prom-client';
import type { NamingReader } from '../../cache/api.js';
import type { ConnLimiters } from '../../common/conn-limit.js';
import { computedGauge } from './prometheus-statis.js';

/**
 * The resource gauges polaris-server exports (`service_count`, `instance_count`, their health
 * splits, `client_total`, the client connection totals, `config_group_count`, `batch_job_unfinish`),
 * computed from this node's caches when scraped, plus polaris-ts' own `polaris_*` gauges for what
 * polaris-server does not measure (health-check backlog and lag, config watchers, refused
 * connections). Every source but the naming cache is optional.
 */
export interface DiscoveryMetricSources {
  naming: Pick<NamingReader, 'services' | 'instancesOf' | 'clients'>;
  limiters: ConnLimiters;
  /** Config groups per namespace. */
  configGroups?: () => Map<string, number>;
  /** Files and released files per config group. */
  configFiles?: () => Array<{ namespace: string; group: string; files: number; released: number }>;
  /** Queued requests per batch controller (`register`, `deregister`, `heartbeat`). */
  batchQueues?: () => Record<string, number>;
  healthCheck?: () => { tracked: number; dueChecks: number; tickLagMs: number };
  /** Held config long polls. */
  configWatchers?: () => number;
}

export function registerDiscoveryMetrics(registry: Registry, src: DiscoveryMetricSources): void {
  const g = (name: string, help: string, labels: string[], compute: Parameters<typeof computedGauge>[4]) =>
    computedGauge(registry, name, help, labels, compute);

  // One pass over the cache per scrape feeds the eight service/instance gauges.
  let snapshot: { at: number; services: Map<string, number[]>; instances: Array<[string, string, number[]]> } | undefined;
  const counts = () => {
    if (snapshot && Date.now() - snapshot.at < 500) return snapshot;
    const services = new Map<string, number[]>(); // namespace → [total, online, abnormal, offline]
    const instances: Array<[string, string, number[]]> = []; // [ns, svc, [total, online, abnormal, isolate]]
    for (const s of src.naming.services()) {
      let total = 0;
      let healthy = 0;
      let isolate = 0;
      for (const i of src.naming.instancesOf(s.id)) {
        total++;
        if (i.isolate) isolate++;
        else if (i.healthy) healthy++;
      }
      const ns = services.get(s.namespace) ?? [0, 0, 0, 0];
      ns[0]++;
      if (total === 0) ns[3]++;
      else if (healthy > 0) ns[1]++;
      else ns[2]++;
      services.set(s.namespace, ns);
      instances.push([s.namespace, s.name, [total, healthy, total - healthy - isolate, isolate]]);
    }
    snapshot = { at: Date.now(), services, instances };
    return snapshot;
  };
  const serviceGauge = (name: string, help: string, idx: number) =>
    g(name, help, ['namespace'], (set) => {
      for (const [namespace, v] of counts().services) set({ namespace }, v[idx]);
    });
  serviceGauge('service_count', 'service total number', 0);
  serviceGauge('service_online_count', 'total number of service status is online', 1);
  serviceGauge('service_abnormal_count', 'total number of service status is abnormal', 2);
  serviceGauge('service_offline_count', 'total number of service status is offline', 3);
  const instanceGauge = (name: string, help: string, idx: number) =>
    g(name, help, ['namespace', 'service'], (set) => {
      for (const [namespace, service, v] of counts().instances) set({ namespace, service }, v[idx]);
    });
  instanceGauge('instance_count', 'instance total number', 0);
  instanceGauge('instance_online_count', 'total number of instance status is health', 1);
  instanceGauge('instance_abnormal_count', 'total number of instance status is unhealth', 2);
  instanceGauge('instance_isolate_count', 'total number of instance status is isolate', 3);

  g('client_total', 'polaris client instance total number', [], (set) => {
    let n = 0;
    for (const _ of src.naming.clients()) n++;
    set({}, n);
  });
  const conns = (names: string[]) =>
    src.limiters.all().reduce((n, l) => n + (names.includes(l.name) ? l.counts().total : 0), 0);
  g('discovery_conn_total', 'polaris discovery client connection total', [], (set) => set({}, conns(['service-grpc', 'service-eureka', 'xds-v3'])));
  g('config_conn_total', 'polaris configuration client connection total', [], (set) => set({}, conns(['config-grpc'])));
  g('sdk_client_total', 'polaris client connection total', [], (set) => set({}, conns(['service-grpc', 'config-grpc'])));
  g('polaris_connections', 'open connections per listener', ['apiserver'], (set) => {
    for (const l of src.limiters.all()) set({ apiserver: l.name }, l.counts().total);
  });
  g('polaris_connections_refused', 'connections refused by the connection limit since start', ['apiserver'], (set) => {
    for (const l of src.limiters.all()) set({ apiserver: l.name }, l.stats().refused);
  });

  const { configGroups, configFiles, batchQueues, healthCheck, configWatchers } = src;
  if (configFiles) {
    g('config_file_count', 'total number of config_file each config group', ['namespace', 'group'], (set) => {
      for (const f of configFiles()) set({ namespace: f.namespace, group: f.group }, f.files);
    });
    g('config_release_file_count', 'total number of config_release_file each config group', ['namespace', 'group'], (set) => {
      for (const f of configFiles()) set({ namespace: f.namespace, group: f.group }, f.released);
    });
  }
  if (configGroups) {
    g('config_group_count', 'polaris config group total number', ['namespace'], (set) => {
      for (const [namespace, n] of configGroups()) set({ namespace }, n);
    });
  }
  if (batchQueues) {
    g('batch_job_unfinish', 'count unfinish batch job', ['batch_label'], (set) => {
      for (const [batch_label, n] of Object.entries(batchQueues())) set({ batch_label }, n);
    });
  }
  if (healthCheck) {
    g('polaris_healthcheck_tracked', 'instances with a heartbeat check tracked by this node', [], (set) => set({}, healthCheck().tracked));
    g('polaris_healthcheck_due_checks', 'checks due but not run yet (backlog)', [], (set) => set({}, healthCheck().dueChecks));
    g('polaris_healthcheck_lag_seconds', 'seconds since the checker last advanced its time wheel', [], (set) =>
      set({}, healthCheck().tickLagMs / 1000),
    );
  }
  if (configWatchers) g('polaris_config_watchers', 'config long polls held right now', [], (set) => set({}, configWatchers()));
}

/** Seconds from a config release to the answer of a held watch. */
export function configPushHistogram(registry: Registry): Histogram<string> {
  return new Histogram({
    name: 'polaris_config_push_latency_seconds',
    help: 'Seconds from a config release (store time) to the answer of a held watch',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
}

/** Seconds per store transaction. */
export function storeTxHistogram(registry: Registry): Histogram<string> {
  return new Histogram({
    name: 'polaris_store_tx_seconds',
    help: 'Seconds per store transaction (commit included)',
    labelNames: ['store', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}
