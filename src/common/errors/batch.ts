import { Code, type PolarisCode } from './codes.js';
import { codeInfo } from './code-info.js';
import { PolarisError, toPolarisError } from './polaris-error.js';

/** The outcome of one item of a batch write: Polaris clients expect a code per item. */
export interface ItemResult<T> {
  code: PolarisCode;
  info: string;
  value?: T;
}

export function ok<T>(value?: T, code: PolarisCode = Code.ExecuteSuccess): ItemResult<T> {
  return { code, info: codeInfo(code), value };
}

export function failed<T>(err: unknown, value?: T): ItemResult<T> {
  const e = toPolarisError(err);
  return { code: e.code, info: e.info, value };
}

/**
 * Batch code as polaris-server computes it for services, instances and rules: the common code when
 * all items agree, otherwise 500000 if any item is 5xx, else 400000 if any is 4xx.
 */
export function batchCodeUniform(codes: number[]): PolarisCode {
  if (codes.length === 0) return Code.ExecuteSuccess;
  const first = codes[0];
  if (codes.every((c) => c === first)) return first as PolarisCode;
  if (codes.some((c) => Math.floor(c / 100000) === 5)) return Code.ExecuteException;
  if (codes.some((c) => Math.floor(c / 100000) === 4)) return Code.BadRequest;
  return Code.ExecuteSuccess;
}

/** Batch code for namespaces, users, groups and policies: the largest non-2xx child code. */
export function batchCodeLargest(codes: number[]): PolarisCode {
  let worst: number = Code.ExecuteSuccess;
  for (const c of codes) if (Math.floor(c / 1000) !== 200 && c > worst) worst = c;
  return worst as PolarisCode;
}

export { PolarisError };
