import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';

/**
 * polaris' `statis` plugin with the `prometheus` exporter: the API call metrics under polaris-server's
 * names and labels (`client_rq_total`, `client_rq_failure`, `client_rq_time` with `api`,
 * `api_type`, `err_code`, `protocol`). Durations are milliseconds, as polaris reports them.
 */
export class PrometheusStatis implements ApiCallRecorder {
  private readonly total: Counter<string>;
  private readonly failure: Counter<string>;
  private readonly time: Histogram<string>;
  private readonly series = new Map<string, Map<number, LabelledSeries[]>>();

  constructor(registry: Registry) {
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
  }

  record(call: { api: string; apiType: string; protocol: string; code: number; ms: number }): void {
    const c = this.children(call.api, call.apiType, call.protocol, call.code);
    c.total.inc();
    // polaris counts 5xx codes (server-side failures) as failures; client mistakes are not.
    if (c.failure) c.failure.inc();
    c.time.observe(call.ms);
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
