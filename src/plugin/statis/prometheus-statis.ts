import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';

/** Intervals without a call after which a series of the interval gauges is dropped (as polaris). */
const MAX_ZERO_INTERVALS = 3;

interface IntervalItem {
  labels: { api: string; protocol: string; err_code: string };
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  zeroIntervals: number;
}

/**
 * polaris' `statis` plugin with the `prometheus` exporter: the API call metrics under polaris-server's
 * names and labels (`client_rq_total`, `client_rq_failure`, `client_rq_time` with `api`,
 * `api_type`, `err_code`, `protocol`). Durations are milliseconds, as polaris reports them.
 *
 * Also the per-interval gauges polaris-server 1.18's `local` statis plugin publishes every
 * `interval` seconds, labelled `api`, `protocol`, `err_code`: `client_rq_interval_count` (calls in
 * the last interval), `client_rq_timeout` (their total ms), `client_rq_timeout_min` / `_max` /
 * `_avg` (ms). A series with no calls reads 0 and is dropped after three quiet intervals.
 */
export class PrometheusStatis implements ApiCallRecorder {
  private readonly total: Counter<string>;
  private readonly failure: Counter<string>;
  private readonly time: Histogram<string>;
  private readonly gauges: Record<'count' | 'total' | 'min' | 'max' | 'avg', Gauge<string>>;
  private interval = new Map<string, IntervalItem>();
  private readonly timer: NodeJS.Timeout;

  constructor(registry: Registry, intervalMs = 60_000) {
    const labelNames = ['api', 'api_type', 'err_code', 'protocol'];
    this.total = new Counter({ name: 'client_rq_total', help: 'total number of client request', labelNames, registers: [registry] });
    this.failure = new Counter({
      name: 'client_rq_failure',
      help: 'total number of client request status is failure',
      labelNames,
      registers: [registry],
    });
    this.time = new Histogram({
      name: 'client_rq_time',
      help: 'cost time of per client request (ms)',
      labelNames,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000],
      registers: [registry],
    });
    const intervalLabels = ['api', 'protocol', 'err_code'];
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: intervalLabels, registers: [registry] });
    this.gauges = {
      count: gauge('client_rq_interval_count', 'total number of client request in current interval'),
      total: gauge('client_rq_timeout', 'time consumed per interface call'),
      min: gauge('client_rq_timeout_min', 'min latency of client requests'),
      max: gauge('client_rq_timeout_max', 'max latency of client requests'),
      avg: gauge('client_rq_timeout_avg', 'average latency of client requests'),
    };
    this.timer = setInterval(() => this.publishInterval(), Math.max(100, intervalMs));
    this.timer.unref();
  }

  record(call: { api: string; apiType: string; protocol: string; code: number; ms: number }): void {
    const labels = { api: call.api, api_type: call.apiType, err_code: String(call.code), protocol: call.protocol };
    this.total.inc(labels);
    // polaris counts 5xx codes (server-side failures) as failures; client mistakes are not.
    if (call.code >= 500000) this.failure.inc(labels);
    this.time.observe(labels, call.ms);
    const key = `${call.api}\u0000${call.protocol}\u0000${call.code}`;
    let item = this.interval.get(key);
    if (!item) {
      item = { labels: { api: call.api, protocol: call.protocol, err_code: labels.err_code }, count: 0, totalMs: 0, minMs: 0, maxMs: 0, zeroIntervals: 0 };
      this.interval.set(key, item);
    }
    item.minMs = item.count === 0 ? call.ms : Math.min(item.minMs, call.ms);
    item.maxMs = Math.max(item.maxMs, call.ms);
    item.count++;
    item.totalMs += call.ms;
  }

  /** Publishes the interval that just ended and starts the next one. */
  publishInterval(): void {
    for (const [key, item] of this.interval) {
      if (item.count === 0 && ++item.zeroIntervals > MAX_ZERO_INTERVALS) {
        for (const g of Object.values(this.gauges)) g.remove(item.labels);
        this.interval.delete(key);
        continue;
      }
      if (item.count > 0) item.zeroIntervals = 0;
      this.gauges.count.set(item.labels, item.count);
      this.gauges.total.set(item.labels, item.totalMs);
      this.gauges.min.set(item.labels, item.minMs);
      this.gauges.max.set(item.labels, item.maxMs);
      this.gauges.avg.set(item.labels, item.count > 0 ? item.totalMs / item.count : 0);
      Object.assign(item, { count: 0, totalMs: 0, minMs: 0, maxMs: 0 });
    }
  }

  /** Stops the interval timer (the registry lives on). */
  stop(): void {
    clearInterval(this.timer);
  }
}

/** A gauge whose values are computed when scraped. */
export function computedGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  compute: (set: (labels: Record<string, string>, value: number) => void) => void,
): Gauge<string> {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      compute((labels, value) => (labelNames.length ? this.set(labels, value) : this.set(value)));
    },
  });
}
