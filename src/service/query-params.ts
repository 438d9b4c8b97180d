import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RawQuery } from './api.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100;

/** First value of a possibly repeated key. */
export function first(q: RawQuery, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

/** All values of a key joined with ',' (polaris does this for keys/values). */
export function joined(q: RawQuery, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v.join(',') : v;
}

/** offset/limit as polaris parses them: defaults 0/100, limit clamped to 100, bad values 400103. */
export function paging(q: RawQuery): { offset: number; limit: number } {
  return { offset: intParam(q, 'offset', 0), limit: Math.min(intParam(q, 'limit', DEFAULT_LIMIT), MAX_LIMIT) };
}

function intParam(q: RawQuery, key: string, dflt: number): number {
  const raw = first(q, key);
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new PolarisError(Code.InvalidParameter, `${key} must be a non-negative integer`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new PolarisError(Code.InvalidParameter, `${key} is out of range`);
  return n;
}

/** Rejects keys outside `allowed` and empty values, as polaris's paramcheck does. */
export function checkAllowed(q: RawQuery, allowed: ReadonlySet<string>, emptyOk: ReadonlySet<string> = new Set()): void {
  for (const [key, value] of Object.entries(q)) {
    if (!allowed.has(key)) throw new PolarisError(Code.InvalidParameter, `${key} is not allowed`);
    const v = Array.isArray(value) ? value[0] : value;
    if ((v === undefined || v === '') && !emptyOk.has(key)) {
      throw new PolarisError(Code.InvalidParameter, `the value for ${key} is empty`);
    }
  }
}

export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new PolarisError(Code.InvalidParameter, `${v} is not a boolean`);
}
