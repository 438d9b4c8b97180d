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
import type { ClientOps, ClientQueryOps, PrometheusTarget } from './api.js';
import { locationFromWire } from './convert.js';
import { discover } from './discover.js';
import type { RuleDiscovery } from './rules/api.js';
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
  /** Called on every report of a client with an id (client liveness). */
  onClientReport?: (clientId: string) => void;
  logger: Logger;
  /** Discover answers of the governance rules (ROUTING, RATE_LIMIT, …); skeletons without it. */
  rules?: RuleDiscovery;
}

export interface ClientOpsConfig {
  /** Where this cluster's own nodes serve /metrics (the api-http port); 0 = not listed. */
  metricsPort: number;
  /** The service whose instances are this cluster's nodes (healthcheck.service). */
  checkerService: { namespace: string; name: string };
}

/** Metadata key with which an SDK asks not to wait for its registration to be written. */
const ASYNC_REGISTER_KEY = 'async-regis';
/** ClientStat.target of endpoints Prometheus should scrape. */
const PROMETHEUS_TARGET = 'prometheus';

/** What SDKs call: register, deregister, heartbeat, report client, discover. */
export class DefaultClientOps implements ClientOps, ClientQueryOps {
  constructor(
    private readonly deps: ClientOpsDeps,
    private readonly config: ClientOpsConfig,
  ) {}

  async registerInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>> {
    let key: InstanceKey;
    try {
      key = checkInstanceCreate(req);
    } catch (err) {
      return failed(err, req);
    }
    const pending = this.deps.writer.register(ctx, { req, key });
    if (req.metadata?.[ASYNC_REGISTER_KEY] === undefined) return pending;
    // The SDK asked not to wait: answer now, log what the batch says later.
    pending
      .then((r) => {
        if (r.code !== Code.ExecuteSuccess) this.deps.logger.warn({ id: key.id, code: r.code, info: r.info }, 'async registration failed');
      })
      .catch((err: unknown) => this.deps.logger.warn({ err, id: key.id }, 'async registration failed'));
    return ok({ id: key.id, service: key.service, namespace: key.namespace, vpc_id: req.vpc_id ?? null, host: req.host, port: req.port });
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
        await this.deps.cache.waitFor(await this.deps.store.currentSeq());
      }
      this.deps.onClientReport?.(client.id);
      return ok(req);
    } catch (err) {
      return failed(err, req);
    }
  }

  async prometheusTargets(): Promise<PrometheusTarget[]> {
    const out: PrometheusTarget[] = [];
    for (const c of this.deps.cache.clients()) {
      for (const stat of c.stat) {
        if (stat.target !== PROMETHEUS_TARGET) continue;
        const scheme = stat.protocol.toLowerCase();
        if (scheme !== 'http' && scheme !== 'https') continue;
        out.push({
          targets: [`${c.host}:${stat.port}`],
          labels: { __metrics_path__: stat.path, __scheme__: stat.protocol, __meta_polaris_client_id: c.id },
        });
      }
    }
    const checker = this.deps.cache.service(this.config.checkerService.namespace, this.config.checkerService.name);
    if (checker && this.config.metricsPort > 0) {
      const hosts = new Set<string>();
      for (const inst of this.deps.cache.instancesOf(checker.id)) hosts.add(inst.host);
      for (const host of hosts) {
        out.push({
          targets: [`${host}:${this.config.metricsPort}`],
          labels: { __metrics_path__: '/metrics', __scheme__: 'http', __meta_polaris_client_id: host },
        });
      }
    }
    return out;
  }

  async discover(ctx: RequestContext, req: WireDiscoverRequest): Promise<WireDiscoverResponse> {
    return discover(this.deps.cache, req, ctx.protocol === 'http' && req.Filter?.OnlyHealthyInstance === true, this.deps.rules);
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
