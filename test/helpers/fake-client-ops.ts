/**
 * An in-memory fake of the naming module's client front doors (ClientOps) for API-server tests.
 * It follows the polaris answers an SDK relies on (codes, echoes, revisions) without a store or
 * cache, and records every call so tests can check what the API server passed down.
 */
import { createHash } from 'node:crypto';
import type {
  Client as WireClient,
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  Instance as WireInstance,
  Service as WireService,
} from '../../src/common/api/gen/wire.js';
import type { ItemResult } from '../../src/common/errors/batch.js';
import { codeInfo } from '../../src/common/errors/code-info.js';
import { Code, type PolarisCode } from '../../src/common/errors/codes.js';
import type { RequestContext } from '../../src/common/lifecycle.js';
import type { ClientOps, NamingService } from '../../src/service/api.js';

export const EMPTY_REVISION = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

export interface RecordedCall {
  op: keyof ClientOps;
  ctx: RequestContext;
  req: unknown;
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

function result<T>(code: PolarisCode, value?: T): ItemResult<T> {
  return { code, info: codeInfo(code), value };
}

type DiscoverType = NonNullable<WireDiscoverResponse['type']>;

export class FakeClientOps implements ClientOps {
  /** Registered instances by id. */
  readonly instances = new Map<string, WireInstance>();
  /** Services known without instances, `namespace/name`. */
  readonly services = new Set<string>();
  readonly calls: RecordedCall[] = [];
  /** Milliseconds to wait before answering a Discover request (ordering tests). */
  discoverDelay: (req: WireDiscoverRequest) => number = () => 0;
  /** Milliseconds to wait before answering a RegisterInstance call (graceful stop test). */
  registerDelayMs = 0;
  /** Makes discover() throw, to check the API server survives a broken module. */
  discoverThrows = false;

  private record(op: keyof ClientOps, ctx: RequestContext, req: unknown): void {
    this.calls.push({ op, ctx, req });
  }

  /** The id polaris derives for an instance without one. */
  static instanceId(i: WireInstance): string {
    if (i.id) return i.id;
    const parts = [i.namespace ?? '', i.service ?? ''];
    if (i.vpc_id) parts.push(i.vpc_id);
    parts.push(i.host ?? '', String(i.port ?? 0));
    return sha1(parts.join('##'));
  }

  addService(namespace: string, name: string): void {
    this.services.add(`${namespace}/${name}`);
  }

  async registerInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    this.record('registerInstance', ctx, req);
    if (this.registerDelayMs > 0) await new Promise((r) => setTimeout(r, this.registerDelayMs));
    if (!req.service) return result(Code.InvalidServiceName, req);
    if (!req.namespace) return result(Code.InvalidNamespaceName, req);
    if (!req.host) return result(Code.InvalidInstanceHost, req);
    if (req.port === undefined || req.port === null) return result(Code.InvalidInstancePort, req);
    const id = FakeClientOps.instanceId(req);
    const revision = sha1(`${id}-${Date.now()}-${Math.random()}`);
    this.instances.set(id, {
      ...req,
      id,
      service_token: undefined,
      weight: req.weight ?? 100,
      healthy: req.healthy ?? true,
      isolate: req.isolate ?? false,
      revision,
    });
    this.addService(req.namespace, req.service);
    return result(Code.ExecuteSuccess, {
      id,
      service: req.service,
      namespace: req.namespace,
      host: req.host,
      port: req.port,
    });
  }

