import { constants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';

/**
 * Config file encryption as polaris-server and its SDKs do it (polaris `plugin/crypto/aes`,
 * polaris-go `plugin/configfilter/crypto`): a random 16-byte data key per file, AES-CBC with
 * IV = the key, PKCS#7 padding, Base64 ciphertext. Clients receive the data key RSA-encrypted
 * (PKCS#1 v1.5, segmented by key size − 11) with the PKCS#1 DER public key they send in Base64.
 *
 * Keys are never logged: no function here logs, and errors never carry key material.
 */

export const AES = 'AES';

/** Algorithms this server implements. */
export const SUPPORTED_ALGORITHMS: readonly string[] = [AES];

export function generateDataKey(): Buffer {
  return randomBytes(16);
}

function aesName(key: Buffer): string {
  switch (key.length) {
    case 16:
      return 'aes-128-cbc';
    case 24:
      return 'aes-192-cbc';
    case 32:
      return 'aes-256-cbc';
    default:
      throw new Error(`invalid AES key length ${key.length}`);
  }
}

export function aesEncrypt(plaintext: string, key: Buffer): string {
  const cipher = createCipheriv(aesName(key), key, key.subarray(0, 16));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function aesDecrypt(ciphertext: string, key: Buffer): string {
  const decipher = createDecipheriv(aesName(key), key, key.subarray(0, 16));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
}

/** RSA-encrypts `data` for a client holding the private half of `publicKeyBase64` (PKCS#1 DER). */
export function rsaEncryptForClient(data: Buffer, publicKeyBase64: string): string {
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'pkcs1' });
  const size = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 1024) / 8);
  const seg = size - 11;
  const parts: Buffer[] = [];
  for (let start = 0; start < data.length; start += seg) {
    parts.push(publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data.subarray(start, start + seg)));
  }
  return Buffer.concat(parts).toString('base64');
}
