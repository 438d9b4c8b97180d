/**
 * Small in-memory fakes of the namespace and naming front doors, for tests of the API servers'
 * router and envelope behaviour. They follow the module contracts (wire objects in and out,
 * ItemResult per batch item, PolarisError for single failures) with just enough behaviour to
 * produce every kind of answer; they are not a model of polaris' business rules.
 *
 * Hooks for tests:
 * - `calls` records every call (method name + arguments).
 * - `hold(method)` makes the next call of `method` wait until released (in-flight requests).
 * - `crashOn(method)` makes `method` throw a plain Error (unexpected failures).
 */
import type {
  Client,
  DiscoverRequest,
  DiscoverResponse,
  Instance,
  InstanceLabels,
  Namespace,
  Service,
  ServiceAlias,
  Summary,
} from '../../src/common/api/gen/wire.js';
import { Code } from '../../src/common/errors/codes.js';
import { failed, ok, type ItemResult } from '../../src/common/errors/batch.js';
import { PolarisError } from '../../src/common/errors/polaris-error.js';
import type { RequestContext } from '../../src/common/lifecycle.js';
import type { NamespaceList, NamespaceListQuery, NamespaceService } from '../../src/namespace/api.js';
import type { ListResult, NamingService, PrometheusTarget, RawQuery } from '../../src/service/api.js';

const NAME_RE = /^[0-9A-Za-z-./:_]+$/;

export interface Call {
  method: string;
  ctx: RequestContext;
  args: unknown[];
}

interface Held {
  entered: Promise<void>;
  release(): void;
}

/** Shared test hooks of both fakes. */
class Hooks {
  readonly calls: Call[] = [];
  private readonly held = new Map<string, { gate: Promise<void>; signalEntered: () => void }>();
  private readonly crashing = new Set<string>();

  /** The next call of `method` blocks until `release()`; `entered` resolves when it has started. */
  hold(method: string): Held {
    let release!: () => void;
    let signalEntered!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const entered = new Promise<void>((r) => (signalEntered = r));
    this.held.set(method, { gate, signalEntered });
    return { entered, release };
  }

  crashOn(method: string): void {
    this.crashing.add(method);
  }

