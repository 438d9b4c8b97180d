import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from '../../common/errors/polaris-error.js';
import type { Client, Instance, Namespace, Service } from '../../common/model/naming.js';
import type { ChangeSet, StartLock, Store, StoreTx, Versioned } from '../api.js';
import { applyMigrations } from './migrations.js';
import {
  CLIENT_PACKED,
  INSTANCE_PACKED,
  NAMESPACE_PACKED,
  SERVICE_PACKED,
  clientFromPacked,
  instanceFromPacked,
  namespaceFromPacked,
  serviceFromPacked,
  versionedFromPacked,
} from './rows.js';
import { toStoreError } from './sqlite-errors.js';
import { SqliteOps } from './sqlite-ops.js';
import { SqliteFile } from './sqlite-file.js';
import { SqliteConfigStore } from './config-store.js';
import type { ConfigStore } from '../config-api.js';
import { SqliteRuleStore } from './rules-store.js';
import { SqliteAuthStore } from './auth-store.js';
import type { AuthStore } from '../auth-api.js';
import { SqliteStartLocks } from './sqlite-start-lock.js';
import { StatementCache } from './statement-cache.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. `:memory:` is refused (see below). */
  path: string;
  logger?: Logger;
  /** How long a statement waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * `NORMAL` (default): in WAL mode a committed transaction survives a kill -9 of the process (the
   * WAL frames are in the OS page cache); only an OS crash or power loss can drop the last few
   * commits. `FULL` also fsyncs the WAL on every commit, for that case, at a large write cost.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/** The change-feed queries of each table: full load (live rows only) and incremental. */
function feedOf<T>(table: string, packed: string, from: (r: unknown[]) => T) {
  return {
    full: `SELECT ${packed} FROM ${table} WHERE deleted = 0`,
    since: `SELECT ${packed} FROM ${table} WHERE seq > ? ORDER BY seq`,
    from,
  };
}

/**
 * Page cache size per connection in KiB, negative as SQLite wants it: SQLite's own default
 * (better-sqlite3 sets 16 MiB).
 */
const PAGE_CACHE_KIB = -2000;

const FEED = {
  namespace: feedOf('namespace', NAMESPACE_PACKED, namespaceFromPacked),
  service: feedOf('service', SERVICE_PACKED, serviceFromPacked),
  instance: feedOf('instance', INSTANCE_PACKED, instanceFromPacked),
  client: feedOf('client', CLIENT_PACKED, clientFromPacked),
} as const;

/** Rows of one table for the change feed; incremental reads are ordered by seq. */
function feed<T>(
  r: StatementCache,
  f: { full: string; since: string; from: (r: unknown[]) => T },
  since: number,
): Versioned<T>[] {
  // Iterate rather than .all(): only one row's JSON text is alive at a time.
  const texts = (since <= 0 ? r.pluck(f.full).iterate() : r.pluck(f.since).iterate(since)) as IterableIterator<string>;
  const out: Versioned<T>[] = [];
  for (const text of texts) out.push(versionedFromPacked(JSON.parse(text) as unknown[], f.from));
  return out;
}

/**
 * The embedded store: one SQLite file in WAL mode, two connections.
 *
 * - Writes use the write connection only, serialised in-process by an async mutex and across
 *   processes by SQLite's own lock (BEGIN IMMEDIATE + busy_timeout). Each write transaction takes
 *   one change sequence (`sys_seq` + 1) on its first write and stamps it on every row it touches.
 *   Single writes outside `transaction` run as their own transaction.
 * - Reads outside a transaction use the read connection, so they only see committed data;
 *   `readChanges` reads every table inside one read transaction, so the sequence it returns
 *   matches exactly the rows it returns.
 *
 * Inside `transaction(fn)` use the `tx` handle only: calling this store's own write methods from
 * `fn` would wait for the transaction that is waiting for them.
 *
 * Several processes may open the same file (embedded cluster): the sequence lives in the file, so
 * it is shared. While one process holds the write lock (a transaction whose `fn` awaits), another
 * process's write blocks its thread for up to `busyTimeoutMs`; keep transactions short. Two stores
 * on one file inside the same process must not overlap transactions for the same reason.
 */
export class SqliteStore implements Store {
  readonly name = 'sqlite';
  private readonly readOps: SqliteOps;
  private readonly locks: SqliteStartLocks;

  private constructor(private readonly file: SqliteFile) {
    this.readOps = new SqliteOps(file.reader, null);
    this.locks = new SqliteStartLocks((what, fn) => file.writeStatement(what, fn), file.logger);
  }

  static open(opts: SqliteStoreOptions): SqliteStore {
    if (opts.path === ':memory:' || opts.path === '') {
      throw new StoreError('the SQLite store needs a file: its read and write connections must share it');
    }
    const busy = Math.max(0, Math.floor(Number(opts.busyTimeoutMs ?? 5000)));
    let writeDb: Database.Database | undefined;
    let readDb: Database.Database | undefined;
    try {
      mkdirSync(dirname(opts.path), { recursive: true });
      writeDb = new Database(opts.path);
      writeDb.pragma(`busy_timeout = ${busy}`);
      const mode = writeDb.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
      writeDb.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
      writeDb.pragma('foreign_keys = OFF');
      writeDb.pragma('journal_size_limit = 67108864');
      const version = applyMigrations(writeDb);
      readDb = new Database(opts.path, { readonly: true });
      readDb.pragma(`busy_timeout = ${busy}`);
      // Page caches: better-sqlite3 sets 16 MiB per connection, which a register burst fills and
      // the process never gives back (malloc keeps it). The read connection's cache is dropped at
      // every write anyway (WAL), and pages missed by the writer come from the OS page cache.
      writeDb.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
      readDb.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
      const logger = opts.logger?.child({ scope: 'store' });
      logger?.info({ path: opts.path, schemaVersion: version }, 'sqlite store opened');
      return new SqliteStore(new SqliteFile(new StatementCache(writeDb), new StatementCache(readDb), logger));
    } catch (err) {
      readDb?.close();
      writeDb?.close();
      throw toStoreError(err, `open sqlite store ${opts.path}`);
    }
  }

