import type { RuleChangeSet, RuleKind, RuleRow, RuleServiceKey, RuleStore, RuleWrites } from '../rules-api.js';
import { RULE_SQL, SqliteRuleOps, versionedRule } from './rules-ops.js';
import type { SqliteFile } from './sqlite-file.js';

/**
 * The governance rules on the SQLite store's file: same two connections, same write mutex and the
 * same change sequence as the naming data, so one sequence orders every change of the server.
 * Reads outside a transaction use the read connection (committed data only).
 */
export class SqliteRuleStore implements RuleStore {
  private readonly readOps: SqliteRuleOps;

  constructor(private readonly file: SqliteFile) {
    this.readOps = new SqliteRuleOps(file.reader, null);
  }

  async transaction<T>(fn: (tx: RuleWrites) => Promise<T>): Promise<T> {
    return this.file.writeTransaction('rules transaction', (w, ctx) => new SqliteRuleOps(w, ctx), fn);
  }

  async readRuleChanges(since: number): Promise<RuleChangeSet> {
    // One read transaction: the sequence matches exactly the rows returned.
    return this.file.readSnapshot('read rule changes', (r, seq) => {
      const rows = (since <= 0 ? r.prep(RULE_SQL.feedFull).all() : r.prep(RULE_SQL.feedSince).all(since)) as Parameters<
        typeof versionedRule
      >[0][];
      return { seq, rules: rows.map(versionedRule) };
    });
  }

  async currentSeq(): Promise<number> {
    return this.file.currentSeq();
  }

  async purgeRuleTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    return this.file.writeStatement('purge rule tombstones', (w) =>
      w.prep(RULE_SQL.purge).run(Date.now() - olderThanMs, belowSeq).changes,
    );
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
    this.file.assertOpen();
    return fn();
  }
}
