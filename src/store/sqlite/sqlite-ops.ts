import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Client, Instance, Namespace, Service } from '../../common/model/naming.js';
import type { StoreTx } from '../api.js';
import {
  CLIENT_COLUMNS,
  INSTANCE_COLUMNS,
  INSTANCE_PACKED,
  NAMESPACE_COLUMNS,
  NAMESPACE_PACKED,
  SERVICE_COLUMNS,
  SERVICE_PACKED,
  clientParams,
  instanceFromPacked,
  instanceParams,
  namespaceFromPacked,
  namespaceParams,
  serviceFromPacked,
  serviceParams,
} from './rows.js';
import { toStoreError } from './sqlite-errors.js';
import type { StatementCache } from './statement-cache.js';

/** The write side of one transaction: its change sequence (taken once, lazily) and the clock. */
export interface WriteContext {
  seq(): number;
  now(): number;
}

const SQL = {
  getNamespace: `SELECT ${NAMESPACE_PACKED} FROM namespace WHERE name = ? AND deleted = 0`,
  // Re-creating a deleted name revives the same row (the PK is the name), so the change feed
  // carries exactly one, newest, state for the key.
  createNamespace: `INSERT INTO namespace (${NAMESPACE_COLUMNS})
    VALUES (@name, @comment, @owner, @token, @service_export_to, @metadata, @now, @now, @seq, 0)
    ON CONFLICT (name) DO UPDATE SET comment = excluded.comment, owner = excluded.owner,
      token = excluded.token, service_export_to = excluded.service_export_to, metadata = excluded.metadata,
      ctime = excluded.ctime, mtime = excluded.mtime, seq = excluded.seq, deleted = 0
    WHERE namespace.deleted = 1`,
  updateNamespace: `UPDATE namespace SET comment = @comment, owner = @owner, token = @token,
      service_export_to = @service_export_to, metadata = @metadata, mtime = @now, seq = @seq
    WHERE name = @name AND deleted = 0`,
  deleteNamespace: `UPDATE namespace SET deleted = 1, mtime = ?, seq = ? WHERE name = ? AND deleted = 0`,
  countServicesInNamespace: `SELECT COUNT(*) AS n FROM service WHERE namespace = ? AND deleted = 0`,

  getService: `SELECT ${SERVICE_PACKED} FROM service WHERE namespace = ? AND name = ? AND deleted = 0`,
  getServiceById: `SELECT ${SERVICE_PACKED} FROM service WHERE id = ? AND deleted = 0`,
  // A tombstoned id is revived; a live (namespace, name) clash hits the partial unique index.
  createService: `INSERT INTO service (${SERVICE_COLUMNS})
    VALUES (@id, @name, @namespace, @ports, @business, @department, @cmdb_mod1, @cmdb_mod2, @cmdb_mod3,
      @comment, @owner, @token, @revision, @reference, @alias_type, @platform_id, @export_to, @metadata,
      @now, @now, @seq, 0)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace, ports = excluded.ports,
      business = excluded.business, department = excluded.department, cmdb_mod1 = excluded.cmdb_mod1,
      cmdb_mod2 = excluded.cmdb_mod2, cmdb_mod3 = excluded.cmdb_mod3, comment = excluded.comment,
      owner = excluded.owner, token = excluded.token, revision = excluded.revision,
      reference = excluded.reference, alias_type = excluded.alias_type, platform_id = excluded.platform_id,
      export_to = excluded.export_to, metadata = excluded.metadata, ctime = excluded.ctime,
      mtime = excluded.mtime, seq = excluded.seq, deleted = 0
    WHERE service.deleted = 1`,
  updateService: `UPDATE service SET name = @name, namespace = @namespace, ports = @ports, business = @business,
      department = @department, cmdb_mod1 = @cmdb_mod1, cmdb_mod2 = @cmdb_mod2, cmdb_mod3 = @cmdb_mod3,
      comment = @comment, owner = @owner, token = @token, revision = @revision, reference = @reference,
      alias_type = @alias_type, platform_id = @platform_id, export_to = @export_to, metadata = @metadata,
      mtime = @now, seq = @seq
    WHERE id = @id AND deleted = 0`,
  deleteService: `UPDATE service SET deleted = 1, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,
  countInstancesOfService: `SELECT COUNT(*) AS n FROM instance WHERE service_id = ? AND deleted = 0`,
  countAliasesOf: `SELECT COUNT(*) AS n FROM service WHERE reference = ? AND deleted = 0 AND reference <> ''`,

  getInstance: `SELECT ${INSTANCE_PACKED} FROM instance WHERE id = ? AND deleted = 0`,
  getInstances: `SELECT ${INSTANCE_PACKED} FROM instance
    WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0`,
  listInstancesOfService: `SELECT ${INSTANCE_PACKED} FROM instance WHERE service_id = ? AND deleted = 0`,
  // ctime survives an update of a live row; a tombstone brought back is a new registration.
  upsertInstance: `INSERT INTO instance (${INSTANCE_COLUMNS})
    VALUES (@id, @service_id, @service, @namespace, @vpc_id, @host, @port, @protocol, @version, @priority,
      @weight, @enable_health_check, @health_check_type, @health_check_ttl, @healthy, @isolate, @logic_set,
      @region, @zone, @campus, @metadata, @revision, @now, @now, @seq, 0)
    ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, service = excluded.service,
      namespace = excluded.namespace, vpc_id = excluded.vpc_id, host = excluded.host, port = excluded.port,
      protocol = excluded.protocol, version = excluded.version, priority = excluded.priority,
      weight = excluded.weight, enable_health_check = excluded.enable_health_check,
      health_check_type = excluded.health_check_type, health_check_ttl = excluded.health_check_ttl,
      healthy = excluded.healthy, isolate = excluded.isolate, logic_set = excluded.logic_set,
      region = excluded.region, zone = excluded.zone, campus = excluded.campus, metadata = excluded.metadata,
      revision = excluded.revision,
      ctime = CASE WHEN instance.deleted = 1 THEN excluded.ctime ELSE instance.ctime END,
      mtime = excluded.mtime, seq = excluded.seq, deleted = 0`,
  deleteInstances: `UPDATE instance SET deleted = 1, mtime = ?, seq = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0 RETURNING id`,
  setInstanceHealth: `UPDATE instance SET healthy = ?, revision = ?, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,

  upsertClient: `INSERT INTO client (${CLIENT_COLUMNS})
    VALUES (@id, @host, @type, @version, @region, @zone, @campus, @stat, @now, @now, @seq, 0)
    ON CONFLICT (id) DO UPDATE SET host = excluded.host, type = excluded.type, version = excluded.version,
      region = excluded.region, zone = excluded.zone, campus = excluded.campus, stat = excluded.stat,
      ctime = CASE WHEN client.deleted = 1 THEN excluded.ctime ELSE client.ctime END,
      mtime = excluded.mtime, seq = excluded.seq, deleted = 0`,
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
      const info = c.prep(SQL.createNamespace).run({ ...namespaceParams(ns), now: w.now(), seq: w.seq() });
      if (info.changes === 0) throw new PolarisError(Code.ExistedResource, `namespace ${ns.name}`);
    });
  }

  async updateNamespace(ns: Namespace): Promise<void> {
    this.write('update namespace', (c, w) => {
      const info = c.prep(SQL.updateNamespace).run({ ...namespaceParams(ns), now: w.now(), seq: w.seq() });
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `namespace ${ns.name}`);
    });
  }

  async deleteNamespace(name: string): Promise<boolean> {
    return this.write('delete namespace', (c, w) => c.prep(SQL.deleteNamespace).run(w.now(), w.seq(), name).changes > 0);
  }

  async countServicesInNamespace(name: string): Promise<number> {
    return this.run('count services', (c) => (c.prep(SQL.countServicesInNamespace).get(name) as { n: number }).n);
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
      const info = c.prep(SQL.createService).run({ ...serviceParams(svc), now: w.now(), seq: w.seq() });
      if (info.changes === 0) throw new PolarisError(Code.ExistedResource, `service id ${svc.id}`);
    });
  }

  async updateService(svc: Service): Promise<void> {
    this.write(`update service ${svc.namespace}/${svc.name}`, (c, w) => {
      const info = c.prep(SQL.updateService).run({ ...serviceParams(svc), now: w.now(), seq: w.seq() });
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `service id ${svc.id}`);
    });
  }

  async deleteService(id: string): Promise<boolean> {
    return this.write('delete service', (c, w) => c.prep(SQL.deleteService).run(w.now(), w.seq(), id).changes > 0);
  }

  async countInstancesOfService(serviceId: string): Promise<number> {
    return this.run('count instances', (c) => (c.prep(SQL.countInstancesOfService).get(serviceId) as { n: number }).n);
  }

  async countAliasesOf(serviceId: string): Promise<number> {
    return this.run('count aliases', (c) => (c.prep(SQL.countAliasesOf).get(serviceId) as { n: number }).n);
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
      for (const ins of list) stmt.run({ ...instanceParams(ins), now, seq });
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
      for (const cl of list) stmt.run({ ...clientParams(cl), now, seq });
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
