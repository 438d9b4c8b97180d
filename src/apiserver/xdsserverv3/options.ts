import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { NamingService, RegistryWatch } from '../../service/api.js';
import type { RulesWatch } from '../../service/rules/api.js';

/** `apiservers[name=xds-v3].option`. */
export interface XdsServerOptions {
  /** Apiserver name used in logs; default `xds-v3`. */
  name?: string;
  listenIP: string;
  /** polaris default 15010. */
  listenPort: number;
  /**
   * Connection limit when no shared limiter is handed in (standalone use): per host, total, and
   * a white list. The daemon hands in the listener's limiter from bootstrap instead.
   */
  connLimit?: { openConnLimit: boolean; maxConnPerHost?: number; maxConnLimit?: number; whiteList?: readonly string[] | string };
  /** Largest accepted request in bytes (an oversized request ends that stream with RESOURCE_EXHAUSTED); default 4 MiB. */
  maxReceiveMessageBytes?: number;
  /** Streams per HTTP/2 connection (polaris: 1000). */
  maxConcurrentStreams?: number;
  /**
   * How long changes are gathered before resources are rebuilt; default 0: the rebuild starts on
   * the next turn of the event loop, and changes arriving while one runs are gathered for the next.
   */
  debounceMs?: number;
  /**
   * Serve uncompressed discovery streams straight from node's HTTP/2 streams (`DirectCall`) instead
   * of through grpc-js' per-call machinery; default true. False sends every stream through grpc-js.
   */
  streamFastPath?: boolean;
  /** How long `stop()` waits before cutting connections; default 5 s. */
  shutdownTimeoutMs?: number;
}

export interface XdsServerDeps {
  /**
   * The naming front door the resources are read through (Discover INSTANCE / ROUTING / SERVICES).
   * xDS reads as the control plane itself: polaris checks no token on it.
   */
  naming: NamingService;
  /** Which services changed. */
  watch: RegistryWatch;
  /** Which rule kinds changed; absent when the rules module is off. */
  rulesWatch?: RulesWatch;
  /** The `xdsv3` scope logger. */
  logger: Logger;
  /** Where polaris_xds_* metrics are registered. */
  metrics?: Registry;
  /** The listener's connection limiter (shared with the maintain API and reload). */
  connLimiter?: ConnLimiter;
}

export const DEFAULT_XDS_SERVER_NAME = 'xds-v3';
export const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1000;
