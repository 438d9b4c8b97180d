import type { Logger } from 'pino';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';
import type { ApiRateLimit } from '../../plugin/api.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { NamingService } from '../../service/api.js';
import type { Response as WireResponse, ServiceContract as WireServiceContract } from '../../common/api/gen/wire.js';

/** `apiservers[name=service-grpc].api.<group>` of polaris-server.yaml. */
export interface GrpcApiGroupConfig {
  enable: boolean;
  /** Method groups to open (`discover`, `register`, `healthcheck`); empty = all of them. */
  include: string[];
}

/** `connLimit` of the apiserver options. Enforced by the shared connection limiter. */
export interface GrpcConnLimitOptions {
  openConnLimit: boolean;
  maxConnPerHost?: number;
  maxConnLimit?: number;
  whiteList?: string[] | string;
}

/** Server-side TLS (no client certificates are required). */
export interface GrpcTlsOptions {
  certFile?: string;
  keyFile?: string;
  trustedCAFile?: string;
}

export interface GrpcServerOptions {
  /** Apiserver name used in logs; default `service-grpc`. */
  name?: string;
  listenIP: string;
  listenPort: number;
  /**
   * Keyed by group; only `client` matters here. As in polaris, the three services are registered
   * only when `client.enable` is true (otherwise every call gets UNIMPLEMENTED).
   */
  api: Record<string, GrpcApiGroupConfig>;
  connLimit?: GrpcConnLimitOptions;
  tls?: GrpcTlsOptions;
  /** Cache pre-encoded DiscoverResponse bytes per (type, namespace, name), latest revision. */
  enableCacheProto?: boolean;
  /** MiB that cache may hold (least recently used out first); default 128. */
  sizeCacheProto?: number;
  /** How long `stop()` waits for in-flight calls before cutting connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Largest accepted request message in bytes; default 16 MiB. */
  maxReceiveMessageBytes?: number;
  /** Serve plain unary SDK calls straight from the HTTP/2 stream (default true). */
  unaryFastPath?: boolean;
}

/**
 * The heartbeat records as PolarisHeartbeatGRPC peers see them (structurally a HeartbeatStore).
 * Without it BatchGetHeartbeat answers no records and BatchDelHeartbeat deletes nothing, as
 * polaris-server does when no checker plugin is configured.
 */
export interface HeartbeatRecordsAccess {
  get(ids: readonly string[]): Promise<Map<string, { lastBeatMs: number }>>;
  delete(ids: readonly string[]): Promise<void>;
}

/** Service contracts (PolarisServiceContractGRPC); answers are whole v1.Response wire objects. */
export interface ServiceContractAccess {
  reportServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse>;
  getServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse>;
}

export interface GrpcServerDeps {
  naming: NamingService;
  logger: Logger;
  heartbeatRecords?: HeartbeatRecordsAccess;
  contracts?: ServiceContractAccess;
  /** The shared connection limit of this listener (else one is built from `options.connLimit`). */
  connLimiter?: ConnLimiter;
  /** Receives every call (API call metrics). */
  apiCalls?: ApiCallRecorder;
  /** `plugin.ratelimit`: refuses calls over the configured buckets. */
  rateLimit?: ApiRateLimit;
}

export const DEFAULT_GRPC_SERVER_NAME = 'service-grpc';
export const DEFAULT_SIZE_CACHE_PROTO = 128;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 16 * 1024 * 1024;
