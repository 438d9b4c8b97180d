import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';

export const ER_DUP_ENTRY = 1062;
/** The code of our own statement timeout (see Lease.query). */
export const QUERY_TIMEOUT = 'POLARIS_QUERY_TIMEOUT';
export const ER_BAD_DB_ERROR = 1049;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;

/** Server errors meaning "this session is gone or refused", safe to retry on a new connection. */
const CONNECTION_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8 closing an idle session)
]);

/** Client-side codes of a broken or unreachable connection (node and mysql2). */
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
]);

/**
 * What went wrong, as far as retrying is concerned:
 * - `conflict`: deadlock or lock wait timeout; the transaction is (or must be) rolled back and
 *   can be re-run as a whole;
 * - `connection`: the session is broken or could not be opened; anything not committed is gone;
 * - `timeout`: our own query timeout fired; the connection is unusable and the statement may
 *   still run on the server, so it is not retried;
 * - `duplicate`: a unique key clash (the statement failed, the transaction lives on);
 * - `other`: anything else.
 */
export type ErrorKind = 'conflict' | 'connection' | 'timeout' | 'duplicate' | 'other';

export function classify(err: unknown): ErrorKind {
  const e = err as { errno?: unknown; code?: unknown; fatal?: unknown } | null;
  if (!e || typeof e !== 'object') return 'other';
  if (e.code === QUERY_TIMEOUT || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') return 'timeout';
  if (e.errno === ER_LOCK_DEADLOCK || e.errno === ER_LOCK_WAIT_TIMEOUT) return 'conflict';
  if (e.errno === ER_DUP_ENTRY) return 'duplicate';
  if (typeof e.errno === 'number' && CONNECTION_ERRNOS.has(e.errno)) return 'connection';
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return 'connection';
  // mysql2 marks every error after which the connection cannot be used as fatal, including
  // "Can't add new command when connection is in closed state" (no code).
  if (e.fatal === true) return 'connection';
  return 'other';
}

export function isRetryable(err: unknown): boolean {
  const kind = classify(err);
  return kind === 'conflict' || kind === 'connection';
}

/** True when the connection that produced `err` must not go back to the pool. */
export function breaksConnection(err: unknown): boolean {
  const kind = classify(err);
  return kind === 'connection' || kind === 'timeout' || (err as { fatal?: unknown } | null)?.fatal === true;
}

/**
 * Maps anything thrown by mysql2 to the domain: a unique violation becomes
 * PolarisError(ExistedResource); PolarisErrors pass through; everything else becomes a StoreError
 * carrying the original as `cause`.
 */
export function toStoreError(err: unknown, what: string): PolarisError {
  if (err instanceof PolarisError) return err;
  if (classify(err) === 'duplicate') return new PolarisError(Code.ExistedResource, what, { cause: err });
  return new StoreError(`${what}: ${describe(err)}`, err);
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Internal marker: the failed attempt may be re-run as a whole. Never leaves the store. */
export class RetryableFailure extends Error {
  constructor(readonly failure: unknown) {
    super(describe(failure));
    this.name = 'RetryableFailure';
  }
}
