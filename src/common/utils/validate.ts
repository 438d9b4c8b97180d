import { Code, type PolarisCode } from '../errors/codes.js';
import { PolarisError } from '../errors/polaris-error.js';

/** Resource names (namespace, service, config group): polaris-server's pattern. */
const RESOURCE_NAME = /^[0-9A-Za-z\-./:_]+$/;

export const MAX_NAMESPACE_LEN = 64;
export const MAX_SERVICE_NAME_LEN = 128;
export const MAX_BATCH_SIZE = 100;

export function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Throws `code` unless `name` is a non-empty resource name of at most `maxLen` characters. */
export function checkResourceName(name: unknown, maxLen: number, code: PolarisCode, what: string): string {
  if (typeof name !== 'string' || name === '') throw new PolarisError(code, `${what} is empty`);
  if (!RESOURCE_NAME.test(name)) throw new PolarisError(code, `${what} has characters outside [0-9A-Za-z-./:_]`);
  if (runeLength(name) > maxLen) throw new PolarisError(code, `${what} is longer than ${maxLen} characters`);
  return name;
}

export function checkLength(value: unknown, maxLen: number, code: PolarisCode, what: string): void {
  if (typeof value === 'string' && runeLength(value) > maxLen) {
    throw new PolarisError(code, `${what} is longer than ${maxLen} characters`);
  }
}

/** Metadata: at most 64 entries, keys up to 128 and values up to 4096 characters. */
export function checkMetadata(md: unknown): void {
  if (md === undefined || md === null) return;
  const entries = Object.entries(md as Record<string, unknown>);
  if (entries.length > 64) throw new PolarisError(Code.InvalidMetadata, 'more than 64 metadata entries');
  for (const [k, v] of entries) {
    if (runeLength(k) > 128) throw new PolarisError(Code.InvalidMetadata, `metadata key longer than 128 characters`);
    if (typeof v === 'string' && runeLength(v) > 4096) {
      throw new PolarisError(Code.InvalidMetadata, `metadata value of ${k} longer than 4096 characters`);
    }
  }
}

export function checkBatch(items: unknown[]): void {
  if (items.length === 0) throw new PolarisError(Code.EmptyRequest);
  if (items.length > MAX_BATCH_SIZE) throw new PolarisError(Code.BatchSizeOverLimit, `at most ${MAX_BATCH_SIZE} items`);
}
