import { readFileSync } from 'node:fs';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ChannelOptions,
  type MethodDefinition,
  type ServiceDefinition,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceError,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { grpcService } from '../../common/api/codec.js';
import type {
  Client as WireClient,
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  HeartbeatsRequest as WireHeartbeatsRequest,
  HeartbeatsResponse as WireHeartbeatsResponse,
  Instance as WireInstance,
  Response as WireResponse,
  ServiceContract as WireServiceContract,
} from '../../common/api/gen/wire.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { ApiServer } from '../api.js';
import { answerCode } from '../../common/metrics/api-calls.js';
import { serviceKeyOf } from '../../plugin/api.js';
import { callIp, peerIp, type CallInfo } from './context.js';
import { bindAddress } from '../grpc-listen.js';
import { limiterFor, listenGrpcLimited, type LimitedGrpcListener } from '../limited-listener.js';
import type { ConnLimiter } from '../../common/conn-limit.js';
import { MethodAllowList } from './allow-list.js';
import { codeResponse, itemResponse } from './answers.js';
import { grpcRequestContext } from './context.js';
import { ContractHandlers } from './contract.js';
import { DiscoverAnswerer } from './discover.js';
import { echoInstanceResponse, keepingRawRequests } from './echo.js';
import { HeartbeatPeerHandlers } from './heartbeat.js';
import {
  DEFAULT_GRPC_SERVER_NAME,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_SIZE_CACHE_PROTO,
  type GrpcServerDeps,
  type GrpcServerOptions,
} from './options.js';
import { ProtoCache, type ProtoCacheStats } from './proto-cache.js';
import { SequentialStream } from './sequential-stream.js';
import { UnaryFastPath, type FastUnaryMethod } from './unary-fast-path.js';

/** What a unary handler reads of a call (a grpc-js call or the fast path's). */
type UnaryCallInfo<Req> = CallInfo & { readonly request: Req };

/** Server-initiated keepalive pings find dead peers (SDK processes gone without a FIN). */
const KEEPALIVE_TIME_MS = 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;

/** The service-grpc listener as bootstrap and tests see it. */
export interface GrpcApiServer extends ApiServer {
  /** Pre-encoded DiscoverResponse cache counters; undefined when `enableCacheProto` is off. */
  cacheStats(): ProtoCacheStats | undefined;
  /** Discover / BatchHeartbeat streams currently open. */
  openStreams(): number;
  /** SDK unary calls served by the fast path (unary-fast-path.ts); undefined when it is off. */
  fastPathCalls(): number | undefined;
}

export function createGrpcServer(deps: GrpcServerDeps, options: GrpcServerOptions): GrpcApiServer {
  return new NamingGrpcServer(deps, options);
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && (err as Partial<ServiceError>).metadata instanceof Metadata;
}

class NamingGrpcServer implements GrpcApiServer {
  readonly name: string;
  readonly protocol = 'grpc';
  readonly port: number;
  private boundPort: number;
  private readonly logger: Logger;
  private readonly allowList: MethodAllowList;
  private readonly cache: ProtoCache | undefined;
  private readonly discover: DiscoverAnswerer;
  private readonly heartbeats: HeartbeatPeerHandlers;
  private readonly contracts: ContractHandlers;
  private readonly streams = new Set<SequentialStream<unknown, unknown>>();
  private fast: UnaryFastPath | undefined;
  private server: Server | undefined;
  private listener: LimitedGrpcListener | undefined;
  private readonly limiter: { limiter: ConnLimiter | undefined; owned: boolean };
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;

  constructor(
    private readonly deps: GrpcServerDeps,
    private readonly options: GrpcServerOptions,
  ) {
    this.name = options.name ?? DEFAULT_GRPC_SERVER_NAME;
    this.port = options.listenPort;
    this.boundPort = options.listenPort;
    this.logger = deps.logger.child({ apiserver: this.name });
    this.limiter = limiterFor(deps.connLimiter, this.name, this.protocol, options.connLimit, this.logger);
    this.allowList = new MethodAllowList(options.api?.client, this.logger);
    if (options.enableCacheProto) {
      const mib = options.sizeCacheProto && options.sizeCacheProto > 0 ? options.sizeCacheProto : DEFAULT_SIZE_CACHE_PROTO;
      this.cache = new ProtoCache(Math.floor(mib * 1024 * 1024));
    }
    this.discover = new DiscoverAnswerer({ naming: deps.naming, logger: this.logger, allowList: this.allowList, cache: this.cache });
    this.heartbeats = new HeartbeatPeerHandlers({
      naming: deps.naming,
      logger: this.logger,
      allowList: this.allowList,
      records: deps.heartbeatRecords,
    });
    this.contracts = new ContractHandlers(deps.contracts);
  }

  get listenPort(): number {
    return this.boundPort;
  }

  cacheStats(): ProtoCacheStats | undefined {
    return this.cache?.stats();
  }

  openStreams(): number {
    return this.streams.size;
  }

