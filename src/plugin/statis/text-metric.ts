import { Registry, type Metric } from 'prom-client';

/** Prometheus text escaping of a label value (as prom-client's: backslash, newline, double quote). */
export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Prometheus text escaping of a metric name or help text. */
function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as prom-client writes it. */
export function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/**
 * A gauge that writes its own sample lines, for large label sets whose text can be kept between
 * scrapes: prom-client would rebuild a label object, a hash and a formatted label string per
 * sample on every scrape. The lines must be exactly what prom-client writes for the same samples:
 * own labels in their order, then the registry's default labels.
 */
export abstract class TextGauge {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /**
   * The sample lines joined by newlines ('' for none). `shared` is the registry's default labels,
   * formatted (`k="v",…`, '' for none), to append after the own labels.
   */
  abstract lines(shared: string): string;
  /** The samples as label objects (the JSON form of the registry). */
  abstract samples(): Array<{ labels: Record<string, string>; value: number }>;

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Record<string, string>; value: number }> }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }

  reset(): void {}
}

/** One sample line: `own` is the formatted own labels ('' for none). */
export function sampleLine(name: string, own: string, shared: string, value: number): string {
  const labels = own && shared ? `${own},${shared}` : own || shared;
  return labels ? `${name}{${labels}} ${valueText(value)}` : `${name} ${valueText(value)}`;
}

type Stringify = (metric: unknown) => Promise<string>;
const baseStringify = (Registry.prototype as unknown as { getMetricsAsString: Stringify }).getMetricsAsString;

/** A prom-client registry that lets {@link TextGauge}s write their own text. */
export class TextRegistry extends Registry {
  private shared = '';

  override setDefaultLabels(labels: object): void {
    super.setDefaultLabels(labels);
    this.shared = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(String(v))}"`)
      .join(',');
  }

  registerText(metric: TextGauge): void {
    this.registerMetric(metric as unknown as Metric);
  }

  /** Called by `metrics()` for each metric (prom-client 15; not in its typings). */
  async getMetricsAsString(metric: unknown): Promise<string> {
    if (!(metric instanceof TextGauge)) return baseStringify.call(this, metric);
    const name = escapeText(metric.name);
    const head = `# HELP ${name} ${escapeText(metric.help)}\n# TYPE ${name} gauge`;
    const body = metric.lines(this.shared);
    return body ? `${head}\n${body}` : head;
  }
}
