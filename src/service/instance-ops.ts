import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Instance as WireInstance, InstanceLabels as WireInstanceLabels } from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Instance } from '../common/model/naming.js';
import { checkBatch } from '../common/utils/validate.js';
import type { Store } from '../store/api.js';
import type { InstanceOps, ListResult, RawQuery } from './api.js';
import {
  applyInstanceUpdate,
  buildInstance,
  checkInstanceCreate,
  checkInstanceFields,
  instanceKeyOf,
  type InstanceKey,
} from './instance-write.js';
import { first } from './query-params.js';
import type { DefaultServiceOps } from './service-ops.js';
import { checkServiceKey } from './service-ops.js';
import { listInstances } from './service-query.js';

export interface InstanceOpsDeps {
  store: Store;
  cache: NamingReader;
  services: Pick<DefaultServiceOps, 'ensureService'>;
  logger: Logger;
  /** naming.autoCreate: create a missing service on register. */
  autoCreateService: boolean;
}

/** Console instance operations, and the write path shared with SDK registration. */
export class DefaultInstanceOps implements InstanceOps {
  constructor(private readonly deps: InstanceOpsDeps) {}

  /**
   * Each item stands on its own, as in polaris's core: the valid ones are written, the others
   * answer their code. Every answer echoes its request with the computed id, so bulk registrars can
   * match `responses[i]` to `request[i]` and read the id.
   */
  async createInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]> {
    checkBatch(reqs);
    const results: ItemResult<WireInstance>[] = new Array(reqs.length);
    const valid: { req: WireInstance; key: InstanceKey; n: number }[] = [];
    reqs.forEach((req, n) => {
      try {
        valid.push({ req, key: checkInstanceCreate(req), n });
      } catch (err) {
        results[n] = failed(err, withComputedId(req));
      }
    });
    if (valid.length > 0) {
      const written = await this.upsert(ctx, valid);
      valid.forEach((v, i) => (results[v.n] = written[i]));
    }
    return results;
  }

  /**
   * Writes validated registrations in one transaction (the batch controller hands whole batches
   * here). Duplicate ids within the call: the last request wins, every caller gets the answer.
   */
  async upsert(ctx: RequestContext, items: { req: WireInstance; key: InstanceKey }[]): Promise<ItemResult<WireInstance>[]> {
    // Resolve (or auto-create) each service once; every item of a service shares its outcome.
    const services = new Map<string, { id: string } | { error: unknown }>();
    for (const { key } of items) {
      const sk = `${key.namespace}/${key.service}`;
      if (!services.has(sk)) services.set(sk, await this.resolveService(ctx, key).catch((error: unknown) => ({ error })));
    }
    const results: ItemResult<WireInstance>[] = new Array(items.length);
    const writable: { req: WireInstance; key: InstanceKey; serviceId: string; n: number }[] = [];
    items.forEach(({ req, key }, n) => {
      const svc = services.get(`${key.namespace}/${key.service}`) as { id: string } | { error: unknown };
      if ('error' in svc) results[n] = failed(svc.error, { ...req, id: key.id });
      else writable.push({ req, key, serviceId: svc.id, n });
    });
    if (writable.length === 0) return results;
    try {
      await this.deps.store.transaction(async (tx) => {
        const existing = new Map((await tx.getInstances(writable.map((w) => w.key.id))).map((i) => [i.id, i]));
        const now = Date.now();
        const rows = new Map<string, Instance>();
        for (const w of writable) rows.set(w.key.id, buildInstance(w.req, w.key, w.serviceId, existing.get(w.key.id), now));
        await tx.upsertInstances([...rows.values()]);
      });
      for (const w of writable) {
        results[w.n] = ok({
          id: w.key.id,
          service: w.key.service,
          namespace: w.key.namespace,
          vpc_id: w.req.vpc_id ?? null,
          host: w.req.host,
          port: w.req.port,
        });
      }
    } catch (err) {
      for (const w of writable) results[w.n] = failed(err, { ...w.req, id: w.key.id });
    }
    await this.sync();
    return results;
  }

  private async resolveService(ctx: RequestContext, key: InstanceKey): Promise<{ id: string }> {
    const svc = this.deps.autoCreateService
      ? await this.deps.services.ensureService(ctx, key.namespace, key.service)
      : (this.deps.cache.service(key.namespace, key.service) ?? (await this.deps.store.getService(key.namespace, key.service)));
    if (!svc) throw new PolarisError(Code.NotFoundService, `${key.namespace}/${key.service}`);
    if (svc.reference) throw new PolarisError(Code.NotAllowAliasCreateInstance);
    return { id: svc.id };
  }

  async updateInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireInstance>[] = [];
    for (const req of reqs) {
      try {
        const key = instanceKeyOf(req);
        checkInstanceFields(req);
        const cur = await this.deps.store.getInstance(key.id);
        if (!cur) throw new PolarisError(Code.NotFoundInstance, key.id);
        const next = applyInstanceUpdate(cur, req, Date.now());
        if (!next) {
          out.push(ok(req, Code.NoNeedUpdate));
          continue;
        }
        await this.deps.store.upsertInstances([next]);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async deleteInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]> {
    checkBatch(reqs);
    const keys: (string | ItemResult<WireInstance>)[] = reqs.map((req) => {
      try {
        return instanceKeyOf(req).id;
      } catch (err) {
        return failed(err, req);
      }
    });
    const ids = keys.filter((k): k is string => typeof k === 'string');
    let storeErr: unknown;
    if (ids.length > 0) {
      try {
        await this.deps.store.deleteInstances(ids);
      } catch (err) {
        storeErr = err;
      }
    }
    await this.sync();
    return keys.map((k, n) => (typeof k !== 'string' ? k : storeErr ? failed(storeErr, reqs[n]) : ok(reqs[n])));
  }

  /** Removes every instance of a service on a host. */
  async deleteInstancesByHost(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]> {
    return this.byHost(reqs, async (list) => {
      await this.deps.store.deleteInstances(list.map((i) => i.id));
    });
  }

  async updateIsolateByHost(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]> {
    for (const req of reqs) {
      if (req.isolate === undefined || req.isolate === null) throw new PolarisError(Code.InvalidInstanceIsolate);
    }
    return this.byHost(reqs, async (list, req) => {
      const now = Date.now();
      const changed = list
        .filter((i) => i.isolate !== req.isolate)
        .map((i) => applyInstanceUpdate(i, { isolate: req.isolate }, now))
        .filter((i): i is Instance => i !== undefined);
      if (changed.length) await this.deps.store.upsertInstances(changed);
    });
  }

  private async byHost(
    reqs: WireInstance[],
    fn: (list: Instance[], req: WireInstance) => Promise<void>,
  ): Promise<ItemResult<WireInstance>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireInstance>[] = [];
    for (const req of reqs) {
      try {
        const { name, namespace } = checkServiceKey({ name: req.service, namespace: req.namespace });
        if (!req.host) throw new PolarisError(Code.InvalidInstanceHost, 'host is empty');
        const svc = await this.deps.store.getService(namespace, name);
        if (!svc) throw new PolarisError(Code.NotFoundService, `${namespace}/${name}`);
        const list = (await this.deps.store.listInstancesOfService(svc.id)).filter((i) => i.host === req.host);
        if (list.length) await fn(list, req);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.sync();
    return out;
  }

  async listInstances(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireInstance>> {
    return listInstances(this.deps.cache, query);
  }

  async countInstances(): Promise<number> {
    return this.deps.cache.totalInstances();
  }

  async instanceLabels(ctx: RequestContext, query: RawQuery): Promise<WireInstanceLabels> {
    const serviceId = first(query, 'service_id');
    const svc = serviceId
      ? this.deps.cache.serviceById(serviceId)
      : this.deps.cache.service(first(query, 'namespace') || 'default', first(query, 'service') ?? '');
    const labels: Record<string, { values: string[] }> = {};
    if (svc) {
      const sets = new Map<string, Set<string>>();
      for (const inst of this.deps.cache.instancesOf(svc.id)) {
        for (const [k, v] of Object.entries(inst.metadata)) {
          let s = sets.get(k);
          if (!s) sets.set(k, (s = new Set()));
          s.add(v);
        }
      }
      for (const [k, s] of sets) labels[k] = { values: [...s].sort() };
    }
    return { labels, namespace: svc?.namespace ?? '', service: svc?.name ?? '', service_id: svc?.id ?? '' };
  }

  private async sync(): Promise<void> {
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
  }
}

/** The request with the id polaris derives for it, when its key fields allow one. */
function withComputedId(req: WireInstance): WireInstance {
  try {
    return { ...req, id: instanceKeyOf(req).id };
  } catch {
    return req;
  }
}
