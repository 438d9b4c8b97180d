import { createHash, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { Code } from '../common/errors/codes.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { ConfigFile, ConfigGroup, ConfigRelease, ReleaseHistory } from '../common/model/config.js';
import { newId } from '../common/utils/ids.js';
import type { ConfigStore, ConfigWrites } from '../store/config-api.js';
import type { ConfigCache } from './config-cache.js';
import { AES, aesDecrypt, aesEncrypt, generateDataKey, SUPPORTED_ALGORITHMS } from './crypto.js';
import { configError } from './errors.js';

export interface ConfigModuleConfig {
  /** config.contentMaxLength: largest file content in characters (default 20000). */
  contentMaxLength: number;
  /** namespace.autoCreate: config writes create a missing namespace. */
  autoCreateNamespace: boolean;
  /** Algorithms of plugin.crypto (default ['AES']); only AES is implemented. */
  cryptoAlgorithms: string[];
  /** Long-poll hold (default 30 s, polaris' defaultLongPollingTimeout). */
  watchTimeoutMs: number;
  /** Resolution of the watch timeout wheel (default 250 ms). */
  watchTickMs: number;
  /** Cache refresh period (default 1 s). */
  refreshIntervalMs: number;
  /** How often the cache probes the store's sequence for other nodes' writes (default 100 ms). */
  refreshProbeMs: number;
}

export const DEFAULT_CONFIG_MODULE: ConfigModuleConfig = {
  contentMaxLength: 20000,
  autoCreateNamespace: true,
  cryptoAlgorithms: [AES],
  watchTimeoutMs: 30_000,
  watchTickMs: 250,
  refreshIntervalMs: 1000,
  refreshProbeMs: 100,
};

export interface ConfigDeps {
  store: ConfigStore;
  logger: Logger;
  /** Makes a namespace created by a config write visible to the naming reads (naming cache waitFor). */
  namingSync?: (seq: number) => Promise<void>;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * The name polaris stamps on createBy/modifyBy: the principal the auth guard let through (empty
 * when auth is off for the console, or for the server's own calls).
 */
export function operator(ctx: RequestContext): string {
  return ctx.principal?.name ?? '';
}

/** Shared state of the config services: store, cache, configuration and the crypto helpers. */
export class ConfigCore {
  private releaseSeq = randomInt(1_000_000_000);

  constructor(
    readonly deps: ConfigDeps,
    readonly cache: ConfigCache,
    readonly cfg: ConfigModuleConfig,
  ) {}

  get store(): ConfigStore {
    return this.deps.store;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /** Read-your-writes: this process's next read (and every watcher) sees what was just committed. */
  async sync(): Promise<void> {
    const seq = await this.store.currentSeq();
    await this.cache.waitFor(seq);
    await this.deps.namingSync?.(seq);
  }

  /**
   * A release name unique per publish: polaris's `<file>-<unixSeconds>-<sequence>`. The sequence
   * starts at a random point per process, so two nodes of a cluster publishing the same file in
   * the same second do not collide.
   */
  releaseName(fileName: string): string {
    return `${fileName}-${Math.floor(Date.now() / 1000)}-${++this.releaseSeq}`;
  }

  /** Creates the namespace inside the transaction when it is missing (namespace.autoCreate). */
  async ensureNamespace(tx: ConfigWrites, name: string): Promise<void> {
    if (await tx.getNamespace(name)) return;
    if (!this.cfg.autoCreateNamespace) throw configError(Code.NotFoundNamespace);
    const now = Date.now();
    await tx.createNamespace({
      name,
      comment: '',
      owner: '',
      token: newId(),
      serviceExportTo: [],
      metadata: {},
      ctime: now,
      mtime: now,
    });
  }

  /** Creates the group (comment "auto created") and its namespace when missing. */
  async ensureGroup(tx: ConfigWrites, namespace: string, group: string, by: string): Promise<ConfigGroup> {
    const found = await tx.getGroup(namespace, group);
    if (found) return found;
    await this.ensureNamespace(tx, namespace);
    return tx.createGroup({
      id: 0,
      namespace,
      name: group,
      comment: 'auto created',
      owner: '',
      business: '',
      department: '',
      metadata: {},
      createBy: by,
      modifyBy: by,
      ctime: 0,
      mtime: 0,
    });
  }

  // ---- encryption ----

  algorithms(): string[] {
    return this.cfg.cryptoAlgorithms.filter((a) => SUPPORTED_ALGORITHMS.includes(a));
  }

  /**
   * The stored form of a draft: plaintext, or AES ciphertext plus the (kept or new) data key.
   * `encrypt` false with a previous key keeps nothing: the file becomes plain.
   */
  sealContent(plain: string, encrypt: boolean, algo: string, previousKey: string): { content: string; encryptAlgo: string; dataKey: string } {
    if (!encrypt) return { content: plain, encryptAlgo: '', dataKey: '' };
    const algorithm = algo || AES;
    if (!this.algorithms().includes(algorithm)) {
      throw configError(Code.EncryptConfigFileException, 'colon', `not support encrypt algorithm ${algorithm}`);
    }
    const key = previousKey ? Buffer.from(previousKey, 'base64') : generateDataKey();
    try {
      return { content: aesEncrypt(plain, key), encryptAlgo: algorithm, dataKey: key.toString('base64') };
    } catch {
      throw configError(Code.EncryptConfigFileException);
    }
  }

  /** The plaintext of stored content (file, release or history). */
  openContent(item: Pick<ConfigFile | ConfigRelease | ReleaseHistory, 'content' | 'encryptAlgo' | 'dataKey'>): string {
    if (!item.encryptAlgo || !item.dataKey) return item.content;
    try {
      return aesDecrypt(item.content, Buffer.from(item.dataKey, 'base64'));
    } catch {
      throw configError(Code.DecryptConfigFileException);
    }
  }
}
