import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type {
  Client as WireClient,
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  Instance as WireInstance,
} from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Client } from '../common/model/naming.js';
import type { Store } from '../store/api.js';
import type { ClientOps } from './api.js';
import { locationFromWire } from './convert.js';
import { discover } from './discover.js';
import { checkInstanceCreate, instanceKeyOf, type InstanceKey } from './instance-write.js';

/** Where register/deregister go: straight to the instance writer or through a batch controller. */
export interface InstanceWriter {
  register(ctx: RequestContext, item: { req: WireInstance; key: InstanceKey }): Promise<ItemResult<WireInstance>>;
  deregister(ctx: RequestContext, id: string): Promise<void>;
}

/** The health checker as the naming module sees it. */
export interface HeartbeatSink {
  /** Records a beat; resolves false when the instance is unknown and beyond its grace beats. */
  beat(instanceId: string): Promise<boolean>;
}

export interface ClientOpsDeps {
  store: Store;
  cache: NamingReader;
  writer: InstanceWriter;
  heartbeats?: HeartbeatSink;
  logger: Logger;
}

/** What SDKs call: register, deregister, heartbeat, report client, discover. */
export class DefaultClientOps implements ClientOps {
  constructor(private readonly deps: ClientOpsDeps) {}

  async registerInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    let key: InstanceKey;
    try {
      key = checkInstanceCreate(req);
    } catch (err) {
      return failed(err, req);
    }
    return this.deps.writer.register(ctx, { req, key });
  }

  async deregisterInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    try {
      const { id } = instanceKeyOf(req);
      await this.deps.writer.deregister(ctx, id);
      return ok({ ...req, id });
    } catch (err) {
      return failed(err, req);
    }
  }

  async heartbeat(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    if (!this.deps.heartbeats) return failed(new PolarisError(Code.HealthCheckNotOpen));
    try {
      const { id } = instanceKeyOf(req);
      const known = await this.deps.heartbeats.beat(id);
      if (!known) return failed(new PolarisError(Code.NotFoundResource, `instance ${id}`), req);
      return ok(req);
    } catch (err) {
      return failed(err, req);
    }
  }

  async reportClient(ctx: RequestContext, req: WireClient): Promise<ItemResult<WireClient>> {
    if (!req.host) return failed(new PolarisError(Code.InvalidParameter, 'client host is empty'), req);
    const location = locationFromWire(req.location);
    if (!req.id) return ok({ host: req.host, location: req.location ?? null });
    const now = Date.now();
    const prev = this.deps.cache.client(req.id);
    const client: Client = {
      id: req.id,
      host: req.host,
      type: req.type === 'SDK' ? 1 : req.type === 'AGENT' ? 2 : 0,
      version: req.version ?? '',
      location,
      stat: (req.stat ?? []).map((s) => ({
        target: s.target ?? '',
        port: s.port ?? 0,
        path: s.path ?? '',
        protocol: s.protocol ?? '',
      })),
      ctime: prev?.ctime ?? now,
      mtime: now,
    };
    try {
      if (!prev || !sameClient(prev, client)) {
        await this.deps.store.upsertClients([client]);
      }
      return ok(req);
    } catch (err) {
      return failed(err, req);
    }
  }

  async discover(ctx: RequestContext, req: WireDiscoverRequest): Promise<WireDiscoverResponse> {
    return discover(this.deps.cache, req, ctx.protocol === 'http' && req.Filter?.OnlyHealthyInstance === true);
  }
}

function sameClient(a: Client, b: Client): boolean {
  return (
    a.host === b.host &&
    a.type === b.type &&
    a.version === b.version &&
    a.location.region === b.location.region &&
    a.location.zone === b.location.zone &&
    a.location.campus === b.location.campus &&
    JSON.stringify(a.stat) === JSON.stringify(b.stat)
  );
}
