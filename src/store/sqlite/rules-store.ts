import type { Logger } from 'pino';
import type { RuleChangeSet, RuleKind, RuleRow, RuleServiceKey, RuleStore, RuleWrites } from '../rules-api.js';
import type { AsyncMutex } from './async-mutex.js';
import { RULE_SQL, SqliteRuleOps, versionedRule } from './rules-ops.js';
import { toStoreError } from './sqlite-errors.js';
import type { WriteContext } from './sqlite-ops.js';
import type { StatementCache } from './statement-cache.js';

/** What a SqliteStore lends the stores that share its file (`SqliteStore.rules()`). */
export interface SqliteShared {
  writer: StatementCache;
  reader: StatementCache;
  /** The store's write mutex: every write transaction of the process goes through it. */
  mutex: AsyncMutex;
  /** A fresh write context (lazy change sequence from `sys_seq`, store clock). */
  writeContext(): WriteContext;
  /** Throws StoreError once the store is closed. */
  assertOpen(): void;
  logger?: Logger;
}

const SEQ_CURRENT = 'SELECT seq FROM sys_seq WHERE id = 1';

/**
 * The governance rules on the SQLite store's file: same two connections, same write mutex and the
 * same change sequence as the naming data, so one sequence orders every change of the server.
 * Reads outside a transaction use the read connection (committed data only).
 */
export class SqliteRuleStore implements RuleStore {
  private readonly readOps: SqliteRuleOps;

  constructor(private readonly shared: SqliteShared) {
    this.readOps = new SqliteRuleOps(shared.reader, null);
  }

  async transaction<T>(fn: (tx: RuleWrites) => Promise<T>): Promise<T> {
    const s = this.shared;
    return s.mutex.runExclusive(async () => {
      s.assertOpen();
      const w = s.writer;
      try {
        w.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw toStoreError(err, 'begin rules transaction');
      }
      const tx = new SqliteRuleOps(w, s.writeContext());
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        tx.end();
        this.rollback();
        throw err;
      }
      tx.end();
      try {
        w.exec('COMMIT');
      } catch (err) {
        this.rollback();
        throw toStoreError(err, 'commit rules transaction');
      }
      return result;
    });
  }

  async readRuleChanges(since: number): Promise<RuleChangeSet> {
    this.shared.assertOpen();
    const r = this.shared.reader;
    try {
      // One read transaction: the sequence matches exactly the rows returned.
      r.exec('BEGIN');
      const seq = (r.prep(SEQ_CURRENT).get() as { seq: number }).seq;
      const rows = (since <= 0 ? r.prep(RULE_SQL.feedFull).all() : r.prep(RULE_SQL.feedSince).all(since)) as Parameters<
        typeof versionedRule
      >[0][];
      r.exec('COMMIT');
      return { seq, rules: rows.map(versionedRule) };
    } catch (err) {
      try {
        if (r.inTransaction) r.exec('ROLLBACK');
      } catch {
        // The first error is the one worth reporting.
      }
      throw toStoreError(err, 'read rule changes');
    }
  }

  async currentSeq(): Promise<number> {
    this.shared.assertOpen();
    try {
      return (this.shared.reader.prep(SEQ_CURRENT).get() as { seq: number }).seq;
    } catch (err) {
      throw toStoreError(err, 'current seq');
    }
  }

  async purgeRuleTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    const s = this.shared;
    return s.mutex.runExclusive(async () => {
      s.assertOpen();
      const w = s.writer;
      try {
        w.exec('BEGIN IMMEDIATE');
        const n = w.prep(RULE_SQL.purge).run(Date.now() - olderThanMs, belowSeq).changes;
        w.exec('COMMIT');
        return n;
      } catch (err) {
        this.rollback();
        throw toStoreError(err, 'purge rule tombstones');
      }
    });
  }

  // ---- RuleWrites outside a transaction: reads on the read connection, writes as their own tx ----

  getRule(kind: RuleKind, id: string) {
    return this.read(() => this.readOps.getRule(kind, id));
  }
  findRuleByName(kind: RuleKind, namespace: string, name: string) {
    return this.read(() => this.readOps.findRuleByName(kind, namespace, name));
  }
  listRules(kind: RuleKind, bound?: RuleServiceKey) {
    return this.read(() => this.readOps.listRules(kind, bound));
  }
  countRulesBoundTo(kinds: readonly RuleKind[], key: RuleServiceKey) {
    return this.read(() => this.readOps.countRulesBoundTo(kinds, key));
  }
  createRule(row: RuleRow) {
    return this.transaction((tx) => tx.createRule(row));
  }
  updateRule(row: RuleRow) {
    return this.transaction((tx) => tx.updateRule(row));
  }
  deleteRule(kind: RuleKind, id: string) {
    return this.transaction((tx) => tx.deleteRule(kind, id));
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    this.shared.assertOpen();
    return fn();
  }

  private rollback(): void {
    const w = this.shared.writer;
    try {
      if (w.inTransaction) w.exec('ROLLBACK');
    } catch (err) {
      this.shared.logger?.error({ err }, 'sqlite rollback failed');
    }
  }
}
