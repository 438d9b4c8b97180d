import type { ResultSetHeader } from 'mysql2/promise';
import type { RuleChangeSet, RuleKind, RuleRow, RuleServiceKey, RuleStore, RuleWrites } from '../rules-api.js';
import type { MysqlHandles } from './auth-store.js';
import { MysqlRuleOps, RULE_SQL, versionedRule } from './rules-ops.js';

/**
 * What the rule tables borrow from the MysqlStore that owns the database: its transaction
 * machinery, reader session and consistent snapshot (the handles the auth tables use too), plus
 * one statement on the master outside the change sequence, for purges.
 */
export interface MysqlRuleHandles extends MysqlHandles {
  /** Runs one statement on the master as its own implicit transaction; takes no sequence value. */
  exec(what: string, sql: string, values: unknown[]): Promise<ResultSetHeader>;
}

const PURGE_BATCH = 1000;

/**
 * The governance rules of the cluster store. Every write is a transaction of the owning
 * MysqlStore: rule, naming and auth writes take their values from the one `sys_seq` row, in commit
 * order and without gaps (see MysqlStore), so a rule write moves the naming sequence and the other
 * way round. Reads outside a transaction use the reader pool; the change feed reads sys_seq and
 * the rule rows in one consistent snapshot. Inside `transaction(fn)` use the `tx` handle only.
 */
export class MysqlRuleStore implements RuleStore {
  private readonly readOps: MysqlRuleOps;

  constructor(private readonly h: MysqlRuleHandles) {
    this.readOps = new MysqlRuleOps(h.reads, null);
  }

  transaction<T>(fn: (tx: RuleWrites) => Promise<T>): Promise<T> {
    return this.h.transaction((session, write) => fn(new MysqlRuleOps(session, write)));
  }

  readRuleChanges(since: number): Promise<RuleChangeSet> {
    return this.h.snapshot('read rule changes', async (seq, rows) => {
      const list = since <= 0 ? await rows(RULE_SQL.feedFull) : await rows(RULE_SQL.feedSince, [since]);
      return { seq, rules: list.map(versionedRule) };
    });
  }

  currentSeq(): Promise<number> {
    return this.h.currentSeq();
  }

  /** Hard-deletes in batches (short locks); the age is judged by this node's clock. */
  async purgeRuleTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let n = 0;
    for (;;) {
      const res = await this.h.exec('purge rule tombstones', RULE_SQL.purge(PURGE_BATCH), [belowSeq, cutoff]);
      n += res.affectedRows;
      if (res.affectedRows < PURGE_BATCH) return n;
    }
  }

  // ---- single operations: reads on the reader pool, writes as their own transaction ----

  getRule(kind: RuleKind, id: string) { return this.readOps.getRule(kind, id); }
  findRuleByName(kind: RuleKind, namespace: string, name: string) { return this.readOps.findRuleByName(kind, namespace, name); }
  listRules(kind: RuleKind, bound?: RuleServiceKey) { return this.readOps.listRules(kind, bound); }
  countRulesBoundTo(kinds: readonly RuleKind[], key: RuleServiceKey) { return this.readOps.countRulesBoundTo(kinds, key); }
  createRule(row: RuleRow) { return this.transaction((tx) => tx.createRule(row)); }
  updateRule(row: RuleRow) { return this.transaction((tx) => tx.updateRule(row)); }
  deleteRule(kind: RuleKind, id: string) { return this.transaction((tx) => tx.deleteRule(kind, id)); }
}
