import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Versioned } from '../api.js';
import type { RuleKind, RuleRow, RuleServiceKey, RuleWrites } from '../rules-api.js';
import type { Session, WriteContext } from './mysql-ops.js';

/*
 * The RuleWrites operations of the MySQL store over a Session (schema in rules-schema.ts). Rows
 * come back as arrays in the order of COLUMNS.
 */

const RULE = 'gov_rule';
const BINDING = 'gov_rule_binding';

const COLUMNS = 'kind, id, name, namespace, services, enable, revision, priority, body, etime, ctime, mtime, seq, deleted';
const R_COLUMNS = COLUMNS.split(', ')
  .map((c) => `r.${c}`)
  .join(', ');

/** Rows per multi-row binding insert. */
const CHUNK = 500;

export const RULE_SQL = {
  get: `SELECT ${COLUMNS} FROM ${RULE} WHERE kind = ? AND id = ? AND deleted = 0`,
  byName: `SELECT ${COLUMNS} FROM ${RULE} WHERE kind = ? AND namespace = ? AND name = ? AND deleted = 0 ORDER BY id LIMIT 1`,
  list: `SELECT ${COLUMNS} FROM ${RULE} WHERE kind = ? AND deleted = 0 ORDER BY id`,
  // Bindings exist for live rules only and are unique per (kind, rule, key): no duplicates.
  listBound: `SELECT ${R_COLUMNS} FROM ${BINDING} b JOIN ${RULE} r ON r.kind = b.kind AND r.id = b.rule_id
    WHERE b.namespace = ? AND b.service = ? AND b.kind = ? AND r.deleted = 0 ORDER BY r.id`,
  countBound: `SELECT COUNT(DISTINCT kind, rule_id) FROM ${BINDING} WHERE namespace = ? AND service = ? AND kind IN (?)`,
  /** Parameters: kind, id, name … etime, ctime, mtime, seq. */
  insert: `INSERT INTO ${RULE} (kind, id, name, namespace, services, enable, revision, priority, body, etime,
      ctime, mtime, seq, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  /** A plain (non-locking) read of the key's state after a clash: see MysqlOps.create. */
  state: `SELECT deleted FROM ${RULE} WHERE kind = ? AND id = ?`,
  /** Brings a tombstone back as a new row. Parameters: name … etime, ctime, mtime, seq, kind, id. */
  revive: `UPDATE ${RULE} SET name = ?, namespace = ?, services = ?, enable = ?, revision = ?, priority = ?,
      body = ?, etime = ?, ctime = ?, mtime = ?, seq = ?, deleted = 0
    WHERE kind = ? AND id = ? AND deleted = 1`,
  /** Parameters: name … etime, mtime, seq, kind, id. Live rows only; ctime is kept. */
  update: `UPDATE ${RULE} SET name = ?, namespace = ?, services = ?, enable = ?, revision = ?, priority = ?,
      body = ?, etime = ?, mtime = ?, seq = ?
    WHERE kind = ? AND id = ? AND deleted = 0`,
  remove: `UPDATE ${RULE} SET deleted = 1, mtime = ?, seq = ? WHERE kind = ? AND id = ? AND deleted = 0`,
  unbind: `DELETE FROM ${BINDING} WHERE kind = ? AND rule_id = ?`,
  // Keys are deduplicated before; a clash can only come from the collation's trailing-space
  // padding ('a' = 'a '), where one binding row serves both spellings.
  bind: `INSERT INTO ${BINDING} (kind, rule_id, namespace, service, seq) VALUES ?
    ON DUPLICATE KEY UPDATE seq = VALUES(seq)`,
  feedFull: `SELECT ${COLUMNS} FROM ${RULE} WHERE deleted = 0`,
  feedSince: `SELECT ${COLUMNS} FROM ${RULE} WHERE seq > ? ORDER BY seq`,
  /** Parameters: belowSeq, cutoff (epoch ms). In batches: short locks. */
  purge: (batch: number) => `DELETE FROM ${RULE} WHERE deleted = 1 AND seq < ? AND mtime < ? ORDER BY seq LIMIT ${batch}`,
} as const;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function ruleFromRecord(r: unknown[]): RuleRow {
  return {
    kind: r[0] as RuleKind,
    id: r[1] as string,
    name: r[2] as string,
    namespace: r[3] as string,
    services: JSON.parse(r[4] as string) as RuleServiceKey[],
    enable: num(r[5]) === 1,
    revision: r[6] as string,
    priority: num(r[7]),
    body: r[8] as string,
    etime: num(r[9]),
    ctime: num(r[10]),
    mtime: num(r[11]),
  };
}

export function versionedRule(r: unknown[]): Versioned<RuleRow> {
  return { seq: num(r[12]), deleted: num(r[13]) === 1, value: ruleFromRecord(r) };
}

/** Service keys without duplicates, in the order given. */
function uniqueKeys(keys: readonly RuleServiceKey[]): RuleServiceKey[] {
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

/** The columns a create or update sets, from name to etime (services deduplicated). */
function bodyColumns(row: RuleRow, services: readonly RuleServiceKey[]): unknown[] {
  return [
    row.name,
    row.namespace,
    JSON.stringify(services),
    row.enable ? 1 : 0,
    row.revision,
    row.priority,
    row.body,
    row.etime,
  ];
}

/**
 * The RuleWrites operations over a Session: with a WriteContext the handle of one write
 * transaction of the MysqlStore (rows carry the transaction's marker until the store re-stamps
 * them with the shared change sequence before COMMIT), without one the read side (writes refused).
 * Times are this node's clock, as for the naming tables.
 */
export class MysqlRuleOps implements RuleWrites {
  constructor(
    private readonly session: Session,
    private readonly writeCtx: WriteContext | null,
  ) {}

  async getRule(kind: RuleKind, id: string): Promise<RuleRow | undefined> {
    const rows = await this.session.rows('get rule', RULE_SQL.get, [kind, id]);
    return rows.length === 0 ? undefined : ruleFromRecord(rows[0]);
  }

  async findRuleByName(kind: RuleKind, namespace: string, name: string): Promise<RuleRow | undefined> {
    const rows = await this.session.rows('find rule by name', RULE_SQL.byName, [kind, namespace, name]);
    return rows.length === 0 ? undefined : ruleFromRecord(rows[0]);
  }

  async listRules(kind: RuleKind, bound?: RuleServiceKey): Promise<RuleRow[]> {
    const rows = bound
      ? await this.session.rows('list rules', RULE_SQL.listBound, [bound.namespace, bound.service, kind])
      : await this.session.rows('list rules', RULE_SQL.list, [kind]);
    return rows.map(ruleFromRecord);
  }

  async countRulesBoundTo(kinds: readonly RuleKind[], key: RuleServiceKey): Promise<number> {
    if (kinds.length === 0) return 0;
    const rows = await this.session.rows('count bound rules', RULE_SQL.countBound, [key.namespace, key.service, [...kinds]]);
    return num(rows[0]?.[0] ?? 0);
  }

  /**
   * Insert; on a key clash, bring back a tombstone with that key as a new row, or reject with
   * ExistedResource when the clash is with a live row. As in MysqlOps.create, the clash is checked
   * with a plain read (a locking statement right after a duplicate-key error makes concurrent
   * creators of one key deadlock).
   */
  async createRule(row: RuleRow): Promise<void> {
    const what = `create ${row.kind} rule ${row.id}`;
    const w = this.w(what);
    const services = uniqueKeys(row.services);
    const cols = bodyColumns(row, services);
    const now = w.now();
    try {
      await this.session.write(what, RULE, RULE_SQL.insert, [row.kind, row.id, ...cols, now, now, w.marker]);
    } catch (err) {
      if (!(err instanceof PolarisError) || err.code !== Code.ExistedResource) throw err;
      const state = await this.session.rows(what, RULE_SQL.state, [row.kind, row.id]);
      if (state.length === 0 || num(state[0][0]) !== 1) throw new PolarisError(Code.ExistedResource, `${row.kind} rule ${row.id}`);
      const res = await this.session.write(what, RULE, RULE_SQL.revive, [...cols, now, now, w.marker, row.kind, row.id]);
      if (res.affectedRows === 0) throw new PolarisError(Code.ExistedResource, `${row.kind} rule ${row.id}`);
    }
    await this.rebind(what, w, row.kind, row.id, services);
  }

  async updateRule(row: RuleRow): Promise<void> {
    const what = `update ${row.kind} rule ${row.id}`;
    const w = this.w(what);
    const services = uniqueKeys(row.services);
    const res = await this.session.write(what, RULE, RULE_SQL.update, [
      ...bodyColumns(row, services),
      w.now(),
      w.marker,
      row.kind,
      row.id,
    ]);
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `${row.kind} rule ${row.id}`);
    await this.rebind(what, w, row.kind, row.id, services);
  }

  async deleteRule(kind: RuleKind, id: string): Promise<boolean> {
    const what = `delete ${kind} rule ${id}`;
    const w = this.w(what);
    // Nothing affected: the table is not marked changed, so the transaction takes no sequence value.
    const res = await this.session.write(what, RULE, RULE_SQL.remove, [w.now(), w.marker, kind, id]);
    if (res.affectedRows === 0) return false;
    await this.session.write(what, BINDING, RULE_SQL.unbind, [kind, id]);
    return true;
  }

  /** Replaces the bindings of a rule (whose row this transaction holds locked). */
  private async rebind(
    what: string,
    w: WriteContext,
    kind: RuleKind,
    id: string,
    services: readonly RuleServiceKey[],
  ): Promise<void> {
    await this.session.write(what, BINDING, RULE_SQL.unbind, [kind, id]);
    for (let i = 0; i < services.length; i += CHUNK) {
      const part = services.slice(i, i + CHUNK).map((k) => [kind, id, k.namespace, k.service, w.marker]);
      await this.session.write(what, BINDING, RULE_SQL.bind, [part]);
    }
  }

  private w(what: string): WriteContext {
    if (!this.writeCtx) throw new StoreError(`${what}: write outside a transaction`);
    return this.writeCtx;
  }
}
