import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RequestContext } from '../../../src/common/lifecycle.js';
import { createConfigCenter, type DefaultConfigCenter } from '../../../src/config/config-center.js';
import type { ConfigModuleConfig } from '../../../src/config/core.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

export const silent = pino({ level: 'silent' });

export function ctxOf(ip = '10.0.0.1', protocol = 'http'): RequestContext {
  return { reqId: 'test', clientIp: ip, protocol };
}

export interface Harness {
  dir: string;
  store: SqliteStore;
  center: DefaultConfigCenter;
  /** Another config center on the same database file (another server process). */
  peer(config?: Partial<ConfigModuleConfig>): Promise<DefaultConfigCenter>;
  close(): Promise<void>;
}

export async function openHarness(config: Partial<ConfigModuleConfig> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-config-'));
  const path = join(dir, 'polaris.db');
  const store = SqliteStore.open({ path });
  const center = createConfigCenter({ store: store.config(), logger: silent }, { watchTickMs: 20, ...config });
  await center.start();
  const extra: Array<{ store: SqliteStore; center: DefaultConfigCenter }> = [];
  return {
    dir,
    store,
    center,
    async peer(cfg = {}) {
      const s = SqliteStore.open({ path });
      const c = createConfigCenter({ store: s.config(), logger: silent }, { watchTickMs: 20, ...config, ...cfg });
      await c.start();
      extra.push({ store: s, center: c });
      return c;
    },
    async close() {
      for (const e of extra) {
        await e.center.stop();
        await e.store.close();
      }
      await center.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An RSA key pair as the polaris SDK makes one: PKCS#1 DER public key in Base64. */
export function clientKeyPair(): { publicKey: string; decrypt(b64: string): Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = privateKey.export({ format: 'jwk' }) as { n: string; d: string };
  const n = BigInt('0x' + Buffer.from(jwk.n, 'base64url').toString('hex'));
  const d = BigInt('0x' + Buffer.from(jwk.d, 'base64url').toString('hex'));
  const size = Buffer.from(jwk.n, 'base64url').length;
  const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
    let r = 1n;
    b %= m;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      b = (b * b) % m;
      e >>= 1n;
    }
    return r;
  };
  return {
    publicKey: publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
    // Textbook RSA + PKCS#1 v1.5 unpadding (node 20 refuses PKCS#1 v1.5 private decryption).
    decrypt(b64: string): Buffer {
      const all = Buffer.from(b64, 'base64');
      const out: Buffer[] = [];
      for (let i = 0; i < all.length; i += size) {
        const c = BigInt('0x' + all.subarray(i, i + size).toString('hex'));
        const m = Buffer.from(modPow(c, d, n).toString(16).padStart(size * 2, '0'), 'hex');
        if (m[0] !== 0 || m[1] !== 2) throw new Error('bad PKCS#1 padding');
        out.push(m.subarray(m.indexOf(0, 2) + 1));
      }
      return Buffer.concat(out);
    },
  };
}

export async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`not settled within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
