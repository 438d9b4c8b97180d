import { Histogram, type Registry } from 'prom-client';
import type { Service } from '../../common/model/naming.js';
import type { NamingReader } from '../../cache/api.js';
import type { ConnLimiters } from '../../common/conn-limit.js';
import { computedGauge } from './prometheus-statis.js';
import { escapeLabelValue, sampleLine, TextGauge, type TextRegistry } from './text-metric.js';

/**
 * The resource gauges polaris-server exports (`service_count`, `instance_count`, their health
 * splits, `client_total`, the client connection totals, `config_group_count`, `batch_job_unfinish`),
 * computed from this node's caches when scraped, plus polaris-ts' own `polaris_*` gauges for what
 * polaris-server does not measure (health-check backlog and lag, config watchers, refused
 * connections). Every source but the naming cache is optional.
 */
export interface DiscoveryMetricSources {
  naming: Pick<NamingReader, 'services' | 'serviceById' | 'instancesOf' | 'clients' | 'onChange'>;
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

export function registerDiscoveryMetrics(registry: TextRegistry, src: DiscoveryMetricSources): void {
  const g = (name: string, help: string, labels: string[], compute: Parameters<typeof computedGauge>[4]) =>
    computedGauge(registry, name, help, labels, compute);

  const counts = new ServiceHealthCounts(src.naming);
  // [name, help] per count index (0 total, 1 online, 2 abnormal, 3 offline / isolate), per gauge family.
  const families: Array<['namespace' | 'service', Array<[string, string]>]> = [
    [
      'namespace',
      [
        ['service_count', 'service total number'],
        ['service_online_count', 'total number of service status is online'],
        ['service_abnormal_count', 'total number of service status is abnormal'],
        ['service_offline_count', 'total number of service status is offline'],
      ],
    ],
    [
      'service',
      [
        ['instance_count', 'instance total number'],
        ['instance_online_count', 'total number of instance status is health'],
        ['instance_abnormal_count', 'total number of instance status is unhealth'],
        ['instance_isolate_count', 'total number of instance status is isolate'],
      ],
    ],
  ];
  for (const [by, gauges] of families) gauges.forEach(([name, help], idx) => registry.registerText(counts.gauge(name, help, by, idx)));

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

/** Counts of one service: [total, online, abnormal, isolate] instances. */
interface ServiceEntry {
  namespace: string;
  name: string;
  /** Formatted own labels of the instance gauges (`namespace="…",service="…"`). */
  labels: string;
  v: [number, number, number, number];
}

/**
 * Service and instance health counts for the eight `service_*` / `instance_*` gauges, kept between
 * scrapes: the naming cache's change events mark the services they touch, and a scrape recounts
 * only those (a full pass over every instance once, at the first scrape). The rendered text of each
 * gauge is kept until a service changes.
 */
class ServiceHealthCounts {
  private readonly byService = new Map<string, ServiceEntry>();
  private readonly dirty = new Set<string>();
  private loaded = false;
  /** Rendered sample lines per gauge (`service:0`, `namespace:2`, …) for `shared`. */
  private readonly text = new Map<string, string>();
  private shared = '';
  private byNamespace: Map<string, [number, number, number, number]> | undefined;

  constructor(private readonly naming: DiscoveryMetricSources['naming']) {
    naming.onChange((c) => {
      if (c.services.size === 0) return;
      for (const id of c.services) this.dirty.add(id);
      this.text.clear();
      this.byNamespace = undefined;
    });
  }

  gauge(name: string, help: string, by: 'namespace' | 'service', idx: number): TextGauge {
    const counts = this;
    return new (class extends TextGauge {
      lines(shared: string): string {
        return counts.lines(name, by, idx, shared);
      }
      samples(): Array<{ labels: Record<string, string>; value: number }> {
        return counts.samples(by, idx);
      }
    })(name, help);
  }

  private lines(name: string, by: 'namespace' | 'service', idx: number, shared: string): string {
    this.update();
    if (shared !== this.shared) {
      this.shared = shared;
      this.text.clear();
    }
    const key = `${by}:${idx}`;
    let out = this.text.get(key);
    if (out !== undefined) return out;
    const lines: string[] = [];
    if (by === 'service') {
      for (const e of this.byService.values()) lines.push(sampleLine(name, e.labels, shared, e.v[idx]));
    } else {
      for (const [ns, v] of this.namespaces()) lines.push(sampleLine(name, `namespace="${escapeLabelValue(ns)}"`, shared, v[idx]));
    }
    out = lines.join('\n');
    this.text.set(key, out);
    return out;
  }

  private samples(by: 'namespace' | 'service', idx: number): Array<{ labels: Record<string, string>; value: number }> {
    this.update();
    if (by === 'namespace') return [...this.namespaces()].map(([namespace, v]) => ({ labels: { namespace }, value: v[idx] }));
    const out: Array<{ labels: Record<string, string>; value: number }> = [];
    for (const e of this.byService.values()) out.push({ labels: { namespace: e.namespace, service: e.name }, value: e.v[idx] });
    return out;
  }

  /** Namespace → [services, online, abnormal, offline]: online has a healthy instance, abnormal instances but none healthy, offline none. */
  private namespaces(): Map<string, [number, number, number, number]> {
    if (this.byNamespace) return this.byNamespace;
    const m = new Map<string, [number, number, number, number]>();
    for (const e of this.byService.values()) {
      let ns = m.get(e.namespace);
      if (!ns) m.set(e.namespace, (ns = [0, 0, 0, 0]));
      ns[0]++;
      if (e.v[0] === 0) ns[3]++;
      else if (e.v[1] > 0) ns[1]++;
      else ns[2]++;
    }
    this.byNamespace = m;
    return m;
  }

  private update(): void {
    if (!this.loaded) {
      this.loaded = true;
      this.dirty.clear();
      for (const s of this.naming.services()) this.byService.set(s.id, this.count(s, undefined));
      return;
    }
    if (this.dirty.size === 0) return;
    for (const id of this.dirty) {
      const s = this.naming.serviceById(id);
      if (s) this.byService.set(id, this.count(s, this.byService.get(id)));
      else this.byService.delete(id);
    }
    this.dirty.clear();
  }

  private count(s: Service, prev: ServiceEntry | undefined): ServiceEntry {
    let total = 0;
    let healthy = 0;
    let isolate = 0;
    for (const i of this.naming.instancesOf(s.id)) {
      total++;
      if (i.isolate) isolate++;
      else if (i.healthy) healthy++;
    }
    const labels =
      prev && prev.namespace === s.namespace && prev.name === s.name ? prev.labels : `namespace="${escapeLabelValue(s.namespace)}",service="${escapeLabelValue(s.name)}"`;
    return { namespace: s.namespace, name: s.name, labels, v: [total, healthy, total - healthy - isolate, isolate] };
  }
}
