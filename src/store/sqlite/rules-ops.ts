import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Versioned } from '../api.js';
import type { RuleKind, RuleRow, RuleServiceKey, RuleWrites } from '../rules-api.js';
import { toStoreError } from './sqlite-errors.js';
import type { WriteContext } from './sqlite-ops.js';
import type { StatementCache } from './statement-cache.js';

/** Row of `gov_rule` as better-sqlite3 returns it. */
interface RuleRecord {
  kind: string;
  id: string;
  name: string;
  namespace: string;
  services: string;
  enable: number;
  revision: string;
  priority: number;
  body: string;
  etime: number;
  ctime: number;
  mtime: number;
  seq: number;
  deleted: number;
}

const COLUMNS = 'kind, id, name, namespace, services, enable, revision, priority, body, etime, ctime, mtime, seq, deleted';

export const RULE_SQL = {
  get: `SELECT ${COLUMNS} FROM gov_rule WHERE kind = ? AND id = ? AND deleted = 0`,
  byName: `SELECT ${COLUMNS} FROM gov_rule WHERE kind = ? AND namespace = ? AND name = ? AND deleted = 0 ORDER BY id LIMIT 1`,
  list: `SELECT ${COLUMNS} FROM gov_rule WHERE kind = ? AND deleted = 0 ORDER BY id`,
  listBound: `SELECT ${COLUMNS} FROM gov_rule r WHERE r.kind = ? AND r.deleted = 0 AND EXISTS (
    SELECT 1 FROM gov_rule_binding b WHERE b.kind = r.kind AND b.rule_id = r.id AND b.namespace = ? AND b.service = ?)
    ORDER BY r.id`,
  countBound: `SELECT COUNT(DISTINCT b.kind || char(0) || b.rule_id) FROM gov_rule_binding b
    WHERE b.namespace = ? AND b.service = ? AND b.kind IN (SELECT value FROM json_each(?))`,
  // A tombstone with the same key is revived as a new row; a live one is left alone (changes = 0).
  create: `INSERT INTO gov_rule (kind, id, name, namespace, services, enable, revision, priority, body, etime,
      ctime, mtime, seq, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
    ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace,
      services = excluded.services, enable = excluded.enable, revision = excluded.revision,
      priority = excluded.priority, body = excluded.body, etime = excluded.etime, ctime = excluded.ctime,
      mtime = excluded.mtime, seq = excluded.seq, deleted = 0
    WHERE gov_rule.deleted = 1`,
  update: `UPDATE gov_rule SET name = ?, namespace = ?, services = ?, enable = ?, revision = ?, priority = ?,
      body = ?, etime = ?, mtime = ?, seq = ?
    WHERE kind = ? AND id = ? AND deleted = 0`,
  delete: `UPDATE gov_rule SET deleted = 1, mtime = ?, seq = ? WHERE kind = ? AND id = ? AND deleted = 0`,
  unbind: `DELETE FROM gov_rule_binding WHERE kind = ? AND rule_id = ?`,
  bind: `INSERT OR IGNORE INTO gov_rule_binding (kind, rule_id, namespace, service) VALUES (?, ?, ?, ?)`,
  feedFull: `SELECT ${COLUMNS} FROM gov_rule WHERE deleted = 0`,
  feedSince: `SELECT ${COLUMNS} FROM gov_rule WHERE seq > ? ORDER BY seq`,
  purge: `DELETE FROM gov_rule WHERE deleted = 1 AND mtime < ? AND seq < ?`,
} as const;

export function ruleFromRecord(r: RuleRecord): RuleRow {
  return {
    kind: r.kind as RuleKind,
    id: r.id,
    name: r.name,
    namespace: r.namespace,
    services: JSON.parse(r.services) as RuleServiceKey[],
    enable: r.enable === 1,
    revision: r.revision,
    priority: r.priority,
    body: r.body,
    etime: r.etime,
    ctime: r.ctime,
    mtime: r.mtime,
  };
}

export function versionedRule(r: RuleRecord): Versioned<RuleRow> {
  return { seq: r.seq, deleted: r.deleted === 1, value: ruleFromRecord(r) };
}

