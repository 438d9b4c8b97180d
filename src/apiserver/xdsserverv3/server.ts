import type { ServerHttp2Stream } from 'node:http2';
import {
  Server,
  ServerCredentials,
  type MethodDefinition,
  type ServerDuplexStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ApiServer } from '../api.js';
import { bindAddress, shutdownGrpc } from '../grpc-listen.js';
import { limiterFor, listenGrpcLimited, type LimitedGrpcListener } from '../limited-listener.js';
import { admitStreamsInSlices } from './admission.js';
import { DirectCall, grpcJsCall, type AdsCall } from './call.js';
import { DeltaStream } from './delta.js';
import {
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_RECEIVE_BYTES,
  DEFAULT_XDS_SERVER_NAME,
  type XdsServerDeps,
  type XdsServerOptions,
} from './options.js';
import { registerXdsMetrics, type StreamCounters } from './metrics.js';
import { createXdsDebug, type XdsDebug } from './debug.js';
import { fetchHandler } from './fetch.js';
import { HdsHandlers } from './hds.js';
import { ADS_SERVICE, HDS_SERVICE, PER_TYPE_SERVICES, serviceDefinition } from './protos.js';
import { ResponseCache } from './response-cache.js';
import { LoopSlicer } from './slicer.js';
import { XdsSnapshot, type SnapshotStats } from './snapshot.js';
import { SotwStream } from './sotw.js';
import { SubscriptionRegistry } from './subscriptions.js';
import type { XdsStream } from './stream.js';
import type { ResourceChange } from './resource.js';

/** The xds-v3 listener as bootstrap, tests and the bench see it. */
export interface XdsApiServer extends ApiServer {
  /** Open ADS streams (state of the world and delta). */
  openStreams(): number;
  snapshotStats(): SnapshotStats;
  /** Resolves once every change noticed so far is built and pushed. */
  settle(): Promise<void>;
  /** What the `/debug/apiserver/xds/*` handlers of api-http show. */
  debug(): XdsDebug;
}

export function createXdsServer(deps: XdsServerDeps, options: XdsServerOptions): XdsApiServer {
  return new XdsServer(deps, options);
}

/**
 * envoy.service.discovery.v3.AggregatedDiscoveryService on `xds-v3` (polaris: port 15010):
 * StreamAggregatedResources and DeltaAggregatedResources over one incrementally maintained
 * snapshot. Each stream is isolated: a broken request ends that stream only.
 */
class XdsServer implements XdsApiServer {
  readonly name: string;
  readonly protocol = 'xds';
  readonly port: number;
  private boundPort: number;
  private readonly logger: Logger;
  private readonly snapshot: XdsSnapshot;
  private readonly streams = new Set<XdsStream>();
  private readonly counters: StreamCounters = { responses: 0, nacks: 0, lastPushMs: 0 };
  private server: Server | undefined;
  private listener: LimitedGrpcListener | undefined;
  private readonly limiter: ReturnType<typeof limiterFor>;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;

  private readonly hds: HdsHandlers;
  private readonly slicer = new LoopSlicer();

  constructor(
    deps: XdsServerDeps,
    private readonly options: XdsServerOptions,
  ) {
    this.name = options.name ?? DEFAULT_XDS_SERVER_NAME;
    this.port = options.listenPort;
    this.boundPort = options.listenPort;
    this.logger = deps.logger.child({ apiserver: this.name });
    this.limiter = limiterFor(deps.connLimiter, this.name, this.protocol, options.connLimit, this.logger);
    this.hds = new HdsHandlers({ naming: deps.naming, logger: this.logger });
    this.snapshot = new XdsSnapshot(
      { naming: deps.naming, watch: deps.watch, rulesWatch: deps.rulesWatch, logger: this.logger },
      { debounceMs: options.debounceMs ?? 0 },
    );
    this.snapshot.onChange((changes) => {
      const started = performance.now();
      const byType = new Map<string, ResourceChange[]>();
      for (const c of changes) {
        let l = byType.get(c.typeUrl);
        if (!l) byType.set(c.typeUrl, (l = []));
        l.push(c);
      }
      void this.slicer
        .each(
          [...this.streams],
          (s) => s.push(byType),
          (err, s) => this.logger.error({ err, node: s.nodeId }, 'xDS push failed'),
        )
        .then(() => {
          this.counters.lastPushMs = performance.now() - started;
        });
    });
    if (deps.metrics) {
      registerXdsMetrics(deps.metrics, {
        streams: () => {
          let delta = 0;
          for (const s of this.streams) if (s.kind === 'delta') delta++;
          return { sotw: this.streams.size - delta, delta };
        },
        counters: this.counters,
        snapshot: () => this.snapshot.stats(),
      });
    }
  }

