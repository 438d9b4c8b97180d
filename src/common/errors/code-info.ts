import { Code } from './codes.js';

/**
 * English text of each code, as polaris-server sends it in `info` and `X-Polaris-Message`.
 * (Filled from the contract; a test checks that every code has one.)
 */
const INFO: Record<number, string> = {
  [Code.ExecuteSuccess]: 'execute success',
  [Code.DataNoChange]: 'discover data is no change',
  [Code.NoNeedUpdate]: 'update data is no change, no need to update',
  [Code.BadRequest]: 'bad request',
  [Code.ParseException]: 'request decode failed',
  [Code.EmptyRequest]: 'empty request',
  [Code.BatchSizeOverLimit]: 'batch size over the limit',
  [Code.InvalidParameter]: 'invalid parameter',
  [Code.ExistedResource]: 'existed resource',
  [Code.NotFoundResource]: 'not found resource',
  [Code.ExecuteException]: 'execute exception',
  [Code.StoreLayerException]: 'store layer exception',
};

export function codeInfo(code: number): string {
  return INFO[code] ?? `code ${code}`;
}

export function hasCodeInfo(code: number): boolean {
  return INFO[code] !== undefined;
}
