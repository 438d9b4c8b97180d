import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Service as WireService, ServiceAlias as WireServiceAlias } from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Service } from '../common/model/naming.js';
import { newId } from '../common/utils/ids.js';
import { SingleFlight } from '../common/utils/single-flight.js';
import {
  checkBatch,
  checkLength,
  checkMetadata,
  checkResourceName,
  MAX_NAMESPACE_LEN,
  MAX_SERVICE_NAME_LEN,
} from '../common/utils/validate.js';
import type { NamespaceService } from '../namespace/api.js';
import type { Store } from '../store/api.js';
import type { AliasOps, ListResult, RawQuery, ServiceOps } from './api.js';
import { aliasToWire, serviceToWire } from './convert.js';
import { listAliases, listServices } from './service-query.js';

export interface ServiceOpsDeps {
  store: Store;
  cache: NamingReader;
  namespaces: NamespaceService;
  logger: Logger;
  /** Route rules naming a service; a service with any cannot be deleted (400205). */
  routeRulesOf?: (namespace: string, service: string) => Promise<number>;
}

function checkServiceFields(req: WireService): void {
  checkMetadata(req.metadata);
  checkLength(req.ports, 8192, Code.InvalidServicePorts, 'ports');
  checkLength(req.business, 128, Code.InvalidServiceBusiness, 'business');
  checkLength(req.department, 1024, Code.InvalidServiceDepartment, 'department');
  checkLength(req.cmdb_mod1, 1024, Code.InvalidServiceCMDB, 'cmdb_mod1');
  checkLength(req.cmdb_mod2, 1024, Code.InvalidServiceCMDB, 'cmdb_mod2');
  checkLength(req.cmdb_mod3, 1024, Code.InvalidServiceCMDB, 'cmdb_mod3');
  checkLength(req.comment, 1024, Code.InvalidServiceComment, 'comment');
  checkLength(req.owners, 1024, Code.InvalidServiceOwners, 'owners');
  checkLength(req.platform_id, 32, Code.InvalidPlatformID, 'platform_id');
}

