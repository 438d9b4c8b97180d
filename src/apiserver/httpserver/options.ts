import type { XdsDebug } from '../xdsserverv3/debug.js';
import type { JsonFieldSetName } from '../../common/api/codec.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { Logger } from 'pino';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';
import type { ApiRateLimit } from '../../plugin/api.js';
import type { HealthProbe, MaintainOps } from '../../maintain/api.js';
import type { AuthServices } from '../../auth/api.js';
import type { ConfigCenter } from '../../config/api.js';
import type { NamespaceService } from '../../namespace/api.js';
import type { NamingService } from '../../service/api.js';
import type { RulesService } from '../../service/rules/api.js';
import type { WebConsoleOptions } from './web-console.js';

/** `apiservers[name=api-http].api.<group>` of polaris-server.yaml. */
export interface ApiGroupConfig {
  enable: boolean;
  /** Sub-groups to mount; empty = the group's defaults. */
  include: string[];
}

/** `connLimit` of the apiserver options (only the keys this server honours). */
export interface ConnLimitOptions {
  /** Master switch, as upstream's `openConnLimit`. */
  openConnLimit: boolean;
  /** Open connections allowed per client IP (0 / absent = unlimited). */
  maxConnPerHost?: number;
  /** Open connections allowed in total (0 / absent = unlimited). */
  maxConnLimit?: number;
  /** Client IPs exempt from the per-host limit (a list, or upstream's comma-separated string). */
  whiteList?: string[] | string;
}

export interface HttpServerOptions {
  /** Apiserver name used in logs; default `api-http`. */
  name?: string;
  listenIP: string;
  listenPort: number;
  /** Keyed by group: `admin`, `console`, `client`. Unknown groups and include keys only warn. */
  api: Record<string, ApiGroupConfig>;
  /** Serve `/debug/pprof/profile` and `/debug/pprof/heap` (admin only); the maintain toggle overrides it. */
  enablePprof?: boolean;
  /** Serve `/apidocs.json` (OpenAPI 3 of every mounted route) and the `/apidocs` page. */
  enableSwagger?: boolean;
  connLimit?: ConnLimitOptions;
  /** Largest accepted request body in bytes; default 8 MiB. Larger bodies get HTTP 413. */
  bodyLimit?: number;
  /** The web console (`option.console`); absent = not served. */
  console?: WebConsoleOptions;
  /** How long `stop()` waits for in-flight requests before cutting connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /**
   * Fields of JSON answers on the routes polaris-server 1.18.1 serves: `v1.4.2` (default, its
   * specification; strict Go decoders accept nothing else) or `v1.5` (every field this server knows).
   */
  jsonFieldSet?: JsonFieldSetName;
}

/** Runtime log-level control behind `/maintain/v1/log/outputlevel`. */
export interface LogLevelControl {
  /** Every logging scope with its current level. */
  levels(): Array<{ scope: string; level: string }>;
  /** Throws (with a readable message) on an unknown scope or level. */
  setLevel(scope: string, level: string): void;
}

/** The slice of a prom-client Registry that `/metrics` needs. */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * What the HTTP server talks to. Later route groups (config center, auth, maintain) add their
 * optional front doors here; a group whose dependency is absent mounts nothing.
 */
export interface HttpServerDeps {
  namespaces: NamespaceService;
  naming: NamingService;
  /** The `apiserver` scope logger (bootstrap's `loggers.scope('apiserver')`). */
  logger: Logger;
  logLevels?: LogLevelControl;
  metrics?: MetricsRegistry;
  /** The config center (`/config/v1` console routes and the SDK config routes); absent when `config.open` is false. */
  config?: ConfigCenter;
  /** Governance rules (route, rate-limit, circuit-breaker, fault-detect, lane, contract routes). */
  rules?: RulesService;
  /** Users, groups, policies and login (`/core/v1` auth routes). */
  auth?: AuthServices;
  /**
   * Admits a caller to the `/maintain/v1` operations (rejects with a PolarisError otherwise); absent
   * when console auth is off. polaris-server served some of them without any token.
   */
  maintainGuard?: (ctx: RequestContext) => Promise<void>;
  /** Liveness / readiness behind `/healthz` and `/readyz`. */
  health?: HealthProbe;
  /** The `/maintain/v1` operations beyond log levels (connections, leaders, clean-up, …). */
  maintain?: MaintainOps;
  /** The shared connection limit of this listener (else one is built from `options.connLimit`). */
  connLimiter?: ConnLimiter;
  /** Receives every call (API call metrics). */
  apiCalls?: ApiCallRecorder;
  /** CPU profiles and heap snapshots behind `/debug/pprof/*` (served while pprof is on). */
  diagnostics?: { cpuProfile(seconds: number): Promise<string>; heapSnapshot(): Promise<string> };
  /** `plugin.ratelimit`: refuses calls over the configured buckets. */
  rateLimit?: ApiRateLimit;
  /** The xds-v3 server's debug view behind `/debug/apiserver/xds/*` (absent: xds-v3 off). */
  xdsDebug?: XdsDebug;
}

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** Largest batch a write endpoint accepts (polaris `MaxBatchSize`). */
export const MAX_BATCH_SIZE = 100;
