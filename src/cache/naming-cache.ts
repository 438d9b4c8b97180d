import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Lifecycle } from '../common/lifecycle.js';
import type { Client, Instance, Namespace, Service } from '../common/model/naming.js';
import type { ChangeSet, Store } from '../store/api.js';
import { FeedCache, type FeedFollowerConfig } from '../common/feed-follower.js';
import { byNewest, type NamingChange, type NamingChangeListener, type NamingReader } from './api.js';
import { InstanceInterner } from './instance-interner.js';

export type NamingCacheConfig = FeedFollowerConfig;

const NONE: readonly Instance[] = Object.freeze([]);

/**
 * In-memory read model of namespaces, services, instances and clients. Loads everything at start,
 * then applies the store's change feed (seq > last seen) through a FeedFollower. Writers call
 * `waitFor(seq)` after a commit, so their own writes are visible to the next read at once.
 */
export class NamingCache extends FeedCache<ChangeSet> implements NamingReader {
  private readonly nsMap = new Map<string, Namespace>();
  private readonly svcById = new Map<string, Service>();
  private readonly svcByKey = new Map<string, Service>();
  private readonly svcByNs = new Map<string, Map<string, Service>>();
  private readonly svcByName = new Map<string, Map<string, Service>>();
  private readonly instById = new Map<string, Instance>();
  private readonly instBySvc = new Map<string, Map<string, Instance>>();
  private readonly healthyBySvc = new Map<string, number>();
  private readonly clientMap = new Map<string, Client>();
  private readonly svcRevision = new Map<string, string>();
  private readonly svcSorted = new Map<string, readonly Instance[]>();
  private readonly svcList = new Map<string, readonly Instance[]>();
  private readonly nsRevision = new Map<string, string>();
  private readonly listeners = new Set<NamingChangeListener>();
  private readonly interner = new InstanceInterner();

  constructor(
    private readonly deps: { store: Store; logger: Logger; onRefreshError?: (err: unknown) => void },
    config: NamingCacheConfig,
  ) {
    super(
      {
        name: 'naming',
        logger: deps.logger,
        onRefreshError: deps.onRefreshError,
        currentSeq: () => deps.store.currentSeq(),
        read: (since) => deps.store.readChanges(since),
      },
      config,
    );
  }

