import { randomInt } from 'node:crypto';
import type { ResultSetHeader } from 'mysql2/promise';
import type { Logger } from 'pino';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Client, Instance, Namespace, Service } from '../../common/model/naming.js';
import type { ChangeSet, StartLock, Store, StoreTx, Versioned } from '../api.js';
import type { AuthStore } from '../auth-api.js';
import { MysqlAuthStore, type SnapshotRows } from './auth-store.js';
import { MysqlConfigStore } from './config-store.js';
import { endpointOf, isolationOf, positive, prepareDatabase, withDeadline, type MysqlEndpointConfig } from './mysql-config.js';
import {
  RetryableFailure,
  classify,
  describe,
  isRetryable,
  toStoreError,
} from './mysql-errors.js';
import { MysqlOps, type Session, type WriteContext } from './mysql-ops.js';
import { DbPool, type Lease, type SessionSettings, type Timeouts } from './mysql-pool.js';
import { MysqlStartLocks } from './mysql-start-lock.js';
import { MysqlRuleStore } from './rules-store.js';
import { CLIENT, FEED_TABLES, INSTANCE, NAMESPACE, SERVICE, versioned, type Table } from './rows.js';

export type { MysqlEndpointConfig } from './mysql-config.js';

export interface MysqlStoreOptions {
  master: MysqlEndpointConfig;
  /** Read replica for `readChanges` and reads outside transactions; master when absent. */
  slave?: MysqlEndpointConfig;
  logger?: Logger;
  /** Session time_zone of every connection; the server default when absent. Nothing depends on it. */
  sessionTimeZone?: string;
  /** Recorded on first open; a different identity on the same database is refused. */
  clusterIdentity?: string;
  /** TCP connect timeout. Default 10000. */
  connectTimeoutMs?: number;
  /** Client-side timeout of one statement (full loads get 4×). Default 30000. */
  queryTimeoutMs?: number;
  /** innodb_lock_wait_timeout of the sessions, seconds. Default 10. */
  lockWaitTimeoutS?: number;
  /** Attempts of a transaction or read failing with a deadlock, lock timeout or lost connection. Default 10. */
  retryAttempts?: number;
}

const SEQ_CURRENT = 'SELECT seq FROM sys_seq WHERE id = 1';
// The row lock this takes is held until COMMIT: see stamp().
const SEQ_NEXT = 'UPDATE sys_seq SET seq = LAST_INSERT_ID(seq + 1) WHERE id = 1';

function feedSql<T>(t: Table<T>) {
  return {
    full: `SELECT ${t.select} FROM ${t.name} WHERE deleted = 0`,
    since: `SELECT ${t.select} FROM ${t.name} WHERE seq > ? ORDER BY seq`,
  };
}

const FEED = {
  namespace: feedSql(NAMESPACE),
  service: feedSql(SERVICE),
  instance: feedSql(INSTANCE),
  client: feedSql(CLIENT),
} as const;

const BACKOFF_BASE_MS = 10;
const BACKOFF_MAX_MS = 500;

/**
 * The cluster store: MySQL (or MariaDB) through mysql2 pools, shared by every server of a cluster.
 *
 * Change sequence, correct with writers in many processes: a write transaction writes its rows
 * with a private negative marker as seq. Just before COMMIT it takes the next value with
 * `UPDATE sys_seq SET seq = LAST_INSERT_ID(seq + 1)` and re-stamps its rows from the marker to
 * that value. The sys_seq row lock is held until COMMIT, so a second transaction can only take
 * the following value after the first committed: commit order equals seq order and the sequence
 * has no gaps (a rolled-back transaction gives its value back). `readChanges` reads sys_seq and
 * all tables in one REPEATABLE READ snapshot; the snapshot contains the transaction that wrote its
 * sys_seq value and therefore every transaction with a smaller one, and none with a larger one:
 * the rows it returns are exactly those with seq in (since, snapshot seq], and a reader never
 * steps past a transaction that commits later. The global lock is held only for the re-stamp and
 * the commit, not while `fn` runs. Times are epoch ms from the writing node; no query compares a
 * wall-clock time, so the session time zone and the DB clock do not matter (start locks use the DB
 * clock alone).
 *
 * Failures: deadlocks, lock wait timeouts and lost connections re-run the whole transaction (`fn`
 * included, so `fn` must not have side effects outside the store) or read, with backoff, up to
 * `retryAttempts`; then they reject with StoreError. A connection lost during COMMIT is not
 * retried (the outcome is unknown) and rejects with StoreError. Every statement has a timeout.
 *
 * Inside `transaction(fn)` use the `tx` handle only: the store's own methods run on other
 * connections and would wait for locks the transaction holds.
 */