  async deregisterInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    this.record('deregisterInstance', ctx, req);
    if (req.id === '') return result(Code.InvalidInstanceID, req);
    const id = FakeClientOps.instanceId(req);
    this.instances.delete(id);
    return result(Code.ExecuteSuccess, { ...req, id });
  }

  async heartbeat(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    this.record('heartbeat', ctx, req);
    if (req.id === '') return result(Code.InvalidInstanceID, req);
    const id = FakeClientOps.instanceId(req);
    return result(this.instances.has(id) ? Code.ExecuteSuccess : Code.NotFoundResource, req);
  }

  async reportClient(ctx: RequestContext, req: WireClient): Promise<ItemResult<WireClient>> {
    this.record('reportClient', ctx, req);
    if (!req.host) return result(Code.InvalidParameter, req);
    const location = { region: 'south', zone: 'sz', campus: 'a1' };
    if (!req.id) return result(Code.ExecuteSuccess, { host: req.host, location });
    return result(Code.ExecuteSuccess, { ...req, location });
  }

  async discover(ctx: RequestContext, req: WireDiscoverRequest): Promise<WireDiscoverResponse> {
    this.record('discover', ctx, req);
    const delay = this.discoverDelay(req);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.discoverThrows) throw new Error('boom');
    const type = (req.type ?? 'UNKNOWN') as DiscoverType;
    const answer = (code: PolarisCode, service: WireService | null | undefined): WireDiscoverResponse => ({
      code,
      info: codeInfo(code),
      type,
      service: service ?? null,
    });
    const svc = req.service;
    if (type === 'SERVICES') return this.discoverServices(req, answer);
    if (type !== 'INSTANCE' && type !== 'ROUTING') return answer(Code.InvalidDiscoverResource, svc);
    if (!svc) return answer(Code.EmptyRequest, null);
    const namespace = svc.namespace || (type === 'INSTANCE' ? 'default' : '');
    if (!svc.name) return answer(Code.InvalidServiceName, svc);
    if (!namespace) return answer(Code.InvalidNamespaceName, svc);
    const known = this.services.has(`${namespace}/${svc.name}`);
    if (type === 'ROUTING') {
      if (svc.revision === EMPTY_REVISION) return answer(Code.DataNoChange, svc);
      return {
        ...answer(Code.ExecuteSuccess, { name: svc.name, namespace, revision: EMPTY_REVISION }),
        routing: { service: svc.name, namespace, inbounds: [], outbounds: [], revision: EMPTY_REVISION },
      };
    }
    if (!known) return answer(Code.NotFoundResource, svc);
    const list = [...this.instances.values()]
      .filter((i) => i.namespace === namespace && i.service === svc.name)
      .sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
    const revision = list.length === 0 ? EMPTY_REVISION : sha1(list.map((i) => i.revision ?? '').sort().join(''));
    if (svc.revision === revision) return answer(Code.DataNoChange, svc);
    return {
      ...answer(Code.ExecuteSuccess, { name: svc.name, namespace, revision }),
      instances: list.map((i) => ({ ...i, metadata: { ...(i.metadata ?? {}) } })),
    };
  }

  private discoverServices(
    req: WireDiscoverRequest,
    answer: (code: PolarisCode, service: WireService | null | undefined) => WireDiscoverResponse,
  ): WireDiscoverResponse {
    const ns = req.service?.namespace ?? '';
    const all = [...this.services]
      .map((k) => {
        const [namespace, name] = k.split('/');
        return { namespace, name };
      })
      .filter((s) => !ns || s.namespace === ns)
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    if (all.length === 0) return answer(Code.ExecuteSuccess, req.service ?? {});
    const revision = sha1(all.map((s) => `${s.namespace}/${s.name}`).join(','));
    if (req.service?.revision === revision) return answer(Code.DataNoChange, req.service);
    return {
      ...answer(Code.ExecuteSuccess, { namespace: ns, name: req.service?.name ?? '', revision }),
      services: all,
    };
  }

  /** Calls of one operation, oldest first. */
  callsOf(op: keyof ClientOps): RecordedCall[] {
    return this.calls.filter((c) => c.op === op);
  }
}

/**
 * The fake as a NamingService: the client operations are real, every other front door rejects
 * (API servers under test must not reach them).
 */
export function fakeNamingService(fake: FakeClientOps): NamingService {
  return new Proxy(fake, {
    get(target, prop, receiver) {
      if (prop in target) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return () => Promise.reject(new Error(`FakeClientOps: ${String(prop)} is not faked`));
    },
  }) as unknown as NamingService;
}