  protected apply(cs: ChangeSet): void {
    const change: NamingChange = {
      namespaces: new Set(),
      services: new Set(),
      upsertedInstances: [],
      deletedInstances: [],
      clients: new Set(),
    };
    for (const row of cs.namespaces) {
      const ns = row.value;
      if (row.deleted) this.nsMap.delete(ns.name);
      else this.nsMap.set(ns.name, ns);
      change.namespaces.add(ns.name);
    }
    for (const row of cs.services) this.applyService(row.value, row.deleted, change);
    for (const row of cs.instances) this.applyInstance(row.value, row.deleted, change);
    for (const row of cs.clients) {
      if (row.deleted) this.clientMap.delete(row.value.id);
      else this.clientMap.set(row.value.id, row.value);
      change.clients.add(row.value.id);
    }
    for (const id of change.services) {
      this.svcRevision.delete(id);
      this.svcSorted.delete(id);
      this.svcList.delete(id);
    }
    if (change.services.size > 0 || change.namespaces.size > 0) this.nsRevision.clear();
    const touched =
      change.namespaces.size + change.services.size + change.clients.size + change.upsertedInstances.length + change.deletedInstances.length;
    if (touched === 0) return;
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.deps.logger.error({ err }, 'naming cache listener failed');
      }
    }
  }

  private applyService(svc: Service, deleted: boolean, change: NamingChange): void {
    const old = this.svcById.get(svc.id);
    if (old) {
      this.svcByKey.delete(key(old.namespace, old.name));
      this.svcByNs.get(old.namespace)?.delete(old.id);
      const named = this.svcByName.get(old.name);
      named?.delete(old.id);
      if (named && named.size === 0) this.svcByName.delete(old.name);
    }
    if (deleted) {
      this.svcById.delete(svc.id);
      this.interner.forgetService(svc.id);
    } else {
      this.svcById.set(svc.id, svc);
      this.svcByKey.set(key(svc.namespace, svc.name), svc);
      let m = this.svcByNs.get(svc.namespace);
      if (!m) this.svcByNs.set(svc.namespace, (m = new Map()));
      m.set(svc.id, svc);
      let byName = this.svcByName.get(svc.name);
      if (!byName) this.svcByName.set(svc.name, (byName = new Map()));
      byName.set(svc.id, svc);
    }
    change.services.add(svc.id);
  }

  private applyInstance(inst: Instance, deleted: boolean, change: NamingChange): void {
    const old = this.instById.get(inst.id);
    if (old) {
      const set = this.instBySvc.get(old.serviceId);
      set?.delete(old.id);
      if (set && set.size === 0) this.instBySvc.delete(old.serviceId);
      if (old.healthy) this.healthyBySvc.set(old.serviceId, (this.healthyBySvc.get(old.serviceId) ?? 1) - 1);
      change.services.add(old.serviceId);
    }
    if (deleted) {
      this.instById.delete(inst.id);
      if (old) change.deletedInstances.push(old);
    } else {
      this.interner.intern(inst);
      this.instById.set(inst.id, inst);
      let set = this.instBySvc.get(inst.serviceId);
      if (!set) this.instBySvc.set(inst.serviceId, (set = new Map()));
      set.set(inst.id, inst);
      if (inst.healthy) this.healthyBySvc.set(inst.serviceId, (this.healthyBySvc.get(inst.serviceId) ?? 0) + 1);
      change.upsertedInstances.push(inst);
    }
    change.services.add(inst.serviceId);
  }

  namespace(name: string): Namespace | undefined {
    return this.nsMap.get(name);
  }
  namespaces(): Iterable<Namespace> {
    return this.nsMap.values();
  }
  service(namespace: string, name: string): Service | undefined {
    return this.svcByKey.get(key(namespace, name));
  }
  serviceById(id: string): Service | undefined {
    return this.svcById.get(id);
  }
  servicesNamed(name: string): Iterable<Service> {
    return this.svcByName.get(name)?.values() ?? [];
  }
  services(): Iterable<Service> {
    return this.svcById.values();
  }
  servicesOfNamespace(namespace: string): Iterable<Service> {
    return this.svcByNs.get(namespace)?.values() ?? [];
  }
  instancesOf(serviceId: string): readonly Instance[] {
    let list = this.svcList.get(serviceId);
    if (!list) {
      const live = this.instBySvc.get(serviceId);
      if (!live) return NONE;
      list = [...live.values()];
      this.svcList.set(serviceId, list);
    }
    return list;
  }
  sortedInstancesOf(serviceId: string): readonly Instance[] {
    let list = this.svcSorted.get(serviceId);
    if (!list) {
      list = [...this.instancesOf(serviceId)].sort(byNewest);
      this.svcSorted.set(serviceId, list);
    }
    return list;
  }
  instanceCount(serviceId: string): { total: number; healthy: number } {
    return { total: this.instBySvc.get(serviceId)?.size ?? 0, healthy: this.healthyBySvc.get(serviceId) ?? 0 };
  }
  instance(id: string): Instance | undefined {
    return this.instById.get(id);
  }
  instances(): Iterable<Instance> {
    return this.instById.values();
  }
  totalInstances(): number {
    return this.instById.size;
  }
  client(id: string): Client | undefined {
    return this.clientMap.get(id);
  }
  clients(): Iterable<Client> {
    return this.clientMap.values();
  }

  serviceRevision(serviceId: string): string {
    const cached = this.svcRevision.get(serviceId);
    if (cached !== undefined) return cached;
    const svc = this.svcById.get(serviceId);
    if (!svc) return '';
    const revs: string[] = [];
    for (const inst of this.instancesOf(serviceId)) revs.push(inst.revision);
    revs.sort();
    const h = createHash('sha1').update(svc.revision);
    for (const r of revs) h.update(r);
    const rev = h.digest('hex');
    this.svcRevision.set(serviceId, rev);
    return rev;
  }

  servicesRevision(namespace: string): string {
    const cached = this.nsRevision.get(namespace);
    if (cached !== undefined) return cached;
    const revs: string[] = [];
    const source = namespace === '' ? this.svcById.values() : this.servicesOfNamespace(namespace);
    for (const svc of source) revs.push(svc.revision);
    revs.sort();
    const h = createHash('sha1');
    for (const r of revs) h.update(r);
    const rev = h.digest('hex');
    this.nsRevision.set(namespace, rev);
    return rev;
  }

  onChange(listener: NamingChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}
