import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Namespace as WireNamespace, Summary as WireSummary } from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Namespace } from '../common/model/naming.js';
import { newId } from '../common/utils/ids.js';
import { SingleFlight } from '../common/utils/single-flight.js';
import { checkBatch, checkLength, checkMetadata, checkResourceName, MAX_NAMESPACE_LEN } from '../common/utils/validate.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { Store } from '../store/api.js';
import type { NamespaceList, NamespaceListQuery, NamespaceService } from './api.js';
import { namespaceToWire, type NamespaceCounts } from './convert.js';

export interface NamespaceModuleConfig {
  /** namespace.autoCreate */
  autoCreate: boolean;
}

export class DefaultNamespaceService implements NamespaceService {
  private readonly creating = new SingleFlight<void>();

  constructor(
    private readonly deps: {
      store: Store;
      cache: NamingReader;
      logger: Logger;
      /** Config groups living in a namespace (the config center, when it is on). */
      configGroupCount?: (namespace: string) => number;
    },
    private readonly config: NamespaceModuleConfig,
  ) {}

  async createNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireNamespace>[] = [];
    for (const req of reqs) {
      try {
        out.push(ok(await this.createOne(req)));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  private async createOne(req: WireNamespace): Promise<WireNamespace> {
    const name = checkResourceName(req.name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
    checkLength(req.comment, 1024, Code.InvalidParameter, 'comment');
    checkLength(req.owners, 1024, Code.InvalidNamespaceOwners, 'owners');
    checkMetadata(req.metadata);
    const now = Date.now();
    const ns: Namespace = {
      name,
      comment: req.comment ?? '',
      owner: req.owners ?? '',
      token: newId(),
      serviceExportTo: [...(req.service_export_to ?? [])],
      metadata: { ...(req.metadata ?? {}) },
      ctime: now,
      mtime: now,
    };
    await this.deps.store.createNamespace(ns);
    return { name: ns.name, token: ns.token };
  }

  async updateNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireNamespace>[] = [];
    for (const req of reqs) {
      try {
        const name = checkResourceName(req.name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
        checkMetadata(req.metadata);
        const cur = await this.deps.store.getNamespace(name);
        if (!cur) throw new PolarisError(Code.NotFoundResource, `namespace ${name}`);
        const next: Namespace = {
          ...cur,
          comment: req.comment ?? cur.comment,
          owner: req.owners ?? cur.owner,
          // polaris overwrites these two on every update.
          serviceExportTo: [...(req.service_export_to ?? [])],
          metadata: { ...(req.metadata ?? {}) },
          mtime: Date.now(),
        };
        await this.deps.store.updateNamespace(next);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async deleteNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireNamespace>[] = [];
    for (const req of reqs) {
      try {
        const name = checkResourceName(req.name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
        await this.deps.store.transaction(async (tx) => {
          if (!(await tx.getNamespace(name))) return; // deleting what is not there succeeds
          if ((await tx.countServicesInNamespace(name)) > 0) throw new PolarisError(Code.NamespaceExistedServices);
          if ((this.deps.configGroupCount?.(name) ?? 0) > 0) throw new PolarisError(Code.NamespaceExistedConfigGroups);
          await tx.deleteNamespace(name);
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async listNamespaces(ctx: RequestContext, query: NamespaceListQuery): Promise<NamespaceList> {
    const nameMatchers = query.names.map((n) => wildcardMatcher(n));
    const ownerMatchers = query.owners.map((o) => wildcardMatcher(o));
    const all = [...this.deps.cache.namespaces()].filter(
      (ns) =>
        (nameMatchers.length === 0 || nameMatchers.some((m) => m(ns.name))) &&
        (ownerMatchers.length === 0 || ownerMatchers.some((m) => ns.owner.split(',').some((o) => m(o.trim())) || m(ns.owner))),
    );
    all.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name));
    const page = query.limit === 0 ? all.slice(query.offset) : all.slice(query.offset, query.offset + query.limit);
    const summary: WireSummary = { total_service_count: 0, total_health_instance_count: 0, total_instance_count: 0 };
    const namespaces = page.map((ns) => {
      const c = this.counts(ns.name);
      summary.total_service_count = (summary.total_service_count ?? 0) + c.services;
      summary.total_instance_count = (summary.total_instance_count ?? 0) + c.instances;
      summary.total_health_instance_count = (summary.total_health_instance_count ?? 0) + c.healthyInstances;
      return namespaceToWire(ns, c);
    });
    return { amount: all.length, namespaces, summary };
  }

  private counts(namespace: string): NamespaceCounts {
    const c: NamespaceCounts = { services: 0, instances: 0, healthyInstances: 0 };
    for (const svc of this.deps.cache.servicesOfNamespace(namespace)) {
      if (svc.reference) continue;
      c.services++;
      const n = this.deps.cache.instanceCount(svc.id);
      c.instances += n.total;
      c.healthyInstances += n.healthy;
    }
    return c;
  }

  async getNamespaceToken(ctx: RequestContext, name: string): Promise<WireNamespace> {
    checkResourceName(name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
    const ns = await this.deps.store.getNamespace(name);
    if (!ns) throw new PolarisError(Code.NotFoundNamespace, name);
    return { name: ns.name, token: ns.token };
  }

  async updateNamespaceToken(ctx: RequestContext, req: WireNamespace): Promise<WireNamespace> {
    const name = checkResourceName(req.name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
    const ns = await this.deps.store.getNamespace(name);
    if (!ns) throw new PolarisError(Code.NotFoundNamespace, name);
    const next = { ...ns, token: newId(), mtime: Date.now() };
    await this.deps.store.updateNamespace(next);
    await this.sync();
    return { name: next.name, token: next.token };
  }

  async ensureNamespace(ctx: RequestContext, name: string): Promise<void> {
    checkResourceName(name, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace name');
    if (this.deps.cache.namespace(name)) return;
    await this.creating.do(name, async () => {
      if (await this.deps.store.getNamespace(name)) return;
      if (!this.config.autoCreate) throw new PolarisError(Code.NotFoundNamespace, name);
      try {
        await this.createOne({ name });
      } catch (err) {
        if (!(err instanceof PolarisError && err.code === Code.ExistedResource)) throw err;
      }
      await this.sync();
    });
  }

  /** Makes this process's writes visible to its next read. */
  private async sync(): Promise<void> {
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
  }
}
