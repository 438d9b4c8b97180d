import { randomBytes } from 'node:crypto';
import type { Client, Instance, Namespace, Service } from '../../../src/common/model/naming.js';
import type { Store } from '../../../src/store/api.js';

/** What a backend hands the conformance suite for one test case. */
export interface StoreHandle {
  store: Store;
  /** Closes the store (and any peers opened through it) and drops its data. */
  dispose(): Promise<void>;
  /**
   * Optional: opens a second, independent store on the same data, as another server process
   * would. Used for cross-process cases (stale start-lock takeover, shared change feed); those
   * cases are skipped, visibly, when a backend cannot provide it.
   */
  openPeer?(): Promise<Store>;
}

export interface StoreFactory {
  name: string;
  create(): Promise<StoreHandle>;
}

export async function withStore(factory: StoreFactory, fn: (h: StoreHandle) => Promise<void>): Promise<void> {
  const h = await factory.create();
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
}

/** A name unique across test files and runs, so suites may share one database. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves 'pending' if `p` has not settled within `ms`. */
export async function settledWithin<T>(p: Promise<T>, ms: number): Promise<'settled' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), pending]);
  } finally {
    clearTimeout(timer);
  }
}

export function makeNamespace(over: Partial<Namespace> = {}): Namespace {
  return {
    name: uniq('ns'),
    comment: 'a namespace',
    owner: 'polaris',
    token: uniq('tok'),
    serviceExportTo: [],
    metadata: {},
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeService(namespace: string, over: Partial<Service> = {}): Service {
  return {
    id: uniq('svc-id'),
    name: uniq('svc'),
    namespace,
    ports: '8080',
    business: 'biz',
    department: 'dep',
    cmdbMod1: 'm1',
    cmdbMod2: 'm2',
    cmdbMod3: 'm3',
    comment: 'a service',
    owner: 'polaris',
    token: uniq('tok'),
    revision: uniq('rev'),
    reference: '',
    aliasType: 0,
    platformId: '',
    exportTo: [],
    metadata: {},
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeInstance(svc: Pick<Service, 'id' | 'name' | 'namespace'>, over: Partial<Instance> = {}): Instance {
  return {
    id: uniq('ins'),
    serviceId: svc.id,
    service: svc.name,
    namespace: svc.namespace,
    vpcId: '',
    host: '10.0.0.1',
    port: 8080,
    protocol: 'grpc',
    version: '1.0.0',
    priority: 0,
    weight: 100,
    enableHealthCheck: true,
    healthCheck: { type: 1, ttl: 5 },
    healthy: true,
    isolate: false,
    logicSet: '',
    location: { region: 'r1', zone: 'z1', campus: 'c1' },
    metadata: { env: 'test' },
    revision: uniq('rev'),
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeClient(over: Partial<Client> = {}): Client {
  return {
    id: uniq('client'),
    host: '10.0.0.9',
    type: 1,
    version: '1.5.0',
    location: { region: 'r1', zone: 'z1', campus: 'c1' },
    stat: [{ target: 'prometheus', port: 28080, path: '/metrics', protocol: 'http' }],
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

/** The fields a store must round-trip unchanged (times are the store's own). */
export function withoutTimes<T extends { ctime: number; mtime: number }>(v: T): Omit<T, 'ctime' | 'mtime'> {
  const { ctime: _c, mtime: _m, ...rest } = v;
  return rest;
}

/** A plausible epoch-millisecond store time (after 2020, not seconds). */
export function isEpochMs(t: number): boolean {
  return Number.isInteger(t) && t > 1_577_836_800_000 && t < 4_102_444_800_000;
}