export function checkServiceKey(req: { name?: string | null; namespace?: string | null }): { name: string; namespace: string } {
  return {
    name: checkResourceName(req.name, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'service name'),
    namespace: checkResourceName(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace'),
  };
}

/** Services and aliases (alias = a service row pointing at its source). */
export class DefaultServiceOps implements ServiceOps, AliasOps {
  private readonly creating = new SingleFlight<Service>();

  constructor(private readonly deps: ServiceOpsDeps) {}

  async createServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireService>[] = [];
    for (const req of reqs) {
      try {
        const { name, namespace } = checkServiceKey(req);
        checkServiceFields(req);
        await this.deps.namespaces.ensureNamespace(ctx, namespace);
        const existing = await this.deps.store.getService(namespace, name);
        if (existing) {
          out.push({ ...failed(new PolarisError(Code.ExistedResource)), value: { name, namespace, id: existing.id } });
          continue;
        }
        const svc = this.newService(name, namespace, req);
        await this.deps.store.createService(svc);
        out.push(ok({ id: svc.id, name, namespace, token: svc.token }));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  private newService(name: string, namespace: string, req: WireService): Service {
    const now = Date.now();
    return {
      id: newId(),
      name,
      namespace,
      ports: req.ports ?? '',
      business: req.business ?? '',
      department: req.department ?? '',
      cmdbMod1: req.cmdb_mod1 ?? '',
      cmdbMod2: req.cmdb_mod2 ?? '',
      cmdbMod3: req.cmdb_mod3 ?? '',
      comment: req.comment ?? '',
      owner: req.owners ?? '',
      token: newId(),
      revision: newId(),
      reference: '',
      aliasType: 0,
      platformId: req.platform_id ?? '',
      exportTo: [...(req.export_to ?? [])],
      metadata: { ...(req.metadata ?? {}) },
      ctime: now,
      mtime: now,
    };
  }

  /**
   * The service for an instance write, created when absent (naming.autoCreate). Concurrent
   * registrations of a new service share one creation.
   */
  async ensureService(ctx: RequestContext, namespace: string, name: string): Promise<Service> {
    const cached = this.deps.cache.service(namespace, name);
    if (cached) return cached;
    return this.creating.do(`${namespace}/${name}`, async () => {
      const stored = await this.deps.store.getService(namespace, name);
      if (stored) return stored;
      await this.deps.namespaces.ensureNamespace(ctx, namespace);
      const svc = this.newService(name, namespace, {});
      try {
        await this.deps.store.createService(svc);
      } catch (err) {
        if (err instanceof PolarisError && err.code === Code.ExistedResource) {
          const again = await this.deps.store.getService(namespace, name);
          if (again) return again;
        }
        throw err;
      }
      return svc;
    });
  }

  async updateServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireService>[] = [];
    for (const req of reqs) {
      try {
        const { name, namespace } = checkServiceKey(req);
        checkServiceFields(req);
        const cur = await this.deps.store.getService(namespace, name);
        // polaris answers a missing service on update with "not found resource", not 400301.
        if (!cur) throw new PolarisError(Code.NotFoundResource, `${namespace}/${name}`);
        if (cur.reference) throw new PolarisError(Code.NotAllowAliasUpdate);
        const next: Service = {
          ...cur,
          metadata: req.metadata != null ? { ...req.metadata } : cur.metadata,
          ports: req.ports ?? cur.ports,
          business: req.business ?? cur.business,
          department: req.department ?? cur.department,
          cmdbMod1: req.cmdb_mod1 ?? cur.cmdbMod1,
          cmdbMod2: req.cmdb_mod2 ?? cur.cmdbMod2,
          cmdbMod3: req.cmdb_mod3 ?? cur.cmdbMod3,
          comment: req.comment ?? cur.comment,
          owner: req.owners ?? cur.owner,
          platformId: req.platform_id ?? cur.platformId,
          exportTo: req.export_to != null && req.export_to.length > 0 ? [...req.export_to] : cur.exportTo,
        };
        if (sameService(cur, next)) {
          out.push(ok(req, Code.NoNeedUpdate));
          continue;
        }
        next.revision = newId();
        next.mtime = Date.now();
        await this.deps.store.updateService(next);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async deleteServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireService>[] = [];
    for (const req of reqs) {
      try {
        const { name, namespace } = checkServiceKey(req);
        await this.deps.store.transaction(async (tx) => {
          const svc = await tx.getService(namespace, name);
          if (!svc) return;
          if ((await tx.countInstancesOfService(svc.id)) > 0) throw new PolarisError(Code.ServiceExistedInstances);
          if ((await tx.countAliasesOf(svc.id)) > 0) throw new PolarisError(Code.ServiceExistedAlias);
          if (this.deps.routeRulesOf && (await this.deps.routeRulesOf(namespace, name)) > 0) {
            throw new PolarisError(Code.ServiceExistedRoutings);
          }
          await tx.deleteService(svc.id);
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async listServices(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireService>> {
    return listServices(this.deps.cache, query);
  }

  async allServices(ctx: RequestContext, namespace: string | undefined): Promise<WireService[]> {
    const source = namespace ? this.deps.cache.servicesOfNamespace(namespace) : this.deps.cache.services();
    const out: WireService[] = [];
    for (const svc of source) {
      if (svc.reference) continue;
      const c = this.deps.cache.instanceCount(svc.id);
      out.push({
        namespace: svc.namespace,
        name: svc.name,
        metadata: { ...svc.metadata },
        total_instance_count: c.total,
        healthy_instance_count: c.healthy,
      });
    }
    return out;
  }

  async countServices(): Promise<number> {
    let n = 0;
    for (const svc of this.deps.cache.services()) if (!svc.reference) n++;
    return n;
  }

  async getServiceOwners(ctx: RequestContext, reqs: WireService[]): Promise<WireService[]> {
    checkBatch(reqs);
    const out: WireService[] = [];
    for (const req of reqs) {
      const { name, namespace } = checkServiceKey(req);
      const svc = this.deps.cache.service(namespace, name);
      if (svc) out.push({ name, namespace, owners: svc.owner });
    }
    return out;
  }

  async getServiceToken(ctx: RequestContext, req: WireService): Promise<WireService> {
    const { name, namespace } = checkServiceKey(req);
    const svc = await this.deps.store.getService(namespace, name);
    if (!svc) throw new PolarisError(Code.NotFoundService, `${namespace}/${name}`);
    return { name, namespace, token: svc.token };
  }

  async updateServiceToken(ctx: RequestContext, req: WireService): Promise<WireService> {
    const { name, namespace } = checkServiceKey(req);
    const svc = await this.deps.store.getService(namespace, name);
    if (!svc) throw new PolarisError(Code.NotFoundResource, `${namespace}/${name}`);
    const next = { ...svc, token: newId(), revision: newId(), mtime: Date.now() };
    await this.deps.store.updateService(next);
    await this.sync();
    return { name, namespace, token: next.token };
  }

  // ---- aliases ----

  async createAlias(ctx: RequestContext, req: WireServiceAlias): Promise<WireServiceAlias> {
    const source = checkServiceKey({ name: req.service, namespace: req.namespace });
    const type = req.type === 'CL5SID' ? 1 : 0;
    const aliasNamespace = req.alias_namespace || source.namespace;
    let aliasName = req.alias ?? '';
    if (type === 1) aliasName = aliasName || `cl5.${newId().slice(0, 8)}`;
    checkResourceName(aliasName, MAX_SERVICE_NAME_LEN, Code.InvalidServiceAlias, 'alias');
    checkResourceName(aliasNamespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceWithAlias, 'alias_namespace');
    checkLength(req.comment, 1024, Code.InvalidServiceAliasComment, 'comment');
    checkLength(req.owners, 1024, Code.InvalidServiceAliasOwners, 'owners');
    const target = await this.deps.store.getService(source.namespace, source.name);
    if (!target) throw new PolarisError(Code.NotFoundSourceService, `${source.namespace}/${source.name}`);
    if (target.reference) throw new PolarisError(Code.NotAllowCreateAliasForAlias);
    await this.deps.namespaces.ensureNamespace(ctx, aliasNamespace);
    const alias: Service = {
      ...this.newService(aliasName, aliasNamespace, {}),
      reference: target.id,
      aliasType: type,
      owner: req.owners ?? '',
      comment: req.comment ?? '',
    };
    await this.deps.store.createService(alias);
    await this.sync();
    return {
      ...req,
      alias: aliasName,
      alias_namespace: aliasNamespace,
      namespace: source.namespace,
      service: source.name,
      id: alias.id,
      // The alias's own token (polaris answers it; it is not the target's).
      service_token: alias.token,
    };
  }

  async updateAlias(ctx: RequestContext, req: WireServiceAlias): Promise<ItemResult<WireServiceAlias>> {
    const aliasName = checkResourceName(req.alias, MAX_SERVICE_NAME_LEN, Code.InvalidServiceAlias, 'alias');
    const aliasNamespace = checkResourceName(
      req.alias_namespace,
      MAX_NAMESPACE_LEN,
      Code.InvalidNamespaceWithAlias,
      'alias_namespace',
    );
    const source = checkServiceKey({ name: req.service, namespace: req.namespace });
    checkLength(req.comment, 1024, Code.InvalidServiceAliasComment, 'comment');
    const cur = await this.deps.store.getService(aliasNamespace, aliasName);
    if (!cur || !cur.reference) throw new PolarisError(Code.NotFoundServiceAlias, `${aliasNamespace}/${aliasName}`);
    const target = await this.deps.store.getService(source.namespace, source.name);
    if (!target) throw new PolarisError(Code.NotFoundSourceService);
    if (target.reference) throw new PolarisError(Code.NotAllowCreateAliasForAlias);
    const next: Service = {
      ...cur,
      reference: target.id,
      comment: req.comment ?? cur.comment,
      owner: req.owners ?? cur.owner,
    };
    if (sameService(cur, next)) return ok(req, Code.NoNeedUpdate);
    next.revision = newId();
    next.mtime = Date.now();
    await this.deps.store.updateService(next);
    await this.sync();
    return ok(req);
  }

  async deleteAliases(ctx: RequestContext, reqs: WireServiceAlias[]): Promise<ItemResult<WireServiceAlias>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireServiceAlias>[] = [];
    for (const req of reqs) {
      try {
        const aliasName = checkResourceName(req.alias, MAX_SERVICE_NAME_LEN, Code.InvalidServiceAlias, 'alias');
        const ns = checkResourceName(req.alias_namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceWithAlias, 'alias_namespace');
        const cur = await this.deps.store.getService(ns, aliasName);
        if (cur && cur.reference) await this.deps.store.deleteService(cur.id);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async listAliases(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireServiceAlias>> {
    return listAliases(this.deps.cache, query, aliasToWire);
  }


  private async sync(): Promise<void> {
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
  }
}

function sameService(a: Service, b: Service): boolean {
  return (
    a.ports === b.ports &&
    a.business === b.business &&
    a.department === b.department &&
    a.cmdbMod1 === b.cmdbMod1 &&
    a.cmdbMod2 === b.cmdbMod2 &&
    a.cmdbMod3 === b.cmdbMod3 &&
    a.comment === b.comment &&
    a.owner === b.owner &&
    a.platformId === b.platformId &&
    a.reference === b.reference &&
    JSON.stringify(a.exportTo) === JSON.stringify(b.exportTo) &&
    sameMap(a.metadata, b.metadata)
  );
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
