import type { PolarisCode } from '../common/errors/codes.js';

/**
 * Plugin contracts the API servers call (polaris `plugin/ratelimit.go`). One small interface per
 * category; implementations live in subfolders and are built in bootstrap.
 */

/** `namespace/service` of a request naming a service (bare or `{value}`-wrapped fields), else undefined. */
export function serviceKeyOf(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const r = req as { service?: unknown; namespace?: unknown };
  const plain = (v: unknown) => (typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : v);
  const svc = plain(r.service);
  if (typeof svc !== 'string' || svc === '') return undefined;
  const ns = plain(r.namespace);
  return `${typeof ns === 'string' ? ns : ''}/${svc}`;
}

/** The server-side API rate limit (`plugin.ratelimit`). */
export interface ApiRateLimit {
  /**
   * Takes one token for a call; resolves the Polaris code to refuse it with (429002 IPRateLimit,
   * 403003 APIRateLimit, 429001 InstanceTooManyRequests), or undefined to let it through.
   * `api` is `METHOD:/route` for HTTP and the gRPC method name; `service` is `namespace/name` when
   * the call names one.
   */
  check(call: { ip: string; api: string; service?: string }): PolarisCode | undefined;
  /** False when no limit is on: callers may skip building the call description (hot paths). */
  enabled?(): boolean;
}
