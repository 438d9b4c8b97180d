import type { Logger } from 'pino';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { NamingService } from '../../service/api.js';
import type { ConnLimitOptions } from '../httpserver/options.js';

/** `apiservers[name=service-eureka].option` as this server uses it (spec §1.1). */
export interface EurekaServerOptions {
  /** Apiserver name used in logs; default `service-eureka`. */
  name?: string;
  listenIP: string;
  listenPort: number;
  /** The polaris namespace of every Eureka operation without an `x-namespace` header. */
  namespace: string;
  /** Seconds between background rebuilds of stale registry views (reads rebuild at once anyway). */
  refreshInterval: number;
  /** Seconds a change stays in `/apps/delta`. */
  deltaExpireInterval: number;
  /** Prefix instance ids with the app name (`app:instanceId`) when they do not contain it. */
  generateUniqueInstId: boolean;
  /** `dataCenterInfoClass` / `dataCenterInfoName`: the DataCenterInfo of instances that carry none. */
  customValues: Record<string, string>;
  connLimit?: ConnLimitOptions;
  /**
   * Eureka peers (`host:port`) by polaris namespace: each is sent the changes and renewals of its
   * namespace, under that namespace's `x-namespace`, and read when this server starts.
   */
  peersToReplicate?: Record<string, string[]>;
  /** This server's version, sent to peers as DiscoveryIdentity-Version. */
  version?: string;
  /** HTTPS when both files are set (trustedCAFile is not used for client verification, as upstream). */
  tls?: { certFile: string; keyFile: string };
  /** Largest accepted request body in bytes (compressed and decompressed); default 8 MiB. */
  bodyLimit?: number;
}

export interface EurekaServerDeps {
  naming: NamingService;
  /** The `eureka` scope logger. */
  logger: Logger;
  /** The listener's connection limiter from bootstrap (shared with the maintain API and reload). */
  connLimiter?: ConnLimiter;
}

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
/** Registry views kept for namespaces named by `x-namespace`; the least recently used goes first. */
export const MAX_NAMESPACE_VIEWS = 256;
