import type { GrayLabel } from '../common/model/config.js';

/**
 * Gray (beta) release rules: every label of the rule must match the client's label of the same key
 * (polaris `grayMatch`). Match types follow polaris `utils.MatchString`; a rule value of `*` matches
 * any present value.
 */

const regexCache = new Map<string, RegExp | null>();
const REGEX_CACHE_MAX = 1024;

function compiled(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function inRange(actual: string, spec: string): boolean {
  const [lo, hi] = spec.split('~');
  const v = Number(actual);
  if (!Number.isFinite(v) || lo === undefined || hi === undefined) return false;
  return v >= Number(lo) && v <= Number(hi);
}

export function matchValue(actual: string, label: GrayLabel): boolean {
  const want = label.value;
  if (want === '*') return true;
  switch (label.type) {
    case 'REGEX':
      return compiled(want)?.test(actual) ?? false;
    case 'NOT_EQUALS':
      return actual !== want;
    case 'IN':
      return want.split(',').some((v) => v.trim() === actual);
    case 'NOT_IN':
      return !want.split(',').some((v) => v.trim() === actual);
    case 'RANGE':
      return inRange(actual, want);
    default:
      return actual === want;
  }
}

export function matchGray(rule: readonly GrayLabel[], labels: Readonly<Record<string, string>>): boolean {
  if (rule.length === 0) return false;
  for (const label of rule) {
    if (!Object.hasOwn(labels, label.key)) return false;
    if (!matchValue(labels[label.key], label)) return false;
  }
  return true;
}