export class MysqlStore implements Store {
  readonly name = 'mysql';
  private readonly locks: MysqlStartLocks;
  private readonly readOps: MysqlOps;
  private closed = false;

  private constructor(
    private readonly master: DbPool,
    private readonly reader: DbPool,
    private readonly attempts: number,
    private readonly logger: Logger | undefined,
  ) {
    this.locks = new MysqlStartLocks((what, fn) => this.withLease(this.master, what, fn), logger);
    this.readOps = new MysqlOps(this.readSession(), null);
  }

  /**
   * Connects, creates the database when missing, applies the schema migrations (serialised across
   * processes by a named server lock) and checks the cluster identity. Rejects with StoreError.
   */
  static async open(opts: MysqlStoreOptions): Promise<MysqlStore> {
    const logger = opts.logger?.child({ scope: 'store' });
    const timeouts: Timeouts = {
      connectMs: positive(opts.connectTimeoutMs, 10_000),
      queryMs: positive(opts.queryTimeoutMs, 30_000),
      acquireMs: positive(opts.connectTimeoutMs, 10_000) + positive(opts.queryTimeoutMs, 30_000),
    };
    const master = endpointOf(opts.master, 'master');
    const slave = opts.slave ? endpointOf(opts.slave, 'slave') : undefined;
    const settings: SessionSettings = {
      timeZone: opts.sessionTimeZone,
      lockWaitTimeoutS: positive(opts.lockWaitTimeoutS, 10),
      isolation: isolationOf(opts.master.txIsolationLevel),
    };
    let version: number;
    try {
      version = await withDeadline(prepareDatabase(master, timeouts, opts.clusterIdentity), 120_000, 'prepare database');
    } catch (err) {
      throw toStoreError(err, `open mysql store ${master.database} at ${master.host}:${master.port}`);
    }
    const masterPool = DbPool.create(master, settings, timeouts, logger);
    const readerPool = slave ? DbPool.create(slave, settings, timeouts, logger) : masterPool;
    const store = new MysqlStore(masterPool, readerPool, positive(opts.retryAttempts, 10), logger);
    if (slave) {
      try {
        await store.currentSeq();
      } catch (err) {
        await store.close();
        throw toStoreError(err, `open mysql slave ${slave.database} at ${slave.host}:${slave.port}`);
      }
    }
    logger?.info(
      { db: master.database, addr: `${master.host}:${master.port}`, slave: slave ? `${slave.host}:${slave.port}` : undefined, schemaVersion: version },
      'mysql store opened',
    );
    return store;
  }