  fastPathCalls(): number | undefined {
    return this.fast?.calls();
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
    const { credentials, tls } = this.credentials();
    const server = new Server(this.serverOptions());
    const client = this.options.api?.client;
    let fast: UnaryFastPath | undefined;
    if (client?.enable) {
      const naming = keepingRawRequests(grpcService('v1.PolarisGRPC'), ['Heartbeat']);
      const impl = this.namingImpl();
      server.addService(naming, impl);
      if (this.options.unaryFastPath !== false) fast = this.fastPath(naming, impl);
      server.addService(grpcService('v1.PolarisHeartbeatGRPC'), this.heartbeatImpl());
      server.addService(grpcService('v1.PolarisServiceContractGRPC'), this.contractImpl());
    } else {
      this.logger.warn('api.client is not enabled: no gRPC service is registered');
    }
    const address = bindAddress(this.options.listenIP, this.options.listenPort);
    try {
      this.listener = await listenGrpcLimited(server, credentials, { host: this.options.listenIP, port: this.options.listenPort }, this.limiter.limiter);
      this.boundPort = this.listener.port;
      if (fast) {
        fast.install(server);
        this.fast = fast;
      }
    } catch (err) {
      server.forceShutdown();
      throw new Error(`${this.name}: cannot listen on ${address}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    this.server = server;
    this.logger.info({ address: bindAddress(this.options.listenIP, this.boundPort), tls }, 'gRPC server listening');
  }

  private async doStop(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    if (this.limiter.owned) this.limiter.limiter?.stop();
    await this.listener?.close();
    const server = this.server;
    if (!server) return;
    // Open Discover streams would hold their connections forever: end each once it has written
    // the answers it owes (clients reconnect elsewhere).
    for (const s of this.streams) s.finish();
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ timeoutMs }, 'gRPC graceful stop timed out; closing connections');
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown((err) => {
        clearTimeout(timer);
        if (err) {
          this.logger.warn({ err }, 'gRPC graceful stop failed; closing connections');
          server.forceShutdown();
        }
        resolve();
      });
    });
    this.cache?.clear();
    this.logger.info('gRPC server stopped');
  }

  private serverOptions(): ChannelOptions {
    return {
      'grpc.max_receive_message_length': this.options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      // Channelz bookkeeping (per-call counters, timestamps and listeners) costs on every call and
      // nothing here reads it.
      'grpc.enable_channelz': 0,
    };
  }

  /** Server-side TLS when certFile and keyFile are set (client certificates not required), else h2c. */
  private credentials(): { credentials: ServerCredentials; tls: boolean } {
    const tls = this.options.tls;
    if (!tls?.certFile || !tls.keyFile) return { credentials: ServerCredentials.createInsecure(), tls: false };
    const cert = readFileSync(tls.certFile);
    const key = readFileSync(tls.keyFile);
    const ca = tls.trustedCAFile ? readFileSync(tls.trustedCAFile) : null;
    return { credentials: ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], false), tls: true };
  }

  // ---- v1.PolarisGRPC -------------------------------------------------------------------------

  private namingImpl(): UntypedServiceImplementation {
    const naming = this.deps.naming;
    return {
      ReportClient: this.unary<WireClient>('ReportClient', null, async (ctx, req) =>
        itemResponse('client', await naming.reportClient(ctx, req)),
      ),
      RegisterInstance: this.unary<WireInstance>('RegisterInstance', (req) => req.service_token, async (ctx, req) =>
        itemResponse('instance', await naming.registerInstance(ctx, req)),
      ),
      DeregisterInstance: this.unary<WireInstance>('DeregisterInstance', (req) => req.service_token, async (ctx, req) =>
        itemResponse('instance', await naming.deregisterInstance(ctx, req)),
      ),
      Heartbeat: this.unary<WireInstance>('Heartbeat', (req) => req.service_token, async (ctx, req) =>
        echoInstanceResponse(itemResponse('instance', await naming.heartbeat(ctx, req)), req),
      ),
      Discover: (call: ServerDuplexStream<WireDiscoverRequest, WireDiscoverResponse>) => {
        this.openStream(call, (req) => this.discover.answer(call, req));
      },
    };
  }

  /** The SDK's unary calls, served past grpc-js' generic call machinery (unary-fast-path.ts). */
  private fastPath(def: ServiceDefinition, impl: UntypedServiceImplementation): UnaryFastPath {
    const fast = new UnaryFastPath(this.options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, this.logger);
    for (const name of ['Heartbeat', 'RegisterInstance', 'DeregisterInstance', 'ReportClient']) {
      const m = (def as unknown as Record<string, MethodDefinition<object, WireResponse | Buffer>>)[name];
      const handle = impl[name] as unknown as FastUnaryMethod<object, WireResponse>['handle'];
      fast.add<object, WireResponse>(m.path, { deserialize: m.requestDeserialize, serialize: m.responseSerialize, handle });
    }
    return fast;
  }

  // ---- v1.PolarisHeartbeatGRPC ----------------------------------------------------------------

  private heartbeatImpl(): UntypedServiceImplementation {
    const hb = this.heartbeats;
    return {
      BatchHeartbeat: (call: ServerDuplexStream<WireHeartbeatsRequest, WireHeartbeatsResponse>) => {
        this.openStream(call, (req) => hb.batchHeartbeat(call, req));
      },
      BatchGetHeartbeat: this.peerUnary('BatchGetHeartbeat', (call) => hb.batchGetHeartbeat(call as never)),
      BatchDelHeartbeat: this.peerUnary('BatchDelHeartbeat', (call) => hb.batchDelHeartbeat(call as never)),
    };
  }

  // ---- v1.PolarisServiceContractGRPC ----------------------------------------------------------

  private contractImpl(): UntypedServiceImplementation {
    return {
      ReportServiceContract: this.unary<WireServiceContract>('ReportServiceContract', null, (ctx, req) => this.contracts.report(ctx, req)),
      GetServiceContract: this.unary<WireServiceContract>('GetServiceContract', null, (ctx, req) => this.contracts.get(ctx, req)),
    };
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /**
   * A unary RPC answered with a v1.Response (or its bytes): the method gate (400401 in the body),
   * the request context, and any unexpected failure as 500000 in the body. gRPC status is always OK.
   * The same handler serves grpc-js calls and the unary fast path's.
   */
  private unary<Req extends object>(
    method: string,
    tokenOf: ((req: Req) => string | null | undefined) | null,
    run: (ctx: RequestContext, req: Req) => Promise<WireResponse | Buffer>,
  ) {
    const fail = (ctx: RequestContext | undefined, err: unknown, t0: number, callback: (err: null, value: WireResponse | Buffer) => void) => {
      (ctx?.logger ?? this.logger).error({ err, method }, 'gRPC call failed');
      this.recordCall(method, Code.ExecuteException, t0);
      callback(null, codeResponse(Code.ExecuteException));
    };
    return (call: UnaryCallInfo<Req>, callback: (err: null, value: WireResponse | Buffer) => void): void => {
      if (!this.allowList.allows(method)) {
        callback(null, codeResponse(Code.ClientAPINotOpen));
        return;
      }
      const t0 = performance.now();
      const req = (call.request ?? {}) as Req;
      const rateLimit = this.deps.rateLimit;
      if (rateLimit !== undefined && rateLimit.enabled?.() !== false) {
        const limited = rateLimit.check({ ip: callIp(call), api: method, service: serviceKeyOf(req) });
        if (limited !== undefined) {
          this.recordCall(method, limited, t0);
          callback(null, codeResponse(limited));
          return;
        }
      }
      let ctx: RequestContext | undefined;
      let pending: Promise<WireResponse | Buffer>;
      try {
        ctx = grpcRequestContext(call, this.logger, method, tokenOf ? tokenOf(req) : undefined);
        pending = run(ctx, req);
      } catch (err) {
        fail(ctx, err, t0, callback);
        return;
      }
      pending.then(
        (resp) => {
          this.recordCall(method, answerCode(resp), t0);
          callback(null, resp);
        },
        (err: unknown) => fail(ctx, err, t0, callback),
      );
    };
  }

  /** A peer RPC whose failures are gRPC status errors (grpc.md §4.6). */
  private peerUnary<Res>(method: string, run: (call: ServerUnaryCall<unknown, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<unknown, Res>, callback: sendUnaryData<Res>): void => {
      run(call).then(
        (resp) => callback(null, resp),
        (err: unknown) => {
          if (isServiceError(err)) {
            callback(err);
            return;
          }
          this.logger.error({ err, method }, 'gRPC call failed');
          callback({ code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        },
      );
    };
  }

  private recordCall(method: string, code: number, t0: number): void {
    this.deps.apiCalls?.record({ api: method, apiType: 'client', protocol: 'gRPC', code, ms: performance.now() - t0 });
  }

  private openStream<Req, Res>(call: ServerDuplexStream<Req, Res>, answer: (req: Req) => Promise<Res | Buffer>): void {
    const method = call.getPath().split('/').pop() ?? 'stream';
    const timed = async (req: Req): Promise<Res | Buffer> => {
      const t0 = performance.now();
      const limited = this.deps.rateLimit?.check({ ip: peerIp(call.getPeer()), api: method, service: serviceKeyOf(req) });
      if (limited !== undefined) {
        this.recordCall(method, limited, t0);
        return codeResponse(limited) as Res;
      }
      const resp = await answer(req);
      this.recordCall(method, answerCode(resp), t0);
      return resp;
    };
    const stream = new SequentialStream<Req, Res>(call, timed, this.logger, (s) => {
      this.streams.delete(s as SequentialStream<unknown, unknown>);
    });
    this.streams.add(stream as SequentialStream<unknown, unknown>);
    if (this.stopPromise) stream.finish();
  }
}