  // ---- transactions and the change feed ----

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.file.writeTransaction('transaction', (w, ctx) => new SqliteOps(w, ctx), fn);
  }

  async readChanges(since: number): Promise<ChangeSet> {
    return this.file.readSnapshot('read changes', (r, seq) => ({
      seq,
      namespaces: feed(r, FEED.namespace, since),
      services: feed(r, FEED.service, since),
      instances: feed(r, FEED.instance, since),
      clients: feed(r, FEED.client, since),
    }));
  }

  async currentSeq(): Promise<number> {
    return this.file.currentSeq();
  }

  async acquireStartLock(
    key: string,
    holder: string,
    opts: { timeoutMs: number; staleAfterMs: number },
  ): Promise<StartLock> {
    this.file.assertOpen();
    return this.locks.acquire(key, holder, opts);
  }

  async purgeTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    return this.file.writeStatement('purge tombstones', (c) => {
      const cutoff = Date.now() - olderThanMs;
      let n = 0;
      for (const table of ['namespace', 'service', 'instance', 'client']) {
        n += c.prep(`DELETE FROM ${table} WHERE deleted = 1 AND mtime < ? AND seq < ?`).run(cutoff, belowSeq).changes;
      }
      return n;
    });
  }

  async purgeInstanceTombstone(id: string, belowSeq: number): Promise<number> {
    return this.file.writeStatement('purge an instance tombstone', (c) =>
      c.prep('DELETE FROM instance WHERE id = ? AND deleted = 1 AND seq < ?').run(id, belowSeq).changes,
    );
  }

  /** The governance-rule store on this file: the same connections, write mutex and change sequence. */
  rules(): SqliteRuleStore {
    return new SqliteRuleStore(this.file);
  }

  /** The auth tables (users, groups, strategies) on this file: same connections, write mutex and change sequence. */
  auth(): AuthStore {
    return new SqliteAuthStore(this.file);
  }

  /** The config-center store (config-api.ts) on this file: same connections, write mutex and change sequence. */
  config(): ConfigStore {
    return new SqliteConfigStore(this.file);
  }

  /**
   * Closes both connections once pending writes finished. Held start locks stop their heartbeat
   * but are not released: release them first, or they are taken over after staleAfterMs.
   */
  async close(): Promise<void> {
    if (this.file.isClosed) return;
    this.locks.stopAll();
    await this.file.close();
    this.file.logger?.info('sqlite store closed');
  }

  // ---- StoreTx outside a transaction: reads on the read connection, writes as their own tx ----

  getNamespace(name: string) { return this.read(() => this.readOps.getNamespace(name)); }
  createNamespace(ns: Namespace) { return this.write((tx) => tx.createNamespace(ns)); }
  updateNamespace(ns: Namespace) { return this.write((tx) => tx.updateNamespace(ns)); }
  deleteNamespace(name: string) { return this.write((tx) => tx.deleteNamespace(name)); }
  countServicesInNamespace(name: string) { return this.read(() => this.readOps.countServicesInNamespace(name)); }

  getService(namespace: string, name: string) { return this.read(() => this.readOps.getService(namespace, name)); }
  getServiceById(id: string) { return this.read(() => this.readOps.getServiceById(id)); }
  createService(svc: Service) { return this.write((tx) => tx.createService(svc)); }
  updateService(svc: Service) { return this.write((tx) => tx.updateService(svc)); }
  deleteService(id: string) { return this.write((tx) => tx.deleteService(id)); }
  countInstancesOfService(serviceId: string) { return this.read(() => this.readOps.countInstancesOfService(serviceId)); }
  countAliasesOf(serviceId: string) { return this.read(() => this.readOps.countAliasesOf(serviceId)); }

  getInstance(id: string) { return this.read(() => this.readOps.getInstance(id)); }
  getInstances(ids: string[]) { return this.read(() => this.readOps.getInstances(ids)); }
  listInstancesOfService(serviceId: string) { return this.read(() => this.readOps.listInstancesOfService(serviceId)); }
  upsertInstances(list: Instance[]) { return this.write((tx) => tx.upsertInstances(list)); }
  deleteInstances(ids: string[]) { return this.write((tx) => tx.deleteInstances(ids)); }
  setInstancesHealth(changes: { id: string; healthy: boolean; revision: string }[]) {
    return this.write((tx) => tx.setInstancesHealth(changes));
  }

  upsertClients(list: Client[]) { return this.write((tx) => tx.upsertClients(list)); }
  deleteClients(ids: string[]) { return this.write((tx) => tx.deleteClients(ids)); }

  // ---- plumbing ----

  private write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    this.file.assertOpen();
    return fn();
  }
}