  // ---- transactions and the change feed ----

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.runTransaction('transaction', (session, write) => fn(new MysqlOps(session, write)));
  }

  async readChanges(since: number): Promise<ChangeSet> {
    return this.snapshot('read changes', async (seq, rows) => {
      const feed = async <T>(t: Table<T>, sql: { full: string; since: string }): Promise<Versioned<T>[]> => {
        const list = since <= 0 ? await rows(sql.full) : await rows(sql.since, [since]);
        return list.map((r) => versioned(t, r));
      };
      return {
        seq,
        namespaces: await feed(NAMESPACE, FEED.namespace),
        services: await feed(SERVICE, FEED.service),
        instances: await feed(INSTANCE, FEED.instance),
        clients: await feed(CLIENT, FEED.client),
      };
    });
  }

  /**
   * The auth tables (users, groups, strategies) on this database: the same pools, the same
   * transaction machinery and the same change sequence as the naming tables.
   */
  auth(): AuthStore {
    return new MysqlAuthStore({
      transaction: (fn) => this.runTransaction('auth transaction', fn),
      reads: this.readSession(),
      snapshot: (what, fn) => this.snapshot(what, fn),
      currentSeq: () => this.currentSeq(),
    });
  }

  /**
   * The governance-rule tables on this database: the same pools, the same transaction machinery
   * and the same change sequence as the naming and auth tables (a rule write moves the one
   * sys_seq, and so does a naming write).
   */
  rules(): MysqlRuleStore {
    return new MysqlRuleStore({
      transaction: (fn) => this.runTransaction('rules transaction', fn),
      reads: this.readSession(),
      snapshot: (what, fn) => this.snapshot(what, fn),
      currentSeq: () => this.currentSeq(),
      exec: (what, sql, values) => this.withLease(this.master, what, (lease) => lease.exec(sql, values)),
    });
  }

  /**
   * The config-center tables on this database: the same pools, the same transaction machinery and
   * the same change sequence as the naming, auth and rule tables (a publish moves the one sys_seq,
   * which every node's config cache probes).
   */
  config(): MysqlConfigStore {
    return new MysqlConfigStore({
      transaction: (fn) => this.runTransaction('config transaction', fn),
      reads: this.readSession(),
      snapshot: (what, fn) => this.snapshot(what, fn),
      currentSeq: () => this.currentSeq(),
      exec: (what, sql, values) => this.withLease(this.master, what, (lease) => lease.exec(sql, values)),
    });
  }

  async currentSeq(): Promise<number> {
    return this.withLease(this.reader, 'current seq', async (lease) => Number((await lease.rows(SEQ_CURRENT))[0]?.[0] ?? 0));
  }

  async acquireStartLock(
    key: string,
    holder: string,
    opts: { timeoutMs: number; staleAfterMs: number },
  ): Promise<StartLock> {
    this.assertOpen();
    return this.locks.acquire(key, holder, opts);
  }

  /** Hard-deletes in batches (short locks); the age is judged by this node's clock. */
  async purgeTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const batch = 1000;
    let n = 0;
    for (const table of FEED_TABLES) {
      for (;;) {
        const res = await this.withLease(this.master, 'purge tombstones', (lease) =>
          lease.exec(`DELETE FROM ${table} WHERE deleted = 1 AND seq < ? AND mtime < ? ORDER BY seq LIMIT ${batch}`, [
            belowSeq,
            cutoff,
          ]),
        );
        n += res.affectedRows;
        if (res.affectedRows < batch) break;
      }
    }
    return n;
  }

  async purgeInstanceTombstone(id: string, belowSeq: number): Promise<number> {
    const res = await this.withLease(this.master, 'purge an instance tombstone', (lease) =>
      lease.exec('DELETE FROM instance WHERE id = ? AND deleted = 1 AND seq < ?', [id, belowSeq]),
    );
    return res.affectedRows;
  }

  /**
   * Closes the pools. Held start locks stop their heartbeat but are not released: release them
   * first, or they are taken over after staleAfterMs.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.locks.stopAll();
    await this.master.end();
    if (this.reader !== this.master) await this.reader.end();
    this.logger?.info('mysql store closed');
  }

  // ---- StoreTx outside a transaction: reads on the reader pool, writes as their own transaction ----

  getNamespace(name: string) { return this.readOps.getNamespace(name); }
  createNamespace(ns: Namespace) { return this.transaction((tx) => tx.createNamespace(ns)); }
  updateNamespace(ns: Namespace) { return this.transaction((tx) => tx.updateNamespace(ns)); }
  deleteNamespace(name: string) { return this.transaction((tx) => tx.deleteNamespace(name)); }
  countServicesInNamespace(name: string) { return this.readOps.countServicesInNamespace(name); }

  getService(namespace: string, name: string) { return this.readOps.getService(namespace, name); }
  getServiceById(id: string) { return this.readOps.getServiceById(id); }
  createService(svc: Service) { return this.transaction((tx) => tx.createService(svc)); }
  updateService(svc: Service) { return this.transaction((tx) => tx.updateService(svc)); }
  deleteService(id: string) { return this.transaction((tx) => tx.deleteService(id)); }
  countInstancesOfService(serviceId: string) { return this.readOps.countInstancesOfService(serviceId); }
  countAliasesOf(serviceId: string) { return this.readOps.countAliasesOf(serviceId); }

  getInstance(id: string) { return this.readOps.getInstance(id); }
  getInstances(ids: string[]) { return this.readOps.getInstances(ids); }
  listInstancesOfService(serviceId: string) { return this.readOps.listInstancesOfService(serviceId); }
  upsertInstances(list: Instance[]) { return this.transaction((tx) => tx.upsertInstances(list)); }
  deleteInstances(ids: string[]) { return this.transaction((tx) => tx.deleteInstances(ids)); }
  setInstancesHealth(changes: { id: string; healthy: boolean; revision: string }[]) {
    return this.transaction((tx) => tx.setInstancesHealth(changes));
  }

  upsertClients(list: Client[]) { return this.transaction((tx) => tx.upsertClients(list)); }
  deleteClients(ids: string[]) { return this.transaction((tx) => tx.deleteClients(ids)); }

  // ---- plumbing ----

  /**
   * A write transaction over any tables of the database (naming and auth alike): `fn` writes
   * through `session` with `write.marker` as seq; one stamp() before COMMIT gives every table it
   * changed the same next sequence value. Retried as a whole on retryable failures.
   */
  private runTransaction<T>(what: string, fn: (session: Session, write: WriteContext) => Promise<T>): Promise<T> {
    return this.retrying(what, () => this.attemptTransaction(fn));
  }

  /**
   * Runs `fn` in one REPEATABLE READ consistent snapshot on the reader pool, with sys_seq as of
   * that snapshot: the rows it reads are exactly those of the transactions with seq ≤ that value.
   * Statements get 4× the query timeout (full loads).
   */
  private snapshot<T>(what: string, fn: (seq: number, rows: SnapshotRows) => Promise<T>): Promise<T> {
    const timeout = this.reader.timeouts.queryMs * 4;
    return this.withLease(this.reader, what, async (lease) => {
      await lease.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await lease.begin('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const seq = Number((await lease.rows(SEQ_CURRENT))[0]?.[0] ?? 0);
      const out = await fn(seq, (sql, values = []) => lease.rows(sql, values, timeout));
      await lease.commit();
      return out;
    });
  }

  /** One attempt of a write transaction; RetryableFailure when it may be re-run as a whole. */
  private async attemptTransaction<T>(fn: (session: Session, write: WriteContext) => Promise<T>): Promise<T> {
    const lease = await this.lease(this.master, 'begin transaction');
    try {
      try {
        await lease.begin();
      } catch (err) {
        throw isRetryable(err) ? new RetryableFailure(err) : toStoreError(err, 'begin transaction');
      }
      const session = new TxSession(lease);
      const write: WriteContext = { marker: -randomInt(1, 2 ** 47), now: () => Date.now() };
      let result: T;
      try {
        result = await fn(session, write);
      } catch (err) {
        session.end();
        await lease.rollback();
        if (session.failure !== undefined && isRetryable(session.failure)) throw new RetryableFailure(session.failure);
        throw err;
      }
      session.end();
      if (session.failure !== undefined) {
        // fn swallowed a failure that ended the transaction on the server: never commit the rest.
        await lease.rollback();
        if (isRetryable(session.failure)) throw new RetryableFailure(session.failure);
        throw toStoreError(session.failure, 'transaction');
      }
      if (session.dirty.size > 0) await this.stamp(lease, session.dirty, write.marker);
      try {
        await lease.commit();
      } catch (err) {
        if (classify(err) === 'conflict') {
          await lease.rollback();
          throw new RetryableFailure(err);
        }
        if (classify(err) === 'connection' || classify(err) === 'timeout') {
          throw new StoreError(`commit: connection failed during COMMIT, the outcome is unknown: ${describe(err)}`, err);
        }
        throw toStoreError(err, 'commit');
      }
      return result;
    } finally {
      lease.release();
    }
  }

  /**
   * Takes the next change sequence and stamps it on the rows this transaction wrote. The sys_seq
   * row stays locked until COMMIT, so this is the serialisation point of all writers: keep it last.
   */
  private async stamp(lease: Lease, dirty: ReadonlySet<string>, marker: number): Promise<void> {
    try {
      const res = await lease.exec(SEQ_NEXT);
      const seq = Number(res.insertId);
      if (!Number.isSafeInteger(seq) || seq <= 0) throw new StoreError(`sys_seq returned ${String(res.insertId)}`);
      for (const table of [...dirty].sort()) {
        await lease.exec(`UPDATE ${table} SET seq = ? WHERE seq = ?`, [seq, marker]);
      }
    } catch (err) {
      await lease.rollback();
      if (isRetryable(err)) throw new RetryableFailure(err);
      throw toStoreError(err, 'take change sequence');
    }
  }

  private readSession(): Session {
    return {
      rows: (what, sql, values) => this.withLease(this.reader, what, (lease) => lease.rows(sql, values)),
      write: async (what) => {
        throw new StoreError(`${what}: write outside a transaction`);
      },
    };
  }

  /** Runs `fn` on a pooled connection, re-running it on retryable failures. */
  private withLease<T>(pool: DbPool, what: string, fn: (lease: Lease) => Promise<T>): Promise<T> {
    return this.retrying(what, async () => {
      const lease = await this.lease(pool, what);
      try {
        return await fn(lease);
      } catch (err) {
        if (err instanceof PolarisError || err instanceof RetryableFailure) throw err;
        throw isRetryable(err) ? new RetryableFailure(err) : toStoreError(err, what);
      } finally {
        lease.release();
      }
    });
  }

  private async lease(pool: DbPool, what: string): Promise<Lease> {
    this.assertOpen();
    try {
      return await pool.acquire();
    } catch (err) {
      throw isRetryable(err) ? new RetryableFailure(err) : toStoreError(err, `${what}: ${pool.role} connection`);
    }
  }

  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof RetryableFailure)) throw err;
        if (n >= this.attempts || this.closed) {
          this.logger?.warn({ what, attempts: n, err: err.message }, 'mysql store gave up');
          throw new StoreError(`${what}: failed after ${n} attempts: ${err.message}`, err.failure);
        }
        this.logger?.debug({ what, attempt: n, err: err.message }, 'mysql store retrying');
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
        await sleep(delay / 2 + Math.random() * delay);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('mysql store is closed');
  }
}

