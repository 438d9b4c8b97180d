import type { Logger } from 'pino';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';
import type { ApiRateLimit } from '../../plugin/api.js';
import type { ConfigCenter } from '../../config/api.js';

/** `apiservers[name=config-grpc].api.<group>`; only `client.enable` matters. */
export interface ConfigGrpcApiGroupConfig {
  enable: boolean;
  include: string[];
}

/** `connLimit` of the apiserver options. Enforced by the shared connection limiter. */
export interface ConfigGrpcConnLimitOptions {
  openConnLimit: boolean;
  maxConnPerHost?: number;
  maxConnLimit?: number;
  whiteList?: string[] | string;
}

export interface ConfigGrpcServerOptions {
  /** Apiserver name used in logs; default `config-grpc`. */
  name?: string;
  listenIP: string;
  /** polaris default 8093. */
  listenPort: number;
  /** `client.enable` registers v1.PolarisConfigGRPC; otherwise every call is UNIMPLEMENTED (as polaris). */
  api: Record<string, ConfigGrpcApiGroupConfig>;
  connLimit?: ConfigGrpcConnLimitOptions;
  tls?: { certFile?: string; keyFile?: string; trustedCAFile?: string };
  /** How long `stop()` waits for in-flight calls before cutting connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Largest accepted request message in bytes; default 16 MiB. */
  maxReceiveMessageBytes?: number;
}

export interface ConfigGrpcServerDeps {
  config: ConfigCenter;
  /** The `apiserver` scope logger. */
  logger: Logger;
  /** The shared connection limit of this listener (else one is built from `options.connLimit`). */
  connLimiter?: ConnLimiter;
  /** Receives every call (API call metrics). */
  apiCalls?: ApiCallRecorder;
  /** `plugin.ratelimit`: refuses calls over the configured buckets. */
  rateLimit?: ApiRateLimit;
}

export const DEFAULT_CONFIG_GRPC_NAME = 'config-grpc';
