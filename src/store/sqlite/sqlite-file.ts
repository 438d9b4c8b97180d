import type { Logger } from 'pino';
import { StoreError } from '../../common/errors/polaris-error.js';
import { AsyncMutex } from './async-mutex.js';
import { toStoreError } from './sqlite-errors.js';
import type { WriteContext } from './sqlite-ops.js';
import type { StatementCache } from './statement-cache.js';

const SEQ_NEXT = 'UPDATE sys_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq';
const SEQ_CURRENT = 'SELECT seq FROM sys_seq WHERE id = 1';

/** A transaction's ops object: `end()` makes it refuse further use once the transaction is over. */
export interface TxOps {
  end(): void;
}

/**
 * One SQLite file's shared plumbing: the write and read connections, the in-process write mutex,
 * the change sequence (`sys_seq`) and the open/closed state. SqliteStore creates one and lends the
 * same instance to its rules, auth and config stores, so every write of the process goes through
 * one mutex and one sequence orders every change.
 */
export class SqliteFile {
  private readonly mutex = new AsyncMutex();
  private closed = false;

  constructor(
    readonly writer: StatementCache,
    readonly reader: StatementCache,
    readonly logger: Logger | undefined,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws StoreError once the file is closed. */
  assertOpen(): void {
    if (this.closed) throw new StoreError('sqlite store is closed');
  }

  /** A fresh write context: takes the next sequence value on first use only, plus the store clock. */
  writeContext(): WriteContext {
    let seq = 0;
    return {
      seq: () => {
        if (seq === 0) seq = (this.writer.prep(SEQ_NEXT).get() as { seq: number }).seq;
        return seq;
      },
      now: () => Date.now(),
    };
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction on the write connection, under the mutex, with the ops
   * `makeOps` builds on a fresh write context. `what` names it in errors (`begin <what>`, `commit <what>`).
   */
  writeTransaction<Tx, T>(
    what: string,
    makeOps: (w: StatementCache, ctx: WriteContext) => Tx & TxOps,
    fn: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    return this.mutex.runExclusive(async () => {
      this.assertOpen();
      const w = this.writer;
      try {
        w.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw toStoreError(err, `begin ${what}`);
      }
      const ops = makeOps(w, this.writeContext());
      let result: T;
      try {
        result = await fn(ops);
      } catch (err) {
        ops.end();
        this.rollback();
        throw err;
      }
      ops.end();
      try {
        w.exec('COMMIT');
      } catch (err) {
        this.rollback();
        throw toStoreError(err, `commit ${what}`);
      }
      return result;
    });
  }

  /** Runs `fn` in one read transaction on the read connection, with the sequence it sees. */
  async readSnapshot<T>(what: string, fn: (r: StatementCache, seq: number) => T): Promise<T> {
    this.assertOpen();
    const r = this.reader;
    try {
      r.exec('BEGIN');
      const seq = (r.prep(SEQ_CURRENT).get() as { seq: number }).seq;
      const result = fn(r, seq);
      r.exec('COMMIT');
      return result;
    } catch (err) {
      try {
        if (r.inTransaction) r.exec('ROLLBACK');
      } catch {
        // The read transaction ends with the connection anyway; report the first error.
      }
      throw toStoreError(err, what);
    }
  }

  /** A raw write transaction (under the mutex) that takes no change sequence: purges, start locks. */
  writeStatement<T>(what: string, fn: (w: StatementCache) => T): Promise<T> {
    return this.mutex.runExclusive(async () => {
      this.assertOpen();
      const w = this.writer;
      try {
        w.exec('BEGIN IMMEDIATE');
        const result = fn(w);
        w.exec('COMMIT');
        return result;
      } catch (err) {
        this.rollback();
        throw toStoreError(err, what);
      }
    });
  }

  async currentSeq(): Promise<number> {
    this.assertOpen();
    try {
      return (this.reader.prep(SEQ_CURRENT).get() as { seq: number }).seq;
    } catch (err) {
      throw toStoreError(err, 'current seq');
    }
  }

  /** Closes both connections once pending writes finished. */
  async close(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      this.reader.close();
      this.writer.close();
    });
  }

  private rollback(): void {
    try {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
    } catch (err) {
      this.logger?.error({ err }, 'sqlite rollback failed');
    }
  }
}