/**
 * A transaction's statements. A deadlock, lock wait timeout, lost connection or statement timeout
 * ends the transaction on the server (or leaves it unusable): it is recorded as `failure`, every
 * later statement rejects, and the transaction rolls back (and is re-run when retryable) whatever
 * `fn` did with the error. Other failures (a duplicate key) only undo their own statement.
 */
class TxSession implements Session {
  /** Tables this transaction changed rows of: their rows carry the marker until stamped. */
  readonly dirty = new Set<string>();
  failure: unknown = undefined;
  private ended = false;

  constructor(private readonly lease: Lease) {}

  end(): void {
    this.ended = true;
  }

  async rows(what: string, sql: string, values?: unknown[]): Promise<unknown[][]> {
    return (await this.run(what, sql, values)) as unknown[][];
  }

  async write(what: string, table: string, sql: string, values: unknown[]): Promise<ResultSetHeader> {
    const res = (await this.run(what, sql, values)) as ResultSetHeader;
    if (res.affectedRows > 0) this.dirty.add(table);
    return res;
  }

  private async run(what: string, sql: string, values?: unknown[]): Promise<unknown> {
    if (this.ended) throw new StoreError(`${what}: transaction already finished`);
    if (this.failure !== undefined) {
      throw new StoreError(`${what}: transaction already failed: ${describe(this.failure)}`, this.failure);
    }
    try {
      return await this.lease.query(sql, values);
    } catch (err) {
      const kind = classify(err);
      if (kind === 'conflict' || kind === 'connection' || kind === 'timeout') this.failure ??= err;
      throw toStoreError(err, what);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
