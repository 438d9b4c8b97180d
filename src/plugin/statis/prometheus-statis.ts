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
    const labels = { api: call.api, api_type: call.apiType, err_code: String(call.code), protocol: call.protocol };
    this.total.inc(labels);
    // polaris counts 5xx codes (server-side failures) as failures; client mistakes are not.
    if (call.code >= 500000) this.failure.inc(labels);
    this.time.observe(labels, call.ms);
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