  get listenPort(): number {
    return this.boundPort;
  }

  openStreams(): number {
    return this.streams.size;
  }

  snapshotStats(): SnapshotStats {
    return this.snapshot.stats();
  }

  debug(): XdsDebug {
    const streams = this.streams;
    return createXdsDebug(function* () {
      for (const s of streams) if (s.node) yield s.node;
    }, this.snapshot);
  }

  async settle(): Promise<void> {
    await this.snapshot.settle();
  }

  start(): Promise<void> {
    if (this.stopPromise) return Promise.reject(new Error(`${this.name}: already stopped`));
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStart(): Promise<void> {
    const server = new Server({
      'grpc.max_receive_message_length': this.options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': -1,
      'grpc.max_concurrent_streams': this.options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      // Channelz bookkeeping (per-call counters and trace events) costs every stream and every
      // message; nothing here reads it.
      'grpc.enable_channelz': 0,
    });
    const responses = new ResponseCache();
    const deps = {
      snapshot: this.snapshot,
      logger: this.logger,
      counters: this.counters,
      responses,
      slicer: this.slicer,
      subscriptions: new SubscriptionRegistry(this.snapshot, responses),
      onClose: (s: XdsStream) => this.streams.delete(s),
    };
    // Each streaming discovery method and the XdsStream a new call of it becomes.
    const methods: Array<{ service: string; method: string; open: (call: AdsCall) => XdsStream }> = [
      { service: ADS_SERVICE, method: 'StreamAggregatedResources', open: (c) => new SotwStream(c, deps) },
      { service: ADS_SERVICE, method: 'DeltaAggregatedResources', open: (c) => new DeltaStream(c, deps) },
    ];
    // The per-type services (an Envoy configured with api_type GRPC per resource type).
    for (const { service, suffix, typeUrl } of PER_TYPE_SERVICES) {
      methods.push(
        { service, method: `Stream${suffix}`, open: (c) => new SotwStream(c, deps, typeUrl) },
        { service, method: `Delta${suffix}`, open: (c) => new DeltaStream(c, deps, typeUrl) },
      );
    }
    const definitions = new Map<string, ServiceDefinition>();
    const handlers = new Map<string, UntypedServiceImplementation>();
    const direct = new Map<string, (stream: ServerHttp2Stream) => void>();
    const maxReceive = this.options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
    for (const { service, method, open } of methods) {
      let def = definitions.get(service);
      if (!def) definitions.set(service, (def = serviceDefinition(service)));
      const m = def[method] as MethodDefinition<object, object>;
      let impl = handlers.get(service);
      if (!impl) handlers.set(service, (impl = {}));
      impl[method] = (call: ServerDuplexStream<object, object>) => this.open(open(grpcJsCall(call)));
      direct.set(m.path, (stream) => this.open(open(new DirectCall(stream, m.requestDeserialize, m.responseSerialize, maxReceive))));
    }
    for (const { service, suffix, typeUrl } of PER_TYPE_SERVICES) {
      (handlers.get(service) as UntypedServiceImplementation)[`Fetch${suffix}`] = fetchHandler(this.snapshot, typeUrl, this.logger);
    }
    for (const [service, impl] of handlers) server.addService(definitions.get(service) as ServiceDefinition, impl);
    const hds = this.hds;
    server.addService(serviceDefinition(HDS_SERVICE), {
      StreamHealthCheck: (call: ServerDuplexStream<object, object>) => hds.stream(call),
      FetchHealthCheck: hds.fetch.bind(hds),
    });
    try {
      this.listener = await listenGrpcLimited(server, ServerCredentials.createInsecure(), { host: this.options.listenIP, port: this.options.listenPort }, this.limiter.limiter);
    } catch (err) {
      server.forceShutdown();
      const address = bindAddress(this.options.listenIP, this.options.listenPort);
      throw new Error(`${this.name}: cannot listen on ${address}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    this.boundPort = this.listener.port;
    admitStreamsInSlices(server, this.slicer, this.logger, this.options.streamFastPath === false ? undefined : direct);
    this.server = server;
    this.logger.info({ address: bindAddress(this.options.listenIP, this.boundPort) }, 'xDS v3 server listening');
  }

  private open(stream: XdsStream): void {
    if (this.stopPromise) {
      stream.end();
      return;
    }
    this.streams.add(stream);
  }

  private async doStop(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    this.snapshot.stop();
    if (this.limiter.owned) this.limiter.limiter?.stop();
    await this.listener?.close();
    const server = this.server;
    if (!server) return;
    for (const s of [...this.streams]) s.end();
    this.hds.endAll();
    await shutdownGrpc(server, this.options.shutdownTimeoutMs ?? 5000);
    this.logger.info('xDS v3 server stopped');
  }
}