  protected async enter(method: string, ctx: RequestContext, ...args: unknown[]): Promise<void> {
    this.calls.push({ method, ctx, args });
    const h = this.held.get(method);
    if (h) {
      this.held.delete(method);
      h.signalEntered();
      await h.gate;
    }
    if (this.crashing.has(method)) throw new Error(`fake crash in ${method}`);
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function hex32(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export class FakeNamespaces extends Hooks implements NamespaceService {
  readonly store = new Map<string, Namespace>();
  private seq = 0;

  async createNamespaces(ctx: RequestContext, reqs: Namespace[]): Promise<ItemResult<Namespace>[]> {
    await this.enter('createNamespaces', ctx, reqs);
    return reqs.map((req) => {
      const name = str(req.name);
      if (!NAME_RE.test(name)) return failed(new PolarisError(Code.InvalidNamespaceName), req);
      if (this.store.has(name)) return failed(new PolarisError(Code.ExistedResource), req);
      const created = { ...req, name, token: hex32(++this.seq) } as Namespace;
      this.store.set(name, created);
      return ok({ name, token: created.token } as Namespace);
    });
  }

  async updateNamespaces(ctx: RequestContext, reqs: Namespace[]): Promise<ItemResult<Namespace>[]> {
    await this.enter('updateNamespaces', ctx, reqs);
    return reqs.map((req) => {
      const name = str(req.name);
      const cur = this.store.get(name);
      if (!cur) return failed(new PolarisError(Code.NotFoundResource), req);
      this.store.set(name, { ...cur, ...req } as Namespace);
      return ok(req);
    });
  }

  async deleteNamespaces(ctx: RequestContext, reqs: Namespace[]): Promise<ItemResult<Namespace>[]> {
    await this.enter('deleteNamespaces', ctx, reqs);
    return reqs.map((req) => {
      this.store.delete(str(req.name));
      return ok(req);
    });
  }

  async listNamespaces(ctx: RequestContext, query: NamespaceListQuery): Promise<NamespaceList> {
    await this.enter('listNamespaces', ctx, query);
    const all = [...this.store.values()].filter(
      (n) =>
        (query.names.length === 0 || query.names.includes(str(n.name))) &&
        (query.owners.length === 0 || query.owners.includes(str(n.owners))),
    );
    const page = query.limit === 0 ? all.slice(query.offset) : all.slice(query.offset, query.offset + query.limit);
    const summary = { total_service_count: 0, total_health_instance_count: 0, total_instance_count: 0 } as Summary;
    return { amount: all.length, namespaces: page, summary };
  }

  async getNamespaceToken(ctx: RequestContext, name: string): Promise<Namespace> {
    await this.enter('getNamespaceToken', ctx, name);
    const cur = this.store.get(name);
    if (!cur) throw new PolarisError(Code.NotFoundResource, `namespace ${name}`);
    return { name, token: cur.token } as Namespace;
  }

  async updateNamespaceToken(ctx: RequestContext, req: Namespace): Promise<Namespace> {
    await this.enter('updateNamespaceToken', ctx, req);
    const name = str(req.name);
    const cur = this.store.get(name);
    if (!cur) throw new PolarisError(Code.NotFoundResource);
    const next = { ...cur, token: hex32(++this.seq) } as Namespace;
    this.store.set(name, next);
    return { name, token: next.token } as Namespace;
  }

  async ensureNamespace(ctx: RequestContext, name: string): Promise<void> {
    await this.enter('ensureNamespace', ctx, name);
    if (!this.store.has(name)) this.store.set(name, { name, token: hex32(++this.seq) } as Namespace);
  }
}

/**
 * Instance items answer by host: `bad-host` → 400131, `explode` → 500000 (as an item result),
 * anything else succeeds. Service items: a name failing the resource regex → 400120.
 */
export class FakeNaming extends Hooks implements NamingService {
  readonly services = new Map<string, Service>();
  readonly instances = new Map<string, Instance>();

  private instanceResult(req: Instance): ItemResult<Instance> {
    const host = str(req.host);
    if (host === '' || host === 'bad-host') return failed(new PolarisError(Code.InvalidInstanceHost), req);
    if (host === 'explode') return failed(new Error('store down'), req);
    return ok({ ...req, id: str(req.id) || `${str(req.namespace)}#${str(req.service)}#${host}#${String(req.port ?? '')}` } as Instance);
  }

  private serviceResult(req: Service): ItemResult<Service> {
    if (!NAME_RE.test(str(req.name))) return failed(new PolarisError(Code.InvalidServiceName), req);
    return ok(req);
  }

  async createServices(ctx: RequestContext, reqs: Service[]): Promise<ItemResult<Service>[]> {
    await this.enter('createServices', ctx, reqs);
    return reqs.map((r) => {
      const res = this.serviceResult(r);
      if (res.code === Code.ExecuteSuccess) this.services.set(`${str(r.namespace)}/${str(r.name)}`, r);
      return res;
    });
  }

  async updateServices(ctx: RequestContext, reqs: Service[]): Promise<ItemResult<Service>[]> {
    await this.enter('updateServices', ctx, reqs);
    return reqs.map((r) => this.serviceResult(r));
  }

  async deleteServices(ctx: RequestContext, reqs: Service[]): Promise<ItemResult<Service>[]> {
    await this.enter('deleteServices', ctx, reqs);
    return reqs.map((r) => this.serviceResult(r));
  }

  async listServices(ctx: RequestContext, query: RawQuery): Promise<ListResult<Service>> {
    await this.enter('listServices', ctx, query);
    for (const key of Object.keys(query)) {
      if (!['name', 'namespace', 'offset', 'limit', 'keys', 'values'].includes(key)) {
        throw new PolarisError(Code.InvalidParameter, `${key} is not allowed`);
      }
    }
    const items = [...this.services.values()];
    return { amount: items.length, items };
  }

  async allServices(ctx: RequestContext, namespace: string | undefined): Promise<Service[]> {
    await this.enter('allServices', ctx, namespace);
    return [...this.services.values()].filter((s) => namespace === undefined || s.namespace === namespace);
  }

  async countServices(ctx: RequestContext): Promise<number> {
    await this.enter('countServices', ctx);
    return this.services.size;
  }

  async getServiceOwners(ctx: RequestContext, reqs: Service[]): Promise<Service[]> {
    await this.enter('getServiceOwners', ctx, reqs);
    return reqs.map((r) => ({ name: r.name, namespace: r.namespace, owners: 'polaris' }) as Service);
  }

  async getServiceToken(ctx: RequestContext, req: Service): Promise<Service> {
    await this.enter('getServiceToken', ctx, req);
    if (!this.services.has(`${str(req.namespace)}/${str(req.name)}`)) throw new PolarisError(Code.NotFoundService);
    return { name: req.name, namespace: req.namespace, token: hex32(7) } as Service;
  }

  async updateServiceToken(ctx: RequestContext, req: Service): Promise<Service> {
    await this.enter('updateServiceToken', ctx, req);
    return { name: req.name, namespace: req.namespace, token: hex32(8) } as Service;
  }

  async createAlias(ctx: RequestContext, req: ServiceAlias): Promise<ServiceAlias> {
    await this.enter('createAlias', ctx, req);
    if (str(req.alias) === '') throw new PolarisError(Code.InvalidServiceAlias);
    return req;
  }

  async updateAlias(ctx: RequestContext, req: ServiceAlias): Promise<ItemResult<ServiceAlias>> {
    await this.enter('updateAlias', ctx, req);
    return ok(req);
  }

  async deleteAliases(ctx: RequestContext, reqs: ServiceAlias[]): Promise<ItemResult<ServiceAlias>[]> {
    await this.enter('deleteAliases', ctx, reqs);
    return reqs.map((r) => ok(r));
  }

  async listAliases(ctx: RequestContext, query: RawQuery): Promise<ListResult<ServiceAlias>> {
    await this.enter('listAliases', ctx, query);
    return { amount: 0, items: [] };
  }

  async createInstances(ctx: RequestContext, reqs: Instance[]): Promise<ItemResult<Instance>[]> {
    await this.enter('createInstances', ctx, reqs);
    return reqs.map((r) => this.instanceResult(r));
  }

  async updateInstances(ctx: RequestContext, reqs: Instance[]): Promise<ItemResult<Instance>[]> {
    await this.enter('updateInstances', ctx, reqs);
    return reqs.map((r) => this.instanceResult(r));
  }

  async deleteInstances(ctx: RequestContext, reqs: Instance[]): Promise<ItemResult<Instance>[]> {
    await this.enter('deleteInstances', ctx, reqs);
    return reqs.map((r) => this.instanceResult(r));
  }

  async deleteInstancesByHost(ctx: RequestContext, reqs: Instance[]): Promise<ItemResult<Instance>[]> {
    await this.enter('deleteInstancesByHost', ctx, reqs);
    return reqs.map((r) => this.instanceResult(r));
  }

  async updateIsolateByHost(ctx: RequestContext, reqs: Instance[]): Promise<ItemResult<Instance>[]> {
    await this.enter('updateIsolateByHost', ctx, reqs);
    return reqs.map((r) => this.instanceResult(r));
  }

  async listInstances(ctx: RequestContext, query: RawQuery): Promise<ListResult<Instance>> {
    await this.enter('listInstances', ctx, query);
    if (Object.keys(query).length === 0) throw new PolarisError(Code.EmptyQueryParameter);
    const items = [...this.instances.values()];
    return { amount: items.length, items };
  }

  async countInstances(ctx: RequestContext): Promise<number> {
    await this.enter('countInstances', ctx);
    return this.instances.size;
  }

  async instanceLabels(ctx: RequestContext, query: RawQuery): Promise<InstanceLabels> {
    await this.enter('instanceLabels', ctx, query);
    return { labels: { env: { values: ['dev'] } } } as unknown as InstanceLabels;
  }

  async registerInstance(ctx: RequestContext, req: Instance): Promise<ItemResult<Instance>> {
    await this.enter('registerInstance', ctx, req);
    const res = this.instanceResult(req);
    if (res.code === Code.ExecuteSuccess && res.value) this.instances.set(str(res.value.id), res.value);
    return res;
  }

  async deregisterInstance(ctx: RequestContext, req: Instance): Promise<ItemResult<Instance>> {
    await this.enter('deregisterInstance', ctx, req);
    this.instances.delete(str(req.id));
    return ok(req);
  }

  async heartbeat(ctx: RequestContext, req: Instance): Promise<ItemResult<Instance>> {
    await this.enter('heartbeat', ctx, req);
    if (!this.instances.has(str(req.id))) return failed(new PolarisError(Code.NotFoundResource), req);
    return ok(req);
  }

  async reportClient(ctx: RequestContext, req: Client): Promise<ItemResult<Client>> {
    await this.enter('reportClient', ctx, req);
    return ok({ host: req.host || ctx.clientIp } as Client);
  }

  async discover(ctx: RequestContext, req: DiscoverRequest): Promise<DiscoverResponse> {
    await this.enter('discover', ctx, req);
    if (req.type !== 'INSTANCE') {
      return { code: Code.InvalidDiscoverResource, info: 'invalid discover resource', type: req.type, service: req.service } as unknown as DiscoverResponse;
    }
    return {
      code: Code.ExecuteSuccess,
      info: 'execute success',
      type: 'INSTANCE',
      service: req.service,
      instances: [...this.instances.values()],
    } as unknown as DiscoverResponse;
  }

  async prometheusTargets(ctx: RequestContext): Promise<PrometheusTarget[]> {
    await this.enter('prometheusTargets', ctx, {});
    return [{ targets: ['127.0.0.1:9000'], labels: { __metrics_path__: '/metrics', __scheme__: 'http', __meta_polaris_client_id: 'c1' } }];
  }

  async getInstance(ctx: RequestContext, id: string): Promise<Instance | undefined> {
    await this.enter('getInstance', ctx, id);
    return this.instances.get(id);
  }

  async patchInstance(ctx: RequestContext, id: string): Promise<ItemResult<Instance>> {
    await this.enter('patchInstance', ctx, id);
    return this.instances.has(id) ? ok({ id }) : failed(new PolarisError(Code.NotFoundInstance), { id });
  }

  onInstancesChange(): () => void {
    return () => undefined;
  }
}
