import type { ResultSetHeader } from 'mysql2/promise';
import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Client, Instance, Namespace, Service } from '../../common/model/naming.js';
import type { StoreTx } from '../api.js';
import { CLIENT, INSTANCE, NAMESPACE, SERVICE, type FeedTable, type Table } from './rows.js';

/**
 * Where the statements of a MysqlOps run: a transaction's connection, or (read-only) the pool.
 * Both throw domain errors: ExistedResource for a unique clash, StoreError otherwise.
 */
export interface Session {
  rows(what: string, sql: string, values?: unknown[]): Promise<unknown[][]>;
  /**
   * Runs a write statement of `table` (whose rows have `seq` and `deleted`); the table counts as
   * changed, and is stamped at commit, when rows were affected.
   */
  write(what: string, table: string, sql: string, values: unknown[]): Promise<ResultSetHeader>;
}

/**
 * The write side of one transaction. Rows are written with `marker`, a negative value unique to
 * the transaction, and re-stamped with the real change sequence right before COMMIT (see
 * MysqlStore.transaction).
 */
export interface WriteContext {
  marker: number;
  now(): number;
}

/** Rows per multi-row statement: well under max_allowed_packet and the placeholder limit. */
const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function nonKey(t: Table<unknown>): string[] {
  return t.columns.filter((c) => c !== t.key);
}

/*
 * SQL builders. Parameters: the table's columns in order, then what the store stamps.
 */

/** Parameters: columns, ctime, mtime, seq. */
function insertSql(t: Table<unknown>): string {
  return `INSERT INTO ${t.name} (${t.columns.join(', ')}, ctime, mtime, seq, deleted)
    VALUES (${marks(t.columns.length)}, ?, ?, ?, 0)`;
}

/** Brings a tombstone back as a new row. Parameters: non-key columns, ctime, mtime, seq, key. */
function reviveSql(t: Table<unknown>): string {
  const sets = nonKey(t).map((c) => `${c} = ?`);
  return `UPDATE ${t.name} SET ${sets.join(', ')}, ctime = ?, mtime = ?, seq = ?, deleted = 0
    WHERE ${t.key} = ? AND deleted = 1`;
}

/** Parameters: non-key columns, mtime, seq, key. Matches live rows only. */
function updateSql(t: Table<unknown>): string {
  const sets = nonKey(t).map((c) => `${c} = ?`);
  return `UPDATE ${t.name} SET ${sets.join(', ')}, mtime = ?, seq = ? WHERE ${t.key} = ? AND deleted = 0`;
}

/**
 * Inserts or replaces by key; ctime survives on a live row, a revived tombstone is new. MySQL
 * applies ON DUPLICATE KEY assignments left to right, so ctime must be decided before `deleted`
 * is reset. One parameter: the rows as arrays (columns, ctime, mtime, seq).
 */
function upsertSql(t: Table<unknown>): string {
  const sets = nonKey(t).map((c) => `${c} = VALUES(${c})`);
  return `INSERT INTO ${t.name} (${t.columns.join(', ')}, ctime, mtime, seq) VALUES ?
    ON DUPLICATE KEY UPDATE ctime = IF(deleted = 1, VALUES(ctime), ctime), ${sets.join(', ')},
    mtime = VALUES(mtime), seq = VALUES(seq), deleted = 0`;
}

const SQL = {
  getNamespace: `SELECT ${NAMESPACE.select} FROM namespace WHERE name = ? AND deleted = 0`,
  createNamespace: insertSql(NAMESPACE),
  reviveNamespace: reviveSql(NAMESPACE),
  namespaceState: 'SELECT deleted FROM namespace WHERE name = ?',
  updateNamespace: updateSql(NAMESPACE),
  deleteNamespace: 'UPDATE namespace SET deleted = 1, mtime = ?, seq = ? WHERE name = ? AND deleted = 0',
  countServicesInNamespace: 'SELECT COUNT(*) FROM service WHERE namespace = ? AND deleted = 0',

  getService: `SELECT ${SERVICE.select} FROM service WHERE namespace = ? AND name = ? AND deleted = 0`,
  getServiceById: `SELECT ${SERVICE.select} FROM service WHERE id = ? AND deleted = 0`,
  createService: insertSql(SERVICE),
  reviveService: reviveSql(SERVICE),
  serviceState: 'SELECT deleted FROM service WHERE id = ?',
  updateService: updateSql(SERVICE),
  deleteService: 'UPDATE service SET deleted = 1, mtime = ?, seq = ? WHERE id = ? AND deleted = 0',
  countInstancesOfService: 'SELECT COUNT(*) FROM instance WHERE service_id = ? AND deleted = 0',
  countAliasesOf: `SELECT COUNT(*) FROM service WHERE reference = ? AND deleted = 0 AND reference <> ''`,

  getInstances: `SELECT ${INSTANCE.select} FROM instance WHERE id IN (?) AND deleted = 0`,
  listInstancesOfService: `SELECT ${INSTANCE.select} FROM instance WHERE service_id = ? AND deleted = 0`,
  upsertInstances: upsertSql(INSTANCE),
  // Lock the live rows first so exactly those are deleted and reported.
  liveInstancesForUpdate: 'SELECT id FROM instance WHERE id IN (?) AND deleted = 0 FOR UPDATE',
  deleteInstances: 'UPDATE instance SET deleted = 1, mtime = ?, seq = ? WHERE id IN (?) AND deleted = 0',

  upsertClients: upsertSql(CLIENT),
  deleteClients: 'UPDATE client SET deleted = 1, mtime = ?, seq = ? WHERE id IN (?) AND deleted = 0',
} as const;

