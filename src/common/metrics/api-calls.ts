/**
 * Where API servers report each call (polaris `plugin.statis` ReportCallMetrics): the interface
 * name, protocol, Polaris code and duration. Protocol adapters depend on this interface only; the
 * Prometheus implementation lives in plugin/statis.
 */
export interface ApiCallRecorder {
  record(call: { api: string; apiType: string; protocol: string; code: number; ms: number }): void;
}

/** The Polaris code of an answer object (`code` as a bare number or a `{value}` wrapper); 200000 when absent. */
export function answerCode(resp: unknown): number {
  if (typeof resp !== 'object' || resp === null || Buffer.isBuffer(resp)) return 200000;
  const c = (resp as { code?: unknown }).code;
  const v = typeof c === 'object' && c !== null ? (c as { value?: unknown }).value : c;
  return typeof v === 'number' && v > 0 ? v : 200000;
}
