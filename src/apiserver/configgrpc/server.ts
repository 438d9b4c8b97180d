import { readFileSync } from 'node:fs';
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { grpcService } from '../../common/api/codec.js';
import type {
  ClientConfigFileInfo,
  ClientWatchConfigFileRequest,
  ConfigDiscoverRequest,
  ConfigDiscoverResponse,
  ConfigFile,
  ConfigFileGroupRequest,
  ConfigFilePublishInfo,
  ConfigFileRelease,
} from '../../common/api/gen/wire.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { ApiServer } from '../api.js';
import { answerCode } from '../../common/metrics/api-calls.js';
import { bindAddress } from '../grpc-listen.js';
import { limiterFor, listenGrpcLimited, type LimitedGrpcListener } from '../limited-listener.js';
import type { ConnLimiter } from '../../common/conn-limit.js';
import { grpcRequestContext, peerIp } from '../grpcserver/context.js';
import { SequentialStream } from '../grpcserver/sequential-stream.js';
import { DEFAULT_CONFIG_GRPC_NAME, type ConfigGrpcServerDeps, type ConfigGrpcServerOptions } from './options.js';

const KEEPALIVE_TIME_MS = 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A held watch answers this long before the caller's gRPC deadline (polaris SDKs set none). */
const DEADLINE_MARGIN_MS = 200;

export interface ConfigGrpcApiServer extends ApiServer {
  /** Discover streams currently open. */
  openStreams(): number;
}

export function createConfigGrpcServer(deps: ConfigGrpcServerDeps, options: ConfigGrpcServerOptions): ConfigGrpcApiServer {
  return new ConfigGrpcServer(deps, options);
}

/** The peer as `ip:port` (the watcher view's client id of a gRPC connection). */
function peerAddress(peer: string): string {
  const ip = peerIp(peer);
  const m = /:(\d+)$/.exec(peer);
  return m ? `${ip}:${m[1]}` : ip;
}

/**
 * `config-grpc` (default port 8093): v1.PolarisConfigGRPC over the config center. Answers always
 * carry their Polaris code in the message (gRPC status OK); unexpected failures are 500000.
 */
class ConfigGrpcServer implements ConfigGrpcApiServer {
  readonly name: string;
  readonly protocol = 'grpc';
  readonly port: number;
  private boundPort: number;
  private readonly logger: Logger;
  private readonly streams = new Set<SequentialStream<unknown, unknown>>();
  private server: Server | undefined;
  private listener: LimitedGrpcListener | undefined;
  private readonly limiter: { limiter: ConnLimiter | undefined; owned: boolean };
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;

  constructor(
    private readonly deps: ConfigGrpcServerDeps,
    private readonly options: ConfigGrpcServerOptions,
  ) {
    this.name = options.name ?? DEFAULT_CONFIG_GRPC_NAME;
    this.port = options.listenPort;
    this.boundPort = options.listenPort;
    this.logger = deps.logger.child({ apiserver: this.name });
    this.limiter = limiterFor(deps.connLimiter, this.name, this.protocol, options.connLimit, this.logger);
  }

  get listenPort(): number {
    return this.boundPort;
  }

