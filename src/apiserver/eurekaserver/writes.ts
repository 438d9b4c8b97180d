import type { Instance as WireInstance } from '../../common/api/gen/wire.js';
import type { ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { InstancePatch, NamingService } from '../../service/api.js';
import { BadEurekaInput, MD, toPolarisInstance, toStatus, type EurekaStatus } from './convert.js';

/** What a write answers: the HTTP status, and for failures the polaris code and a reason. */
export interface WriteResult {
  status: number;
  code?: number;
  reason?: string;
}

const OK: WriteResult = { status: 200 };

function notFound(app: string, id: string): WriteResult {
  return { status: 404, code: Code.NotFoundResource, reason: `instance ${id} of app ${app.toUpperCase()} is not registered` };
}

function fromResult(r: ItemResult<unknown>, success = 200): WriteResult {
  if (Math.floor(r.code / 1000) === 200) return { status: success };
  if (r.code === Code.NotFoundResource || r.code === Code.NotFoundInstance) return { status: 404, code: r.code, reason: `${r.code} ${r.info}` };
  return { status: Math.floor(r.code / 1000) || 500, code: r.code, reason: `${r.code} ${r.info}` };
}

/**
 * The Eureka write operations over the naming front door, shared by the REST routes and the
 * replication batch. Instance ids are scoped per app: a Eureka id already used by another app's
 * instance gets the `app:` prefix, and every path operation looks the instance up in its own app.
 */
export class EurekaWrites {
  constructor(
    private readonly naming: NamingService,
    private readonly opts: { namespace: string; generateUniqueInstId: boolean },
  ) {}

  private prefix(ns: string): string {
    return ns === this.opts.namespace ? '' : `${ns}:`;
  }

  /** The polaris id of a Eureka id (spec §1.4). */
  private baseId(ns: string, service: string, eurekaId: string): string {
    const id = this.opts.generateUniqueInstId && !eurekaId.toLowerCase().includes(service) ? `${service}:${eurekaId.toLowerCase()}` : eurekaId;
    return this.prefix(ns) + id;
  }

  /** The id used when the base id is taken by another app's instance. */
  private scopedId(ns: string, service: string, eurekaId: string): string {
    return `${this.prefix(ns)}${service}:${eurekaId.toLowerCase()}`;
  }

  /** The instance `eurekaId` of this app, if registered. */
  private async find(ctx: RequestContext, ns: string, app: string, eurekaId: string): Promise<{ id: string; inst: WireInstance } | undefined> {
    const service = app.toLowerCase();
    for (const id of new Set([this.baseId(ns, service, eurekaId), this.scopedId(ns, service, eurekaId)])) {
      const inst = await this.naming.getInstance(ctx, id);
      if (inst && inst.namespace === ns && (inst.service ?? '').toLowerCase() === service) return { id, inst };
    }
    return undefined;
  }

  async register(ctx: RequestContext, ns: string, appPath: string, body: unknown): Promise<WriteResult> {
    const service = appPath.toLowerCase();
    let existing: { id: string; inst: WireInstance } | undefined;
    let id = '';
    let converted: ReturnType<typeof toPolarisInstance>;
    try {
      // A first pass validates and yields the Eureka id; ids and the kept override need it.
      const probe = toPolarisInstance(body, appPath, { namespace: ns, id: (e) => e });
      const eurekaId = probe.target.eurekaId;
      existing = await this.find(ctx, ns, appPath, eurekaId);
      if (existing) id = existing.id;
      else {
        const base = this.baseId(ns, service, eurekaId);
        id = (await this.naming.getInstance(ctx, base)) ? this.scopedId(ns, service, eurekaId) : base;
      }
      const override = toStatus(existing?.inst.metadata?.[MD.overriddenStatus]);
      converted = toPolarisInstance(body, appPath, { namespace: ns, id: () => id, override });
    } catch (err) {
      if (err instanceof BadEurekaInput) return { status: 400, code: Code.InvalidParameter, reason: err.message };
      throw err;
    }
    let r = await this.naming.registerInstance(ctx, converted.wire);
    if (r.code === Code.NotFoundService) {
      // naming.autoCreate is off: Eureka apps still come into being on first registration.
      const [created] = await this.naming.createServices(ctx, [{ name: service, namespace: ns }]);
      if (created && Math.floor(created.code / 1000) !== 200 && created.code !== Code.ExistedResource) return fromResult(created);
      r = await this.naming.registerInstance(ctx, converted.wire);
    }
    if (r.code === Code.ExistedResource || r.code === Code.SameInstanceRequest) return { status: 204 };
    return fromResult(r, 204);
  }

  /** Registers unless this app already has the instance (start-up take-over from peers). */
  async registerIfAbsent(ctx: RequestContext, ns: string, app: string, body: { instance: Record<string, unknown> }): Promise<WriteResult> {
    const info = body.instance;
    const eurekaId = String(info.instanceId || info.hostName || '');
    if (eurekaId && (await this.find(ctx, ns, app, eurekaId))) return OK;
    return this.register(ctx, ns, app, body);
  }

  /** Renew: a heartbeat of the health checker. 404 at once for an instance this app does not have. */
  async renew(ctx: RequestContext, ns: string, app: string, eurekaId: string): Promise<WriteResult> {
    const found = await this.find(ctx, ns, app, eurekaId);
    if (!found) return notFound(app, eurekaId);
    const r = await this.naming.heartbeat(ctx, { id: found.id });
    // Over-frequent beats, beats on instances without health checks and a checker switched off
    // still leave a registered instance registered: the client must not re-register.
    if (r.code === Code.HeartbeatExceedLimit || r.code === Code.HeartbeatOnDisabledIns || r.code === Code.HealthCheckNotOpen) return OK;
    return fromResult(r);
  }

  async cancel(ctx: RequestContext, ns: string, app: string, eurekaId: string): Promise<WriteResult> {
    const found = await this.find(ctx, ns, app, eurekaId);
    if (!found) return notFound(app, eurekaId);
    return fromResult(await this.naming.deregisterInstance(ctx, { id: found.id }));
  }

  /** PUT …/status?value=S: an override kept across renewals and re-registrations until deleted. */
  async setStatus(ctx: RequestContext, ns: string, app: string, eurekaId: string, value: string | undefined): Promise<WriteResult> {
    const status = toStatus(value);
    if (!status) return { status: 400, code: Code.InvalidParameter, reason: `value must be one of UP, DOWN, STARTING, OUT_OF_SERVICE, UNKNOWN` };
    const found = await this.find(ctx, ns, app, eurekaId);
    if (!found) return notFound(app, eurekaId);
    if (status === 'UNKNOWN') return OK;
    return this.patch(ctx, found.id, { isolate: status !== 'UP', setMetadata: { [MD.status]: status, [MD.overriddenStatus]: status } });
  }

  /** DELETE …/status: drops the override; the status becomes `value` if given, else UP. */
  async deleteOverride(ctx: RequestContext, ns: string, app: string, eurekaId: string, value: string | undefined): Promise<WriteResult> {
    const found = await this.find(ctx, ns, app, eurekaId);
    if (!found) return notFound(app, eurekaId);
    const given = toStatus(value);
    const status: EurekaStatus = given && given !== 'UNKNOWN' ? given : 'UP';
    return this.patch(ctx, found.id, { isolate: status !== 'UP', setMetadata: { [MD.status]: status }, removeMetadata: [MD.overriddenStatus] });
  }

  /** PUT …/metadata?k=v: merged into the instance's metadata, as Eureka does (internal keys refused). */
  async mergeMetadata(ctx: RequestContext, ns: string, app: string, eurekaId: string, kv: Record<string, string>): Promise<WriteResult> {
    const bad = Object.keys(kv).find((k) => k.startsWith('internal-') || k.startsWith('@'));
    if (bad) return { status: 400, code: Code.InvalidParameter, reason: `metadata key ${bad} is reserved` };
    const found = await this.find(ctx, ns, app, eurekaId);
    if (!found) return notFound(app, eurekaId);
    if (Object.keys(kv).length === 0) return OK;
    return this.patch(ctx, found.id, { setMetadata: kv });
  }

  private async patch(ctx: RequestContext, id: string, patch: InstancePatch): Promise<WriteResult> {
    return fromResult(await this.naming.patchInstance(ctx, id, patch));
  }
}