/** One statement updating health and revision of many instances: a derived table joined by id. */
function healthSql(n: number): string {
  const first = 'SELECT ? AS id, ? AS healthy, ? AS revision';
  const rest = Array.from({ length: n - 1 }, () => ' UNION ALL SELECT ?, ?, ?').join('');
  return `UPDATE instance i JOIN (${first}${rest}) c ON i.id = c.id
    SET i.healthy = c.healthy, i.revision = c.revision, i.mtime = ?, i.seq = ?
    WHERE i.deleted = 0`;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * The StoreTx operations over a Session. With a WriteContext it is a write transaction's handle;
 * without one it only reads (writes outside a transaction are routed by MysqlStore).
 */
export class MysqlOps implements StoreTx {
  constructor(
    private readonly session: Session,
    private readonly writeCtx: WriteContext | null,
  ) {}

  // ---- namespaces ----

  async getNamespace(name: string): Promise<Namespace | undefined> {
    const rows = await this.session.rows('get namespace', SQL.getNamespace, [name]);
    return rows.length === 0 ? undefined : NAMESPACE.decode(rows[0]);
  }

  async createNamespace(ns: Namespace): Promise<void> {
    await this.create(`namespace ${ns.name}`, NAMESPACE, ns, SQL.createNamespace, SQL.reviveNamespace, SQL.namespaceState);
  }

  async updateNamespace(ns: Namespace): Promise<void> {
    const w = this.w('update namespace');
    const res = await this.session.write('update namespace', 'namespace', SQL.updateNamespace, this.updateParams(NAMESPACE, ns, w));
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `namespace ${ns.name}`);
  }

  async deleteNamespace(name: string): Promise<boolean> {
    const w = this.w('delete namespace');
    const res = await this.session.write('delete namespace', 'namespace', SQL.deleteNamespace, [w.now(), w.marker, name]);
    return res.affectedRows > 0;
  }

  async countServicesInNamespace(name: string): Promise<number> {
    return this.count('count services', SQL.countServicesInNamespace, [name]);
  }

  // ---- services ----

  async getService(namespace: string, name: string): Promise<Service | undefined> {
    const rows = await this.session.rows('get service', SQL.getService, [namespace, name]);
    return rows.length === 0 ? undefined : SERVICE.decode(rows[0]);
  }

  async getServiceById(id: string): Promise<Service | undefined> {
    const rows = await this.session.rows('get service', SQL.getServiceById, [id]);
    return rows.length === 0 ? undefined : SERVICE.decode(rows[0]);
  }

  async createService(svc: Service): Promise<void> {
    const what = `service ${svc.namespace}/${svc.name} (id ${svc.id})`;
    await this.create(what, SERVICE, svc, SQL.createService, SQL.reviveService, SQL.serviceState);
  }

  async updateService(svc: Service): Promise<void> {
    const w = this.w('update service');
    const what = `update service ${svc.namespace}/${svc.name}`;
    const res = await this.session.write(what, 'service', SQL.updateService, this.updateParams(SERVICE, svc, w));
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `service id ${svc.id}`);
  }

  async deleteService(id: string): Promise<boolean> {
    const w = this.w('delete service');
    const res = await this.session.write('delete service', 'service', SQL.deleteService, [w.now(), w.marker, id]);
    return res.affectedRows > 0;
  }

  async countInstancesOfService(serviceId: string): Promise<number> {
    return this.count('count instances', SQL.countInstancesOfService, [serviceId]);
  }

  async countAliasesOf(serviceId: string): Promise<number> {
    return this.count('count aliases', SQL.countAliasesOf, [serviceId]);
  }

  // ---- instances ----

  async getInstance(id: string): Promise<Instance | undefined> {
    const [found] = await this.getInstances([id]);
    return found;
  }

  async getInstances(ids: string[]): Promise<Instance[]> {
    const out: Instance[] = [];
    for (const part of chunks(unique(ids), 1000)) {
      const rows = await this.session.rows('get instances', SQL.getInstances, [part]);
      for (const r of rows) out.push(INSTANCE.decode(r));
    }
    return out;
  }

  async listInstancesOfService(serviceId: string): Promise<Instance[]> {
    const rows = await this.session.rows('list instances', SQL.listInstancesOfService, [serviceId]);
    return rows.map((r) => INSTANCE.decode(r));
  }

  async upsertInstances(list: Instance[]): Promise<void> {
    if (list.length === 0) return;
    await this.upsert('upsert instances', 'instance', INSTANCE, list, SQL.upsertInstances);
  }

  async deleteInstances(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const w = this.w('delete instances');
    const deleted: string[] = [];
    for (const part of chunks(unique(ids).sort(), 1000)) {
      const rows = await this.session.rows('delete instances', SQL.liveInstancesForUpdate, [part]);
      const live = rows.map((r) => r[0] as string);
      if (live.length === 0) continue;
      await this.session.write('delete instances', 'instance', SQL.deleteInstances, [w.now(), w.marker, live]);
      deleted.push(...live);
    }
    return deleted;
  }

  async setInstancesHealth(changes: { id: string; healthy: boolean; revision: string }[]): Promise<void> {
    if (changes.length === 0) return;
    const w = this.w('set instances health');
    // The last change of an id wins; sorted ids take row locks in one order across writers.
    const byId = new Map(changes.map((c) => [c.id, c]));
    const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const part of chunks(sorted)) {
      const values: unknown[] = [];
      for (const c of part) values.push(c.id, c.healthy ? 1 : 0, c.revision);
      values.push(w.now(), w.marker);
      await this.session.write('set instances health', 'instance', healthSql(part.length), values);
    }
  }

  // ---- clients ----

  async upsertClients(list: Client[]): Promise<void> {
    if (list.length === 0) return;
    await this.upsert('upsert clients', 'client', CLIENT, list, SQL.upsertClients);
  }

  async deleteClients(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const w = this.w('delete clients');
    for (const part of chunks(unique(ids).sort(), 1000)) {
      await this.session.write('delete clients', 'client', SQL.deleteClients, [w.now(), w.marker, part]);
    }
  }

  // ---- plumbing ----

  /**
   * Insert; on a key clash, bring back a tombstone with that key as a new row, or reject with
   * ExistedResource when the clash is with a live row. The clash is checked with a plain read
   * first: a locking UPDATE right after a duplicate-key error makes concurrent creators of the
   * same key deadlock on the shared locks that error leaves behind.
   */
  private async create<T>(
    what: string,
    t: Table<T>,
    v: T,
    insert: string,
    revive: string,
    state: string,
  ): Promise<void> {
    const w = this.w(`create ${what}`);
    const values = t.values(v);
    const now = w.now();
    try {
      await this.session.write(`create ${what}`, t.name, insert, [...values, now, now, w.marker]);
      return;
    } catch (err) {
      if (!(err instanceof PolarisError) || err.code !== Code.ExistedResource) throw err;
    }
    const key = values[0];
    const rows = await this.session.rows(`create ${what}`, state, [key]);
    if (rows.length === 0 || Number(rows[0][0]) !== 1) throw new PolarisError(Code.ExistedResource, what);
    const res = await this.session.write(`create ${what}`, t.name, revive, [
      ...values.slice(1),
      now,
      now,
      w.marker,
      key,
    ]);
    if (res.affectedRows === 0) throw new PolarisError(Code.ExistedResource, what);
  }

  private async upsert<T>(what: string, table: FeedTable, t: Table<T>, list: T[], sql: string): Promise<void> {
    const w = this.w(what);
    const now = w.now();
    // Sorted by key: concurrent writers of overlapping sets lock rows in the same order.
    const rows = list.map((v) => {
      const values = t.values(v);
      values.push(now, now, w.marker);
      return values;
    });
    rows.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
    for (const part of chunks(rows)) await this.session.write(what, table, sql, [part]);
  }

  private updateParams<T>(t: Table<T>, v: T, w: WriteContext): unknown[] {
    const [key, ...rest] = t.values(v);
    return [...rest, w.now(), w.marker, key];
  }

  private async count(what: string, sql: string, values: unknown[]): Promise<number> {
    const rows = await this.session.rows(what, sql, values);
    return Number(rows[0]?.[0] ?? 0);
  }

  private w(what: string): WriteContext {
    if (!this.writeCtx) throw new StoreError(`${what}: write outside a transaction`);
    return this.writeCtx;
  }
}
