import type { Logger } from 'pino';
import type { NamingChange, NamingReader } from '../cache/api.js';
import type { Instance as WireInstance } from '../common/api/gen/wire.js';
import type { ItemResult } from '../common/errors/batch.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { NamespaceService } from '../namespace/api.js';
import type { Store } from '../store/api.js';
import { DefaultAdapterOps } from './adapter-ops.js';
import type {
  AdapterOps,
  AliasOps,
  ClientOps,
  ClientQueryOps,
  InstanceOps,
  NamingService,
  RegistryChange,
  RegistryWatch,
  ServiceKey,
  ServiceOps,
} from './api.js';
import { DefaultClientOps, type ClientOpsConfig, type HeartbeatSink, type InstanceWriter } from './client-ops.js';
import { DefaultInstanceOps } from './instance-ops.js';
import type { RuleDiscovery } from './rules/api.js';
import type { InstanceKey } from './instance-write.js';
import { DefaultServiceOps } from './service-ops.js';

export interface NamingModuleConfig extends ClientOpsConfig {
  /** naming.autoCreate */
  autoCreateService: boolean;
}

export interface NamingModule {
  service: NamingService;
  /** The write path SDK registrations end in; the batch controller feeds it whole batches. */
  instances: DefaultInstanceOps;
  /** Which services changed, for adapters that push (xDS). */
  watch: RegistryWatch;
}

/** Registration written at once, one transaction per call (batching disabled). */
export class DirectInstanceWriter implements InstanceWriter {
  constructor(private readonly deps: { store: Store; cache: NamingReader; instances: DefaultInstanceOps }) {}

  async register(ctx: RequestContext, item: { req: WireInstance; key: InstanceKey }): Promise<ItemResult<WireInstance>> {
    const [result] = await this.deps.instances.upsert(ctx, [item]);
    return result;
  }

  async deregister(ctx: RequestContext, id: string): Promise<void> {
    await this.deps.store.deleteInstances([id]);
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
  }
}

/**
 * Builds the naming module. `writer` lets bootstrap put a batch controller in front of
 * registrations; `heartbeats` is the health checker when health checking is on.
 */
export function createNamingModule(
  deps: {
    store: Store;
    cache: NamingReader;
    namespaces: NamespaceService;
    logger: Logger;
    heartbeats?: HeartbeatSink;
    onClientReport?: (clientId: string) => void;
    writer?: (instances: DefaultInstanceOps) => InstanceWriter;
    /** Discover answers of the governance rules (src/service/rules). */
    rules?: RuleDiscovery;
    /** Route rules naming a service; a service with any cannot be deleted (400205). */
    routeRulesOf?: (namespace: string, service: string) => Promise<number>;
  },
  config: NamingModuleConfig,
): NamingModule {
  const services = new DefaultServiceOps(deps);
  const instances = new DefaultInstanceOps({ ...deps, services, autoCreateService: config.autoCreateService });
  const writer = deps.writer?.(instances) ?? new DirectInstanceWriter({ ...deps, instances });
  const client = new DefaultClientOps({ ...deps, writer }, config);
  const service: NamingService = {
    ...bind<ServiceOps & AliasOps>(services),
    ...bind<InstanceOps>(instances),
    ...bind<ClientOps & ClientQueryOps>(client),
    ...bind<AdapterOps>(new DefaultAdapterOps(deps)),
  };
  return { service, instances, watch: registryWatch(deps.cache) };
}

/**
 * The cache's change events as service keys. Deleted service rows are gone from the cache when
 * listeners run, so the keys of every service seen are remembered (one small entry per service).
 */
export function registryWatch(cache: NamingReader): RegistryWatch {
  const keys = new Map<string, ServiceKey>();
  const listeners = new Set<(change: RegistryChange) => void>();
  let unsubscribe: (() => void) | undefined;
  const fanOut = (change: NamingChange): void => {
    const services: ServiceKey[] = [];
    for (const id of change.services) {
      const svc = cache.serviceById(id);
      const key = svc ? { namespace: svc.namespace, name: svc.name } : keys.get(id) ?? keyFromInstances(change, id);
      if (svc) keys.set(id, key as ServiceKey);
      else keys.delete(id);
      if (key) services.push(key);
    }
    const out: RegistryChange = { services, namespaces: [...change.namespaces] };
    for (const l of listeners) l(out);
  };
  return {
    onRegistryChange(listener: (change: RegistryChange) => void): () => void {
      if (!unsubscribe) {
        for (const s of cache.services()) keys.set(s.id, { namespace: s.namespace, name: s.name });
        unsubscribe = cache.onChange(fanOut);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = undefined;
          keys.clear();
        }
      };
    },
  };
}

function keyFromInstances(change: NamingChange, serviceId: string): ServiceKey | undefined {
  const inst = change.deletedInstances.find((i) => i.serviceId === serviceId);
  return inst ? { namespace: inst.namespace, name: inst.service } : undefined;
}

/** The public methods of a class instance as bound functions (no hand-written pass-throughs). */
function bind<T>(obj: object): T {
  const out: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(obj) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (obj as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof fn === 'function') out[name] = (fn as (...a: unknown[]) => unknown).bind(obj);
  }
  return out as T;
}
