import type { FastifyRequest } from 'fastify';
import type { NamespaceListQuery } from '../../namespace/api.js';
import type { RawQuery } from '../../service/api.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';

/** polaris `QueryDefaultLimit` / `QueryMaxLimit`. */
export const QUERY_DEFAULT_LIMIT = 100;
export const QUERY_MAX_LIMIT = 100;

/**
 * The server's query-string parser: `+` and percent escapes decoded, a repeated key kept as an array
 * in arrival order, a single one as a string. Every key is an own data property, so keys such as
 * `__proto__` or `constructor` are plain data and never touch the prototype.
 */
export function parseQueryString(qs: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(qs)) {
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    if (Array.isArray(prev)) prev.push(value);
    else {
      const next = prev === undefined ? value : [prev, value];
      Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** The request's query as the modules take it. */
export function rawQuery(req: FastifyRequest): RawQuery {
  return (req.query ?? {}) as RawQuery;
}

/** Every value of a key, in order. */
export function allValues(query: RawQuery, key: string): string[] {
  const v = Object.hasOwn(query, key) ? query[key] : undefined;
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first value of a key (polaris uses only the first of most repeated keys). */
export function firstValue(query: RawQuery, key: string): string | undefined {
  return allValues(query, key)[0];
}

const INT_RE = /^[+-]?[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Go's strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range. */
function atoi(text: string): number | undefined {
  if (!INT_RE.test(text)) return undefined;
  const n = BigInt(text);
  if (n > INT64_MAX || n < INT64_MIN) return undefined;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/**
 * Paging of naming/namespace lists (`CheckQueryOffset` / `CheckQueryLimit`): absent → 0 / 100; more
 * than one value, non-numeric or negative → 400103; limit above 100 → 100.
 */
export function parseOffset(query: RawQuery): number {
  return parsePaging(allValues(query, 'offset'), 0);
}

export function parseLimit(query: RawQuery): number {
  return Math.min(parsePaging(allValues(query, 'limit'), QUERY_DEFAULT_LIMIT), QUERY_MAX_LIMIT);
}

function parsePaging(values: string[], absent: number): number {
  if (values.length === 0) return absent;
  if (values.length > 1) throw new PolarisError(Code.InvalidParameter);
  const n = atoi(values[0]);
  if (n === undefined || n < 0) throw new PolarisError(Code.InvalidParameter);
  return n;
}

/** `GET …/namespaces`: `name` and `owner` may repeat (OR); other keys are ignored. */
export function namespaceListQuery(query: RawQuery): NamespaceListQuery {
  return {
    names: allValues(query, 'name'),
    owners: allValues(query, 'owner'),
    offset: parseOffset(query),
    limit: parseLimit(query),
  };
}
