import { Counter, Gauge, type Registry } from 'prom-client';
import type { SnapshotStats } from './snapshot.js';

/** Counters the streams bump. */
export interface StreamCounters {
  responses: number;
  nacks: number;
  /** From a snapshot change to the last stream's answers written (ms). */
  lastPushMs: number;
}

/** What the xDS server reports about itself. */
export interface XdsMetricsSource {
  streams(): { sotw: number; delta: number };
  counters: StreamCounters;
  snapshot(): SnapshotStats;
}

/** Prometheus view of the xDS server: streams, responses, NACKs and the snapshot's work. */
export function registerXdsMetrics(registry: Registry, src: XdsMetricsSource): void {
  new Gauge({
    name: 'polaris_xds_streams',
    help: 'Open ADS streams',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = src.streams();
      this.set({ kind: 'sotw' }, s.sotw);
      this.set({ kind: 'delta' }, s.delta);
    },
  });
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  counter('polaris_xds_responses_total', 'xDS responses written (state of the world and delta)', () => src.counters.responses);
  counter('polaris_xds_nacks_total', 'Responses the clients rejected (NACK)', () => src.counters.nacks);
  counter('polaris_xds_services_rebuilt_total', 'Services whose xDS resources were rebuilt after a change', () => src.snapshot().rebuilt);
  new Gauge({
    name: 'polaris_xds_resources',
    help: 'Built xDS resources (clusters, assignments, routes, listeners)',
    registers: [registry],
    collect() {
      this.set(src.snapshot().resources);
    },
  });
  new Gauge({
    name: 'polaris_xds_last_push_seconds',
    help: 'From the last snapshot change to the answers of every stream written',
    registers: [registry],
    collect() {
      this.set(src.counters.lastPushMs / 1000);
    },
  });
  new Gauge({
    name: 'polaris_xds_last_flush_seconds',
    help: 'Duration of the last rebuild of changed services (reads and builds)',
    registers: [registry],
    collect() {
      this.set(src.snapshot().lastFlushMs / 1000);
    },
  });
}
