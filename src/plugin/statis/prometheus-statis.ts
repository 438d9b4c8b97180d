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
  /** Set when the item was dropped after quiet intervals; holders look it up again. */
  dropped: boolean;
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
  private readonly series = new Map<string, Map<number, LabelledSeries[]>>();

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
    const c = this.children(call.api, call.apiType, call.protocol, call.code);
    c.total.inc();
    // polaris counts 5xx codes (server-side failures) as failures; client mistakes are not.
    if (c.failure) c.failure.inc();
    c.time.observe(call.ms);
    // The interval item is shared by the api types of one (api, protocol, code); a dropped one
    // (quiet for too long) is looked up again.
    let item = c.item;
    if (item.dropped) {
      item = this.intervalItem(call.api, call.protocol, call.code);
      c.item = item;
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
        item.dropped = true;
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

  private intervalItem(api: string, protocol: string, code: number): IntervalItem {
    const key = `${api}\u0000${protocol}\u0000${code}`;
    let item = this.interval.get(key);
    if (!item) {
      item = { labels: { api, protocol, err_code: String(code) }, count: 0, totalMs: 0, minMs: 0, maxMs: 0, zeroIntervals: 0, dropped: false };
      this.interval.set(key, item);
    }
    return item;
  }

  /**
   * The label-bound series of one (api, api_type, protocol, code): looked up without building a
   * label object or hashing label values on every call (this runs on every SDK call).
   */
  private children(api: string, apiType: string, protocol: string, code: number): LabelledSeries {
    let byCode = this.series.get(api);
    if (!byCode) this.series.set(api, (byCode = new Map()));
    let list = byCode.get(code);
    if (!list) byCode.set(code, (list = []));
    for (const e of list) if (e.apiType === apiType && e.protocol === protocol) return e;
    const labels = { api, api_type: apiType, err_code: String(code), protocol };
    const e: LabelledSeries = {
      apiType,
      protocol,
      total: this.total.labels(labels),
      failure: code >= 500000 ? this.failure.labels(labels) : undefined,
      time: this.time.labels(labels),
      item: this.intervalItem(api, protocol, code),
    };
    list.push(e);
    return e;
  }
}

interface LabelledSeries {
  apiType: string;
  protocol: string;
  total: { inc(): void };
  failure: { inc(): void } | undefined;
  time: { observe(v: number): void };
  item: IntervalItem;
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
