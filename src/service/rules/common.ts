import { createHash } from 'node:crypto';
import type { WireAny } from '../../common/api/gen/wire.js';
import { failed, type ItemResult } from '../../common/errors/batch.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { formatTime } from '../../common/utils/time.js';
import {
  checkBatch,
  MAX_NAMESPACE_LEN,
  MAX_SERVICE_NAME_LEN,
  runeLength,
} from '../../common/utils/validate.js';
import type { RawQuery } from '../api.js';

/** SHA-1 of empty input: the revision of "no rules" where polaris answers one (routing). */
export const EMPTY_REVISION = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** polaris `utils.MaxRuleName`: rule, lane group and lane names. */
export const MAX_RULE_NAME = 64;
/** polaris `utils.MaxCommentLength`: descriptions. */
export const MAX_COMMENT = 1024;

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Wraps a wire object as a google.protobuf.Any of `typeName` (e.g. `v1.RouteRule`). */
export function asAny(typeName: string, value: object): WireAny {
  return { ...(value as Record<string, unknown>), '@type': TYPE_URL_PREFIX + typeName };
}

/** Removes the `@type` of an Any, leaving the packed message's wire object. */
export function unpackAny<T>(any: WireAny): T {
  const { '@type': _t, ...rest } = any;
  return rest as T;
}

/**
 * polaris's paramcheck pre-pass: every item is checked first; if any fails nothing is written and
 * the answer lists only the failed items (in request order). `check` throws PolarisError.
 */
export function prevalidate<T, N>(
  reqs: readonly T[],
  check: (req: T) => N,
): { ok: true; values: N[] } | { ok: false; failures: ItemResult<T>[] } {
  checkBatch(reqs as unknown[]);
  const values: N[] = [];
  const failures: ItemResult<T>[] = [];
  for (const req of reqs) {
    try {
      values.push(check(req));
    } catch (err) {
      failures.push(failed(err, req));
    }
  }
  return failures.length > 0 ? { ok: false, failures } : { ok: true, values };
}

/** hex SHA-1 of the revisions sorted ascending; '' for none (no rules, no data sent). */
export function sortedRevision(revisions: readonly string[]): string {
  if (revisions.length === 0) return '';
  const h = createHash('sha1');
  for (const r of [...revisions].sort()) h.update(r);
  return h.digest('hex');
}

/**
 * polaris `CompositeComputeRevision`: none → SHA-1 of empty input, exactly one → itself, more →
 * SHA-1 of their concatenation in order.
 */
export function compositeRevision(revisions: readonly string[]): string {
  if (revisions.length === 1) return revisions[0];
  const h = createHash('sha1');
  for (const r of revisions) h.update(r);
  return h.digest('hex');
}

/** `2006-01-02 15:04:05` of epoch ms, '' for 0 (a rule never enabled has no etime). */
export function ruleTime(ms: number): string {
  return formatTime(ms);
}

export function checkMaxLen(value: string | null | undefined, max: number, code: PolarisCode, what: string): void {
  if (typeof value === 'string' && runeLength(value) > max) {
    throw new PolarisError(code, `${what} is longer than ${max} characters`);
  }
}

const RESOURCE_NAME = /^[0-9A-Za-z\-./:_]+$/;

/**
 * A service reference inside a rule: `*` (every service / namespace) or a resource name within
 * the length limit. Empty is refused with `code`.
 */
export function checkServiceRef(service: string | null | undefined, namespace: string | null | undefined): {
  service: string;
  namespace: string;
} {
  return {
    service: checkRef(service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'service'),
    namespace: checkRef(namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace'),
  };
}

function checkRef(v: string | null | undefined, max: number, code: PolarisCode, what: string): string {
  if (typeof v !== 'string' || v === '') throw new PolarisError(code, `${what} is empty`);
  if (v === '*') return v;
  if (!RESOURCE_NAME.test(v)) throw new PolarisError(code, `${what} ${v} has characters outside [0-9A-Za-z-./:_]`);
  if (runeLength(v) > max) throw new PolarisError(code, `${what} is longer than ${max} characters`);
  return v;
}

/** Query keys outside `allowed` are refused with 400103 (empty values are allowed). */
export function checkQueryKeys(q: RawQuery, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(q)) {
    if (!allowed.has(key)) throw new PolarisError(Code.InvalidParameter, `${key} is not allowed`);
  }
}

/** Go's strconv.ParseBool; undefined for anything else (polaris then ignores the filter). */
export function goBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** polaris's wildcard filter of rule lists: `*x*`, `x*`, `*x` contain `x`; anything else is exact. */
export function nameFilter(pattern: string): (value: string) => boolean {
  if (pattern.startsWith('*') || pattern.endsWith('*')) {
    const core = pattern.replace(/^\*+/, '').replace(/\*+$/, '');
    return (v) => v.includes(core);
  }
  return (v) => v === pattern;
}

/** The page of a sorted list. */
export function page<T>(items: readonly T[], offset: number, limit: number): T[] {
  if (limit === 0 || offset >= items.length) return [];
  return items.slice(offset, offset + limit);
}

/** Order of rule lists: newest change first, then id ascending; `order_type=desc` reverses. */
export function byMtimeDesc(a: { mtime: number; id: string }, b: { mtime: number; id: string }): number {
  return b.mtime - a.mtime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
