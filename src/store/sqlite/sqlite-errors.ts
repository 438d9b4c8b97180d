import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * Maps anything thrown by better-sqlite3 to the domain: a unique violation becomes
 * PolarisError(ExistedResource); PolarisErrors pass through; everything else becomes a StoreError
 * carrying the original as `cause`.
 */
export function toStoreError(err: unknown, what: string): PolarisError {
  if (err instanceof PolarisError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNIQUE_CODES.has(code)) {
    return new PolarisError(Code.ExistedResource, what, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError(`${what}: ${message}`, err);
}
