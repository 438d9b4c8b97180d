import { codeInfo } from '../common/errors/code-info.js';
import type { PolarisCode } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';

/**
 * The config center composes `info` three ways (http.md §4.1): the plain table text (most
 * answers), `code2info + ":" + msg` (no space; polaris' "WithMessage" helpers) and the message
 * alone ("WithInfo" helpers, e.g. client paramchecks). PolarisError's own `info: detail` form is
 * not used here.
 */
export function configError(code: PolarisCode, how: 'plain' | 'colon' | 'only' = 'plain', msg = ''): PolarisError {
  const err = new PolarisError(code);
  if (how === 'plain') return err;
  const info = how === 'colon' ? `${codeInfo(code)}:${msg}` : msg;
  Object.defineProperty(err, 'info', { value: info, enumerable: true });
  Object.defineProperty(err, 'message', { value: info, enumerable: false, writable: true });
  return err;
}
