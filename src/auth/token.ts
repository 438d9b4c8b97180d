import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';

/**
 * Tokens in polaris-server's format: Base64(std) of `IV(16 random bytes) || AES-CFB(key = salt)(text)`
 * with text = `<8 random chars>::uid/<user id>` or `<8 random chars>::groupid/<group id>`. The key
 * length picks AES-128/192/256. A token is only ever accepted when it equals the token stored for
 * its principal, so decoding alone grants nothing.
 */

export interface TokenSubject {
  kind: 'user' | 'group';
  id: string;
}

const SEPARATOR = '::';
const USER_PREFIX = 'uid';
const GROUP_PREFIX = 'groupid';

function algorithm(key: Buffer): string {
  switch (key.length) {
    case 16:
      return 'aes-128-cfb';
    case 24:
      return 'aes-192-cfb';
    case 32:
      return 'aes-256-cfb';
    default:
      throw new Error('token salt must be 16, 24 or 32 bytes long');
  }
}

export function createToken(subject: TokenSubject, salt: string): string {
  const key = Buffer.from(salt, 'utf8');
  const text = `${randomUUID().slice(8, 16)}${SEPARATOR}${subject.kind === 'user' ? USER_PREFIX : GROUP_PREFIX}/${subject.id}`;
  const iv = randomBytes(16);
  const cipher = createCipheriv(algorithm(key), key, iv);
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

/** The principal a token names, or undefined when it is not a token made with this salt. */
export function decodeToken(token: string, salt: string): TokenSubject | undefined {
  if (token === '' || token.length > 4096) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64');
  if (raw.length <= 16) return undefined;
  let text: string;
  try {
    const key = Buffer.from(salt, 'utf8');
    const decipher = createDecipheriv(algorithm(key), key, raw.subarray(0, 16));
    text = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
  const parts = text.split(SEPARATOR);
  if (parts.length !== 2) return undefined;
  const detail = parts[1].split('/');
  if (detail.length !== 2 || detail[1] === '') return undefined;
  if (detail[0] === USER_PREFIX) return { kind: 'user', id: detail[1] };
  if (detail[0] === GROUP_PREFIX) return { kind: 'group', id: detail[1] };
  return undefined;
}
