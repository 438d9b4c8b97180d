import { Code } from '../common/errors/codes.js';
import type { ConfigQuery } from './api.js';
import { configError } from './errors.js';

/** Query-string helpers of the config lists (http.md §3). */

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100;

export function first(q: ConfigQuery, ...keys: string[]): string {
  for (const key of keys) {
    const v = Object.hasOwn(q, key) ? q[key] : undefined;
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== '') return s;
  }
  return '';
}

function parseUint(key: string, text: string, absent: number): number {
  if (text === '') return absent;
  if (!/^[0-9]+$/.test(text)) {
    // polaris answers 400000 with the Go parse error as info.
    throw configError(Code.BadRequest, 'only', `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw configError(Code.BadRequest, 'only', `strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return n;
}

/** offset (default 0) and limit (default 100, clamped to 100); bad values → 400000. */
export function paging(q: ConfigQuery): { offset: number; limit: number } {
  const offset = parseUint('offset', first(q, 'offset'), 0);
  const limit = Math.min(parseUint('limit', first(q, 'limit'), DEFAULT_LIMIT), MAX_LIMIT);
  return { offset, limit };
}

export function page<T>(items: readonly T[], offset: number, limit: number): T[] {
  return items.slice(offset, offset + limit);
}