  openStreams(): number {
    return this.streams.size;
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
      'grpc.max_receive_message_length': this.options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    });
    if (this.options.api?.client?.enable) server.addService(grpcService('v1.PolarisConfigGRPC'), this.impl());
    else this.logger.warn('api.client is not enabled: no config gRPC service is registered');
    const address = bindAddress(this.options.listenIP, this.options.listenPort);
    try {
      this.listener = await listenGrpcLimited(server, this.credentials(), { host: this.options.listenIP, port: this.options.listenPort }, this.limiter.limiter);
      this.boundPort = this.listener.port;
    } catch (err) {
      server.forceShutdown();
      throw new Error(`${this.name}: cannot listen on ${address}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    this.server = server;
    this.logger.info({ address: bindAddress(this.options.listenIP, this.boundPort) }, 'config gRPC server listening');
  }

  private async doStop(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    if (this.limiter.owned) this.limiter.limiter?.stop();
    await this.listener?.close();
    const server = this.server;
    if (!server) return;
    for (const s of this.streams) s.finish();
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ timeoutMs }, 'config gRPC graceful stop timed out; closing connections');
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown((err) => {
        clearTimeout(timer);
        if (err) server.forceShutdown();
        resolve();
      });
    });
    this.logger.info('config gRPC server stopped');
  }

  private credentials(): ServerCredentials {
    const tls = this.options.tls;
    if (!tls?.certFile || !tls.keyFile) return ServerCredentials.createInsecure();
    const ca = tls.trustedCAFile ? readFileSync(tls.trustedCAFile) : null;
    return ServerCredentials.createSsl(ca, [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }], false);
  }

  private impl(): UntypedServiceImplementation {
    const config = this.deps.config;
    return {
      GetConfigFile: this.unary<ClientConfigFileInfo>('GetConfigFile', (ctx, req, call) =>
        config.getConfigFile(ctx, req, peerAddress(call.getPeer())),
      ),
      CreateConfigFile: this.unary<ConfigFile>('CreateConfigFile', (ctx, req) => config.clientCreateFile(ctx, req)),
      UpdateConfigFile: this.unary<ConfigFile>('UpdateConfigFile', (ctx, req) => config.clientUpdateFile(ctx, req)),
      PublishConfigFile: this.unary<ConfigFileRelease>('PublishConfigFile', (ctx, req) => config.clientPublishFile(ctx, req)),
      UpsertAndPublishConfigFile: this.unary<ConfigFilePublishInfo>('UpsertAndPublishConfigFile', (ctx, req) =>
        config.clientUpsertAndPublish(ctx, req),
      ),
      WatchConfigFiles: this.unary<ClientWatchConfigFileRequest>('WatchConfigFiles', (ctx, req, call) => {
        const ac = new AbortController();
        call.once('cancelled', () => ac.abort());
        const deadline = call.getDeadline();
        const left = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
        const timeoutMs = Number.isFinite(left) ? Math.max(0, left - DEADLINE_MARGIN_MS) : undefined;
        return config.watchConfigFiles(ctx, req, {
          clientId: peerAddress(call.getPeer()),
          signal: ac.signal,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      }),
      GetConfigFileMetadataList: this.unary<ConfigFileGroupRequest>('GetConfigFileMetadataList', (ctx, req) =>
        config.getFileMetadataList(ctx, req),
      ),
      Discover: (call: ServerDuplexStream<ConfigDiscoverRequest, ConfigDiscoverResponse>) => {
        const stream = new SequentialStream<ConfigDiscoverRequest, ConfigDiscoverResponse>(
          call,
          (req) => this.discover(call, req),
          this.logger,
          (s) => this.streams.delete(s as SequentialStream<unknown, unknown>),
        );
        this.streams.add(stream as SequentialStream<unknown, unknown>);
        if (this.stopPromise) stream.finish();
      },
    };
  }

  private async discover(
    call: ServerDuplexStream<ConfigDiscoverRequest, ConfigDiscoverResponse>,
    req: ConfigDiscoverRequest,
  ): Promise<ConfigDiscoverResponse> {
    const ctx = grpcRequestContext(call, this.logger, 'ConfigDiscover');
    try {
      return await this.deps.config.discover(ctx, req ?? {});
    } catch (err) {
      ctx.logger?.error({ err }, 'config discover failed');
      return { code: Code.ExecuteException, info: codeInfo(Code.ExecuteException), type: req?.type ?? 'UNKNOWN' };
    }
  }

  /** A unary RPC whose answer message carries the code; unexpected failures answer 500000. */
  private unary<Req extends object>(
    method: string,
    run: (ctx: RequestContext, req: Req, call: ServerUnaryCall<Req, unknown>) => Promise<object>,
  ) {
    return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): void => {
      const ctx = grpcRequestContext(call, this.logger, method);
      const t0 = performance.now();
      const record = (code: number) =>
        this.deps.apiCalls?.record({ api: method, apiType: 'config', protocol: 'gRPC', code, ms: performance.now() - t0 });
      const limited = this.deps.rateLimit?.check({ ip: peerIp(call.getPeer()), api: method });
      if (limited !== undefined) {
        record(limited);
        callback(null, { code: limited, info: codeInfo(limited) });
        return;
      }
      run(ctx, (call.request ?? {}) as Req, call).then(
        (resp) => {
          record(answerCode(resp));
          callback(null, resp);
        },
        (err: unknown) => {
          record(Code.ExecuteException);
          ctx.logger?.error({ err, method }, 'config gRPC call failed');
          callback(null, { code: Code.ExecuteException, info: codeInfo(Code.ExecuteException) });
        },
      );
    };
  }
}
