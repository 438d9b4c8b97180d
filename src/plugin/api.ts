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

/**
 * The distinct `namespace/service` keys an HTTP request names: its JSON body (one object or a
 * list of them, as the batch instance routes take; raw JSON text is parsed, a malformed one names
 * nothing and is left to the handler) and its `service` / `namespace` query.
 */
export function serviceKeysOf(body: unknown, query: unknown): string[] {
  const keys = new Set<string>();
  if (typeof body === 'string') {
    const t = body.trimStart();
    try {
      body = t.startsWith('{') || t.startsWith('[') ? (JSON.parse(t) as unknown) : undefined;
    } catch {
      body = undefined;
    }
  }
  for (const item of Array.isArray(body) ? body : [body]) {
    const k = serviceKeyOf(item);
    if (k !== undefined) keys.add(k);
  }
  const q = serviceKeyOf(query);
  if (q !== undefined) keys.add(q);
  return [...keys];
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
  /**
   * The per-service bucket alone, for servers that learn the service after the IP and API checks
   * (HTTP reads it from the parsed body): 429001 when `service`'s bucket is empty.
   */
  checkService(call: { api: string; service: string }): PolarisCode | undefined;
  /** Whether a per-service bucket is on (servers skip finding the services otherwise). */
  limitsServices(): boolean;
  /** False when no limit is on: callers may skip building the call description (hot paths). */
  enabled?(): boolean;
}
