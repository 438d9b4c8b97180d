import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import { createConfigCenter, type DefaultConfigCenter } from '../config/config-center.js';
import { SUPPORTED_ALGORITHMS } from '../config/crypto.js';
import type { Store } from '../store/api.js';
import { providesConfigStore } from '../store/config-api.js';
import type { ServerConfig } from './config/api.js';

/**
 * Builds the config center when `config.open` is true (nothing when false: its routes and the
 * config-grpc listener stay off). Its tables live in the naming store (same database, lock and
 * change sequence): SQLite (`SqliteStore.config()`) and, in cluster mode, MySQL
 * (`MysqlStore.config()`, every node following the shared sequence). A store without them keeps
 * it off with a warning.
 */
export function openConfigCenter(
  deps: { store: Store; namingCache: NamingReader; logger: Logger; seqProbe?: () => Promise<number> },
  config: ServerConfig,
): DefaultConfigCenter | undefined {
  if (!config.config.open) {
    deps.logger.info('config center is off (config.open: false)');
    return undefined;
  }
  if (!providesConfigStore(deps.store)) {
    // A backend without the config tables: run without the config center rather than not at all.
    deps.logger.warn({ store: deps.store.name }, 'config.open is true but this store has no config tables: config center off');
    return undefined;
  }
  return createConfigCenter(
    {
      store: deps.store.config(),
      logger: deps.logger,
      namingSync: (seq) => deps.namingCache.waitFor(seq),
      seqProbe: deps.seqProbe,
    },
    {
      contentMaxLength: config.config.contentMaxLength,
      autoCreateNamespace: config.namespace.autoCreate,
      cryptoAlgorithms: cryptoAlgorithms(config, deps.logger),
    },
  );
}

/** plugin.crypto entries (AES is the only implementation); AES when the section is absent. */
function cryptoAlgorithms(config: ServerConfig, logger: Logger): string[] {
  const entries = config.plugin.crypto?.entries;
  if (!entries || entries.length === 0) return [...SUPPORTED_ALGORITHMS];
  const names = entries.map((e) => e.name);
  for (const n of names) {
    if (!SUPPORTED_ALGORITHMS.includes(n)) logger.warn({ plugin: n }, 'plugin.crypto entry is not implemented; ignored');
  }
  return names.filter((n) => SUPPORTED_ALGORITHMS.includes(n));
}
