import type { Client, Instance, Namespace, Service } from '../common/model/naming.js';

/** What changed in one cache refresh; handed to listeners after the cache has applied it. */
export interface NamingChange {
  namespaces: Set<string>;
  /** Services whose own row or whose instances changed (by service id). */
  services: Set<string>;
  /** Instances created or updated (new values). */
  upsertedInstances: Instance[];
  /** Instances deleted (last known values). */
  deletedInstances: Instance[];
  clients: Set<string>;
}

export type NamingChangeListener = (change: NamingChange) => void;

/** Read side of the naming data; refreshed from the store's change sequence. */
export interface NamingReader {
  /** The store sequence this cache reflects. */
  seq(): number;
  /** Resolves once the cache reflects at least `seq` (read-your-writes). */
  waitFor(seq: number): Promise<void>;
  /** Reads pending changes now; concurrent callers share one read. */
  refresh(): Promise<void>;
  namespace(name: string): Namespace | undefined;
  namespaces(): Iterable<Namespace>;
  service(namespace: string, name: string): Service | undefined;
  serviceById(id: string): Service | undefined;
  services(): Iterable<Service>;
  servicesOfNamespace(namespace: string): Iterable<Service>;
  /** Live services of that name in every namespace. */
  servicesNamed(name: string): Iterable<Service>;
  /**
   * Live instances of a service (not of its aliases), memoised until it changes: the array is a
   * snapshot that later changes never alter (callers must not alter it either).
   */
  instancesOf(serviceId: string): readonly Instance[];
  /** Live instances of a service, newest change first (mtime desc, then id desc); memoised until it changes. */
  sortedInstancesOf(serviceId: string): readonly Instance[];
  instanceCount(serviceId: string): { total: number; healthy: number };
  instance(id: string): Instance | undefined;
  instances(): Iterable<Instance>;
  totalInstances(): number;
  /** sha1(service revision + sorted instance revisions); '' for an unknown service. */
  serviceRevision(serviceId: string): string;
  /** Revision of the service list of a namespace ('' = all namespaces). */
  servicesRevision(namespace: string): string;
  client(id: string): Client | undefined;
  clients(): Iterable<Client>;
  onChange(listener: NamingChangeListener): () => void;
}

/** List order of instances: modify time desc, then id desc (polaris-server's). */
export function byNewest(a: Instance, b: Instance): number {
  return b.mtime - a.mtime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