/** Service keys without duplicates, in the order given. */
export function uniqueKeys(keys: readonly RuleServiceKey[]): RuleServiceKey[] {
  const seen = new Set<string>();
  const out: RuleServiceKey[] = [];
  for (const k of keys) {
    const id = `${k.namespace}\u0000${k.service}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ namespace: k.namespace, service: k.service });
  }
  return out;
}

/**
 * The RuleWrites operations over one connection: with a WriteContext the handle of a write
 * transaction (write connection), without one read-only (read connection). A transaction handle
 * is ended when its transaction settles; using it afterwards rejects with StoreError.
 */
export class SqliteRuleOps implements RuleWrites {
  private ended = false;

  constructor(
    private readonly conn: StatementCache,
    private readonly writeCtx: WriteContext | null,
  ) {}

  end(): void {
    this.ended = true;
  }

  async getRule(kind: RuleKind, id: string): Promise<RuleRow | undefined> {
    return this.run('get rule', (c) => {
      const r = c.prep(RULE_SQL.get).get(kind, id) as RuleRecord | undefined;
      return r ? ruleFromRecord(r) : undefined;
    });
  }

  async findRuleByName(kind: RuleKind, namespace: string, name: string): Promise<RuleRow | undefined> {
    return this.run('find rule by name', (c) => {
      const r = c.prep(RULE_SQL.byName).get(kind, namespace, name) as RuleRecord | undefined;
      return r ? ruleFromRecord(r) : undefined;
    });
  }

  async listRules(kind: RuleKind, bound?: RuleServiceKey): Promise<RuleRow[]> {
    return this.run('list rules', (c) => {
      const rows = (
        bound ? c.prep(RULE_SQL.listBound).all(kind, bound.namespace, bound.service) : c.prep(RULE_SQL.list).all(kind)
      ) as RuleRecord[];
      return rows.map(ruleFromRecord);
    });
  }

  async countRulesBoundTo(kinds: readonly RuleKind[], key: RuleServiceKey): Promise<number> {
    if (kinds.length === 0) return 0;
    return this.run('count bound rules', (c) => {
      return c.pluck(RULE_SQL.countBound).get(key.namespace, key.service, JSON.stringify(kinds)) as number;
    });
  }

  async createRule(row: RuleRow): Promise<void> {
    this.write(`create ${row.kind} rule`, (c, w) => {
      const now = w.now();
      const services = uniqueKeys(row.services);
      const info = c
        .prep(RULE_SQL.create)
        .run(
          row.kind,
          row.id,
          row.name,
          row.namespace,
          JSON.stringify(services),
          row.enable ? 1 : 0,
          row.revision,
          row.priority,
          row.body,
          row.etime,
          now,
          now,
          w.seq(),
        );
      if (info.changes === 0) throw new PolarisError(Code.ExistedResource, `${row.kind} rule ${row.id}`);
      this.rebind(c, row.kind, row.id, services);
    });
  }

  async updateRule(row: RuleRow): Promise<void> {
    this.write(`update ${row.kind} rule`, (c, w) => {
      const services = uniqueKeys(row.services);
      const info = c
        .prep(RULE_SQL.update)
        .run(
          row.name,
          row.namespace,
          JSON.stringify(services),
          row.enable ? 1 : 0,
          row.revision,
          row.priority,
          row.body,
          row.etime,
          w.now(),
          w.seq(),
          row.kind,
          row.id,
        );
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `${row.kind} rule ${row.id}`);
      this.rebind(c, row.kind, row.id, services);
    });
  }

  async deleteRule(kind: RuleKind, id: string): Promise<boolean> {
    return this.write(`delete ${kind} rule`, (c, w) => {
      const gone = c.prep(RULE_SQL.delete).run(w.now(), w.seq(), kind, id).changes > 0;
      if (gone) c.prep(RULE_SQL.unbind).run(kind, id);
      return gone;
    });
  }

  private rebind(c: StatementCache, kind: RuleKind, id: string, services: readonly RuleServiceKey[]): void {
    c.prep(RULE_SQL.unbind).run(kind, id);
    const bind = c.prep(RULE_SQL.bind);
    for (const k of services) bind.run(kind, id, k.namespace, k.service);
  }

  private run<T>(what: string, fn: (c: StatementCache) => T): T {
    if (this.ended) throw new StoreError(`${what}: transaction already finished`);
    try {
      return fn(this.conn);
    } catch (err) {
      throw toStoreError(err, what);
    }
  }

  private write<T>(what: string, fn: (c: StatementCache, w: WriteContext) => T): T {
    const w = this.writeCtx;
    if (!w) throw new StoreError(`${what}: write on the read-only connection`);
    return this.run(what, (c) => fn(c, w));
  }
}
