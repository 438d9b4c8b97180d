import type { Registry } from 'prom-client';
import type { ApiServer } from '../apiserver/api.js';
import { createGrpcServer } from '../apiserver/grpcserver/server.js';
import { createHttpServer } from '../apiserver/httpserver/server.js';
import type { LogLevelControl } from '../apiserver/httpserver/options.js';
import type { Loggers } from '../common/log/api.js';
import type { NamespaceService } from '../namespace/api.js';
import type { NamingService } from '../service/api.js';
import type { ServerConfig } from './config/api.js';

/**
 * One API server per `apiservers:` entry, in file order. Entries for protocols this build does not
 * serve yet (config-grpc, service-eureka, xds-v3, …) are skipped with a warning, as polaris-server
 * skips unknown names.
 */
export function buildApiServers(
  config: ServerConfig,
  deps: {
    namespaces: NamespaceService;
    naming: NamingService;
    loggers: Loggers;
    metrics: Registry;
    logLevels: LogLevelControl;
  },
): ApiServer[] {
  const out: ApiServer[] = [];
  const logger = deps.loggers.scope('apiserver');
  for (const entry of config.apiservers) {
    switch (entry.name) {
      case 'api-http':
        out.push(
          createHttpServer(
            { namespaces: deps.namespaces, naming: deps.naming, logger, logLevels: deps.logLevels, metrics: deps.metrics },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              api: entry.api as Record<string, { enable: boolean; include: string[] }>,
              enablePprof: entry.option.enablePprof,
              enableSwagger: entry.option.enableSwagger,
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
            },
          ),
        );
        break;
      case 'service-grpc':
        out.push(
          createGrpcServer(
            { naming: deps.naming, logger },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              api: entry.api as Record<string, { enable: boolean; include: string[] }>,
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
              tls: entry.option.tls,
              enableCacheProto: entry.option.enableCacheProto,
              sizeCacheProto: entry.option.sizeCacheProto,
            },
          ),
        );
        break;
      default:
        logger.warn({ apiserver: entry.name }, 'apiserver not served by this build yet; skipped');
    }
  }
  return out;
}
