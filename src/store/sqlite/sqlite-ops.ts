import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Client, Instance, Namespace, Service } from '../../common/model/naming.js';
import type { StoreTx } from '../api.js';
import {
  CLIENT_WRITE,
  INSTANCE_PACKED,
  INSTANCE_WRITE,
  NAMESPACE_PACKED,
  NAMESPACE_WRITE,
  SERVICE_PACKED,
  SERVICE_WRITE,
  instanceFromPacked,
  namespaceFromPacked,
  serviceFromPacked,
  type TableWrite,
} from './rows.js';
import { toStoreError } from './sqlite-errors.js';
import type { StatementCache } from './statement-cache.js';

/** The write side of one transaction: its change sequence (taken once, lazily) and the clock. */
export interface WriteContext {
  seq(): number;
  now(): number;
}

/*
 * SQL builders. Parameters: the table's columns in order, then (ctime,) mtime, seq as the store
 * stamps them.
 */

function insertSql(t: TableWrite<unknown>): string {
  const marks = t.columns.map(() => '?').join(', ');
  return `INSERT INTO ${t.table} (${t.columns.join(', ')}, ctime, mtime, seq, deleted) VALUES (${marks}, ?, ?, ?, 0)`;
}

function setFromExcluded(t: TableWrite<unknown>): string {
  return t.columns
    .filter((c) => c !== t.key)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
}

/**
 * Creates a row, or brings back a tombstone with the same key as a new row (new ctime). A live
 * row with that key is left alone: `changes` is 0 then.
 */
function createSql(t: TableWrite<unknown>): string {
  return `${insertSql(t)} ON CONFLICT (${t.key}) DO UPDATE SET ${setFromExcluded(t)},
    ctime = excluded.ctime, mtime = excluded.mtime, seq = excluded.seq, deleted = 0
    WHERE ${t.table}.deleted = 1`;
}

/** Inserts or replaces by key; ctime survives on a live row, a revived tombstone is new. */
function upsertSql(t: TableWrite<unknown>): string {
  return `${insertSql(t)} ON CONFLICT (${t.key}) DO UPDATE SET ${setFromExcluded(t)},
    ctime = CASE WHEN ${t.table}.deleted = 1 THEN excluded.ctime ELSE ${t.table}.ctime END,
    mtime = excluded.mtime, seq = excluded.seq, deleted = 0`;
}

/** Parameters: the non-key columns, mtime, seq, key. */
function updateSql(t: TableWrite<unknown>): string {
  const sets = t.columns.filter((c) => c !== t.key).map((c) => `${c} = ?`);
  return `UPDATE ${t.table} SET ${sets.join(', ')}, mtime = ?, seq = ? WHERE ${t.key} = ? AND deleted = 0`;
}

function updateParams<T>(t: TableWrite<T>, v: T, now: number, seq: number): unknown[] {
  const [key, ...rest] = t.values(v);
  return [...rest, now, seq, key];
}

const SQL = {
  getNamespace: `SELECT ${NAMESPACE_PACKED} FROM namespace WHERE name = ? AND deleted = 0`,
  // Re-creating a deleted name revives the same row (the PK is the name), so the change feed
  // carries exactly one, newest, state for the key.
  createNamespace: createSql(NAMESPACE_WRITE),
  updateNamespace: updateSql(NAMESPACE_WRITE),
  deleteNamespace: `UPDATE namespace SET deleted = 1, mtime = ?, seq = ? WHERE name = ? AND deleted = 0`,
  countServicesInNamespace: `SELECT COUNT(*) FROM service WHERE namespace = ? AND deleted = 0`,

  getService: `SELECT ${SERVICE_PACKED} FROM service WHERE namespace = ? AND name = ? AND deleted = 0`,
  getServiceById: `SELECT ${SERVICE_PACKED} FROM service WHERE id = ? AND deleted = 0`,
  // A tombstoned id is revived; a live (namespace, name) clash hits the partial unique index.
  createService: createSql(SERVICE_WRITE),
  updateService: updateSql(SERVICE_WRITE),
  deleteService: `UPDATE service SET deleted = 1, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,
  countInstancesOfService: `SELECT COUNT(*) FROM instance WHERE service_id = ? AND deleted = 0`,
  countAliasesOf: `SELECT COUNT(*) FROM service WHERE reference = ? AND deleted = 0 AND reference <> ''`,

  getInstance: `SELECT ${INSTANCE_PACKED} FROM instance WHERE id = ? AND deleted = 0`,
  getInstances: `SELECT ${INSTANCE_PACKED} FROM instance
    WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0`,
  listInstancesOfService: `SELECT ${INSTANCE_PACKED} FROM instance WHERE service_id = ? AND deleted = 0`,
  upsertInstance: upsertSql(INSTANCE_WRITE),
  deleteInstances: `UPDATE instance SET deleted = 1, mtime = ?, seq = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0 RETURNING id`,
  setInstanceHealth: `UPDATE instance SET healthy = ?, revision = ?, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,

  upsertClient: upsertSql(CLIENT_WRITE),
  deleteClients: `UPDATE client SET deleted = 1, mtime = ?, seq = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0`,
} as const;

/**
 * The StoreTx operations over one connection. With a WriteContext it is a write transaction's
 * handle (write connection, inside BEGIN IMMEDIATE); without one it only reads (the read
 * connection). A transaction handle is ended when its transaction settles; using it afterwards
 * rejects with StoreError.
 */
export class SqliteOps implements StoreTx {
  private ended = false;

  constructor(
    private readonly conn: StatementCache,
    private readonly writeCtx: WriteContext | null,
  ) {}

  end(): void {
    this.ended = true;
  }

  // ---- namespaces ----

