import { Code, type PolarisCode } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import { runeLength } from '../common/utils/validate.js';
import type { AuthQuery } from './api.js';

/** polaris' checks on user, group and policy names: `^[\u4E00-\u9FA5A-Za-z0-9_\-.]+$`, ≤ 64 runes, not `polariadmin`. */
const NAME = /^[\u4E00-\u9FA5A-Za-z0-9_\-.]+$/;

export function checkName(name: unknown, code: PolarisCode = Code.InvalidUserName): string {
  if (typeof name !== 'string' || name === '') throw new PolarisError(code, 'name is empty');
  if (name === 'polariadmin') throw new PolarisError(code, 'illegal name');
  if (runeLength(name) > 64) throw new PolarisError(code, 'name is longer than 64 characters');
  if (!NAME.test(name)) throw new PolarisError(code, 'name contains invalid characters');
  return name;
}

/** 6 to 17 bytes, as polaris. */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password === '') throw new PolarisError(Code.InvalidUserPassword, 'password is empty');
  const len = Buffer.byteLength(password);
  if (len < 6 || len > 17) throw new PolarisError(Code.InvalidUserPassword, 'password must be 6 to 17 bytes long');
  return password;
}

export function checkMobile(mobile: unknown): void {
  if (typeof mobile === 'string' && mobile !== '' && runeLength(mobile) !== 11) {
    throw new PolarisError(Code.InvalidUserMobile, 'a mobile number has 11 digits');
  }
}

const EMAIL = /^\w+([-+.]\w+)*@\w+([-.]\w+)*\.\w+([-.]\w+)*$/;

export function checkEmail(email: unknown): void {
  if (typeof email === 'string' && email !== '' && !EMAIL.test(email)) throw new PolarisError(Code.InvalidUserEmail);
}

export function requireId(id: unknown, code: PolarisCode): string {
  if (typeof id !== 'string' || id === '') throw new PolarisError(code, 'id is empty');
  return id;
}

// ---------------------------------------------------------------- queries

export function first(query: AuthQuery, key: string): string | undefined {
  const v = Object.hasOwn(query, key) ? query[key] : undefined;
  return Array.isArray(v) ? v[0] : v;
}

/** Only the listed keys are accepted: anything else is 400103 `<key> is not allowed`. */
export function checkKeys(query: AuthQuery, allowed: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) throw new PolarisError(Code.InvalidParameter, `${key} is not allowed`);
  }
}

/** offset (default 0) and limit (default 100, at most 100); not a non-negative integer → 400103. */
export function paging(query: AuthQuery): { offset: number; limit: number } {
  const num = (key: string, dflt: number): number => {
    const v = first(query, key);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new PolarisError(Code.InvalidParameter, `${key} is invalid`);
    return Number(v);
  };
  return { offset: num('offset', 0), limit: Math.min(num('limit', 100), 100) };
}

export function page<T>(items: readonly T[], p: { offset: number; limit: number }): T[] {
  return items.slice(p.offset, p.offset + p.limit);
}
