import type { Client, Instance, Namespace, Service } from '../common/model/naming.js';

/**
 * The persistence contract. Backend-neutral and async so SQLite (embedded) and MySQL (cluster) sit
 * behind it unchanged; both must pass test/store/conformance.
 *
 * Change sequence: the store keeps one monotonic counter. Every write transaction takes the next
 * value and stamps it on every row it writes or deletes (deletes are soft: the row stays as a
 * tombstone with `deleted = true`). Caches load incrementally with `readChanges(since)`, so they
 * never depend on wall-clock times or time zones. Tombstones are purged by `purgeTombstones`.
 *
 * Not-found: every `get*` resolves `undefined` when nothing matches; it never throws for that.
 * `update*` of a missing or soft-deleted row rejects with PolarisError(NotFoundResource).
 * Duplicates: `create*` rejects with PolarisError(ExistedResource); so does an update that would
 * give a live row the unique key (service namespace+name) of another live row.
 *
 * Times: the store sets `ctime` and `mtime` itself (epoch ms) and ignores the caller's values.
 * `mtime` is set on every write; `ctime` is set on create, kept by updates and by upserts of a live
 * row, and set anew when a create or upsert brings back a soft-deleted key (a new registration).
 * A soft-deleted key (namespace name, service id, instance id, client id) can be used again.
 */

/** A row as seen by the change feed: the value plus the sequence of its last write. */
export interface Versioned<T> {
  seq: number;
  deleted: boolean;
  value: T;
}

/** Everything that changed after a sequence value, read from one consistent snapshot. */
export interface ChangeSet {
  /** The store's sequence at the snapshot; pass it as `since` next time. */
  seq: number;
  namespaces: Versioned<Namespace>[];
  services: Versioned<Service>[];
  instances: Versioned<Instance>[];
  clients: Versioned<Client>[];
}

export interface NamespaceWrites {
  getNamespace(name: string): Promise<Namespace | undefined>;
  /** Rejects with ExistedResource when a live namespace of that name exists; a deleted one is revived. */
  createNamespace(ns: Namespace): Promise<void>;
  /** Rejects with NotFoundResource when no live namespace has that name. */
  updateNamespace(ns: Namespace): Promise<void>;
  /** Soft-deletes; resolves false when it did not exist. Does not check for contents. */
  deleteNamespace(name: string): Promise<boolean>;
  countServicesInNamespace(name: string): Promise<number>;
}

export interface ServiceWrites {
  getService(namespace: string, name: string): Promise<Service | undefined>;
  getServiceById(id: string): Promise<Service | undefined>;
  /**
   * Rejects with ExistedResource when a live service with that id, or with that namespace+name,
   * exists. A deleted id or name can be created again.
   */
  createService(svc: Service): Promise<void>;
  /** By id. Rejects with NotFoundResource when no live service has that id. */
  updateService(svc: Service): Promise<void>;
  deleteService(id: string): Promise<boolean>;
  countInstancesOfService(serviceId: string): Promise<number>;
  countAliasesOf(serviceId: string): Promise<number>;
}

export interface InstanceWrites {
  getInstance(id: string): Promise<Instance | undefined>;
  getInstances(ids: string[]): Promise<Instance[]>;
  listInstancesOfService(serviceId: string): Promise<Instance[]>;
  /** Inserts or replaces each instance (by id); `ctime` is kept for existing rows. */
  upsertInstances(list: Instance[]): Promise<void>;
  /** Soft-deletes by id; resolves the ids that were live. */
  deleteInstances(ids: string[]): Promise<string[]>;
  /** Sets health flags (and a new revision each) on live instances; unknown and deleted ids are skipped. */
  setInstancesHealth(changes: { id: string; healthy: boolean; revision: string }[]): Promise<void>;
}

export interface ClientWrites {
  upsertClients(list: Client[]): Promise<void>;
  deleteClients(ids: string[]): Promise<void>;
}

/**
 * Operations usable inside a transaction. Reads see the transaction's own writes. A failed
 * statement that `fn` catches (e.g. a duplicate create) does not stop the transaction from
 * committing the rest. The handle rejects every call (StoreError) once its transaction finished.
 */
export interface StoreTx extends NamespaceWrites, ServiceWrites, InstanceWrites, ClientWrites {}

export interface StartLock {
  /** Releases the lock; safe to call more than once. */
  release(): Promise<void>;
}

export interface Store extends StoreTx {
  readonly name: string;
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it rejects.
   * All writes of one transaction share one sequence value.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Changes with seq > since; since = 0 gives a full load without tombstones. */
  readChanges(since: number): Promise<ChangeSet>;
  currentSeq(): Promise<number>;
  /**
   * Takes the start lock `key` for `holder` (bootstrap.startInOrder). Waits while another live
   * process holds it; a lock whose holder died is taken over after `staleAfterMs`.
   */
  acquireStartLock(key: string, holder: string, opts: { timeoutMs: number; staleAfterMs: number }): Promise<StartLock>;
  /** Hard-deletes tombstones older than `olderThanMs` of store time and with seq < `belowSeq`. */
  purgeTombstones(olderThanMs: number, belowSeq: number): Promise<number>;
  /** Hard-deletes the tombstone of one instance if its seq < `belowSeq` (maintain `instance/clean`); resolves rows removed. */
  purgeInstanceTombstone(id: string, belowSeq: number): Promise<number>;
  /**
   * Closes the store; later calls reject with StoreError. Held start locks stop their heartbeat but
   * are not released: another process takes them over after staleAfterMs, as if this one died.
   */
  close(): Promise<void>;
}