  async getNamespace(name: string): Promise<Namespace | undefined> {
    return this.run('get namespace', (c) => {
      const text = c.pluck(SQL.getNamespace).get(name) as string | undefined;
      return text === undefined ? undefined : namespaceFromPacked(JSON.parse(text));
    });
  }

  async createNamespace(ns: Namespace): Promise<void> {
    this.write('create namespace', (c, w) => {
      const now = w.now();
      const info = c.prep(SQL.createNamespace).run(...NAMESPACE_WRITE.values(ns), now, now, w.seq());
      if (info.changes === 0) throw new PolarisError(Code.ExistedResource, `namespace ${ns.name}`);
    });
  }

  async updateNamespace(ns: Namespace): Promise<void> {
    this.write('update namespace', (c, w) => {
      const info = c.prep(SQL.updateNamespace).run(updateParams(NAMESPACE_WRITE, ns, w.now(), w.seq()));
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `namespace ${ns.name}`);
    });
  }

  async deleteNamespace(name: string): Promise<boolean> {
    return this.write('delete namespace', (c, w) => c.prep(SQL.deleteNamespace).run(w.now(), w.seq(), name).changes > 0);
  }

  async countServicesInNamespace(name: string): Promise<number> {
    return this.run('count services', (c) => c.pluck(SQL.countServicesInNamespace).get(name) as number);
  }

  // ---- services ----

  async getService(namespace: string, name: string): Promise<Service | undefined> {
    return this.run('get service', (c) => {
      const text = c.pluck(SQL.getService).get(namespace, name) as string | undefined;
      return text === undefined ? undefined : serviceFromPacked(JSON.parse(text));
    });
  }

  async getServiceById(id: string): Promise<Service | undefined> {
    return this.run('get service', (c) => {
      const text = c.pluck(SQL.getServiceById).get(id) as string | undefined;
      return text === undefined ? undefined : serviceFromPacked(JSON.parse(text));
    });
  }

  async createService(svc: Service): Promise<void> {
    this.write(`create service ${svc.namespace}/${svc.name}`, (c, w) => {
      const now = w.now();
      const info = c.prep(SQL.createService).run(...SERVICE_WRITE.values(svc), now, now, w.seq());
      if (info.changes === 0) throw new PolarisError(Code.ExistedResource, `service id ${svc.id}`);
    });
  }

  async updateService(svc: Service): Promise<void> {
    this.write(`update service ${svc.namespace}/${svc.name}`, (c, w) => {
      const info = c.prep(SQL.updateService).run(updateParams(SERVICE_WRITE, svc, w.now(), w.seq()));
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `service id ${svc.id}`);
    });
  }

  async deleteService(id: string): Promise<boolean> {
    return this.write('delete service', (c, w) => c.prep(SQL.deleteService).run(w.now(), w.seq(), id).changes > 0);
  }

  async countInstancesOfService(serviceId: string): Promise<number> {
    return this.run('count instances', (c) => c.pluck(SQL.countInstancesOfService).get(serviceId) as number);
  }

  async countAliasesOf(serviceId: string): Promise<number> {
    return this.run('count aliases', (c) => c.pluck(SQL.countAliasesOf).get(serviceId) as number);
  }

  // ---- instances ----

  async getInstance(id: string): Promise<Instance | undefined> {
    return this.run('get instance', (c) => {
      const text = c.pluck(SQL.getInstance).get(id) as string | undefined;
      return text === undefined ? undefined : instanceFromPacked(JSON.parse(text));
    });
  }

  async getInstances(ids: string[]): Promise<Instance[]> {
    if (ids.length === 0) return [];
    return this.run('get instances', (c) =>
      (c.pluck(SQL.getInstances).all(JSON.stringify(ids)) as string[]).map((t) => instanceFromPacked(JSON.parse(t))),
    );
  }

  async listInstancesOfService(serviceId: string): Promise<Instance[]> {
    return this.run('list instances', (c) =>
      (c.pluck(SQL.listInstancesOfService).all(serviceId) as string[]).map((t) => instanceFromPacked(JSON.parse(t))),
    );
  }

  async upsertInstances(list: Instance[]): Promise<void> {
    if (list.length === 0) return;
    this.write('upsert instances', (c, w) => {
      const stmt = c.prep(SQL.upsertInstance);
      const now = w.now();
      const seq = w.seq();
      for (const ins of list) {
        const values = INSTANCE_WRITE.values(ins);
        values.push(now, now, seq);
        stmt.run(values);
      }
    });
  }

  async deleteInstances(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.write('delete instances', (c, w) => {
      return c.pluck(SQL.deleteInstances).all(w.now(), w.seq(), JSON.stringify(ids)) as string[];
    });
  }

  async setInstancesHealth(changes: { id: string; healthy: boolean; revision: string }[]): Promise<void> {
    if (changes.length === 0) return;
    this.write('set instances health', (c, w) => {
      const stmt = c.prep(SQL.setInstanceHealth);
      const now = w.now();
      const seq = w.seq();
      for (const ch of changes) stmt.run(ch.healthy ? 1 : 0, ch.revision, now, seq, ch.id);
    });
  }

  // ---- clients ----

  async upsertClients(list: Client[]): Promise<void> {
    if (list.length === 0) return;
    this.write('upsert clients', (c, w) => {
      const stmt = c.prep(SQL.upsertClient);
      const now = w.now();
      const seq = w.seq();
      for (const cl of list) {
        const values = CLIENT_WRITE.values(cl);
        values.push(now, now, seq);
        stmt.run(values);
      }
    });
  }

  async deleteClients(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.write('delete clients', (c, w) => {
      c.prep(SQL.deleteClients).run(w.now(), w.seq(), JSON.stringify(ids));
    });
  }

  // ---- plumbing ----

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
