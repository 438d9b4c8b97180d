import { Code } from '../common/errors/codes.js';
import type { ConfigFileTag } from '../common/api/gen/wire.js';
import type { Tags } from '../common/model/config.js';
import { MAX_NAMESPACE_LEN, runeLength } from '../common/utils/validate.js';
import { configError } from './errors.js';

/** Parameter checks of the config center (polaris `config/interceptor/paramcheck`, http.md §4.4). */

const RESOURCE_NAME = /^[0-9A-Za-z\-./:_]+$/;
export const MAX_GROUP_NAME_LEN = 128;

/** The encryption metadata keys polaris keeps among a file's tags. */
export const TAG_DATA_KEY = 'internal-datakey';
export const TAG_ENCRYPT_ALGO = 'internal-encryptalgo';
export const TAG_ENCRYPTED = 'internal-encrypted';
const INTERNAL_PREFIX = 'internal-';

export function isResourceName(v: unknown, maxLen: number): v is string {
  return typeof v === 'string' && v !== '' && RESOURCE_NAME.test(v) && runeLength(v) <= maxLen;
}

export function checkNamespace(v: unknown): string {
  if (!isResourceName(v, MAX_NAMESPACE_LEN)) throw configError(Code.InvalidNamespaceName);
  return v;
}

export function checkGroupName(v: unknown): string {
  if (!isResourceName(v, MAX_GROUP_NAME_LEN)) throw configError(Code.InvalidConfigFileGroupName);
  return v;
}

export function checkFileName(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw configError(Code.InvalidConfigFileName);
  return v;
}

export function checkContent(v: unknown, maxLength: number): string {
  const s = typeof v === 'string' ? v : '';
  if (runeLength(s) > maxLength) {
    throw configError(Code.InvalidConfigFileContentLength, 'colon', `content length too long. max length =${maxLength}`);
  }
  return s;
}

/**
 * Wire tags → map. Key and value must be non-empty (400805). Internal encryption keys are dropped:
 * the server derives them from the file's own encryption state.
 */
export function checkTags(tags: readonly ConfigFileTag[] | null | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) {
    const key = t?.key ?? '';
    const value = t?.value ?? '';
    if (key === '' || value === '') throw configError(Code.InvalidConfigFileTags);
    if (key.startsWith(INTERNAL_PREFIX)) continue;
    out[key] = value;
  }
  return out;
}

/** Labels sent by a client (`tags` of ClientConfigFileInfo): empty entries are ignored. */
export function clientLabels(tags: readonly ConfigFileTag[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t?.key) out[t.key] = t.value ?? '';
  return out;
}

/** A uint64 wire value (decimal string or number) as a number; absent/invalid → 0. */
export function versionOf(v: unknown): number {
  if (typeof v === 'number') return v > 0 ? v : 0;
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return 0;
}
