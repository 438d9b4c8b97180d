import { Code, type PolarisCode } from './codes.js';
import { codeInfo } from './code-info.js';

/**
 * The one error type of the domain. Every module throws it for a single-object failure; the
 * protocol adapters turn it into an envelope ({code, info}) with the matching HTTP status or gRPC
 * answer. `info` is the human text sent to the caller.
 */
export class PolarisError extends Error {
  readonly code: PolarisCode;
  readonly info: string;

  constructor(code: PolarisCode, detail?: string, options?: { cause?: unknown }) {
    const base = codeInfo(code);
    const info = detail ? `${base}: ${detail}` : base;
    super(info, options);
    this.name = 'PolarisError';
    this.code = code;
    this.info = info;
  }

  /** The HTTP status of a Polaris code: its first three digits. */
  get httpStatus(): number {
    return httpStatusOf(this.code);
  }
}

export function httpStatusOf(code: number): number {
  const status = Math.floor(code / 1000);
  return status >= 100 && status <= 599 ? status : 500;
}

export function isSuccess(code: number): boolean {
  return Math.floor(code / 1000) === 200;
}

/** Converts anything thrown below a module boundary into a PolarisError (unknown → 500000). */
export function toPolarisError(err: unknown): PolarisError {
  if (err instanceof PolarisError) return err;
  return new PolarisError(Code.ExecuteException, undefined, { cause: err });
}

/** A store-layer failure (connection lost, constraint the contract did not expect, …). */
export class StoreError extends PolarisError {
  constructor(detail: string, cause?: unknown) {
    super(Code.StoreLayerException, detail, { cause });
    this.name = 'StoreError';
  }
}
