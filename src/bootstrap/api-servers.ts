import type { RequestContext } from '../common/lifecycle.js';
import type { Registry } from 'prom-client';
import type { ApiServer } from '../apiserver/api.js';
import { createConfigGrpcServer } from '../apiserver/configgrpc/server.js';
import { createEurekaServer } from '../apiserver/eurekaserver/server.js';
import { createGrpcServer } from '../apiserver/grpcserver/server.js';
import { createHttpServer } from '../apiserver/httpserver/server.js';
import { createXdsServer } from '../apiserver/xdsserverv3/server.js';
import type { HttpServerDeps, LogLevelControl } from '../apiserver/httpserver/options.js';
import type { AuthServices } from '../auth/api.js';
import type { ConfigCenter } from '../config/api.js';
import { serverVersion } from '../common/version.js';
import type { Loggers } from '../common/log/api.js';
import type { NamespaceService } from '../namespace/api.js';
import type { NamingService, RegistryWatch } from '../service/api.js';
import type { RulesService, RulesWatch } from '../service/rules/api.js';
import type { ServerConfig } from './config/api.js';
import type { ConnLimiters } from '../common/conn-limit.js';
import type { ApiCallRecorder } from '../common/metrics/api-calls.js';
import type { ApiRateLimit } from '../plugin/api.js';
import type { HealthProbe, MaintainOps } from '../maintain/api.js';

/**
 * One API server per `apiservers:` entry, in file order. Entries for protocols this build does not
 * serve yet (service-nacos, …) are skipped with a warning, as polaris-server
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
    auth?: AuthServices;
    maintainGuard?: (ctx: RequestContext) => Promise<void>;
    /** Governance rules: their console routes and PolarisServiceContractGRPC. */
    rules?: RulesService;
    /** The config center; absent when config.open is false (its routes and config-grpc stay off). */
    config?: ConfigCenter;
    /** What the xds-v3 server reads (unguarded naming) and follows (change notifications). */
    xds?: { naming: NamingService; watch: RegistryWatch; rulesWatch?: RulesWatch };
    /** `/maintain/v1` operations, `/healthz` + `/readyz`, and every listener's connection limit. */
    maintain?: MaintainOps;
    health?: HealthProbe;
    connLimiters?: ConnLimiters;
    apiCalls?: ApiCallRecorder;
    rateLimit?: ApiRateLimit;
    diagnostics?: HttpServerDeps['diagnostics'];
  },
): ApiServer[] {
  const out: ApiServer[] = [];
  const logger = deps.loggers.scope('apiserver');
  // Built first: api-http mounts its debug handlers over it, wherever the entries are listed.
  const xdsEntry = config.apiservers.find((e) => e.name === 'xds-v3');
  const xds =
    xdsEntry && deps.xds
      ? createXdsServer(
          { ...deps.xds, logger: deps.loggers.scope('xdsv3'), metrics: deps.metrics, connLimiter: deps.connLimiters?.find(xdsEntry.name) },
          {
            name: xdsEntry.name,
            listenIP: xdsEntry.option.listenIP,
            listenPort: xdsEntry.option.listenPort,
            connLimit: { ...xdsEntry.option.connLimit, whiteList: [...xdsEntry.option.connLimit.whiteList] },
            streamFastPath: xdsEntry.option.streamFastPath,
          },
        )
      : undefined;
  for (const entry of config.apiservers) {
    switch (entry.name) {
      case 'api-http':
        out.push(
          createHttpServer(
            {
              namespaces: deps.namespaces,
              naming: deps.naming,
              logger,
              logLevels: deps.logLevels,
              metrics: deps.metrics,
              auth: deps.auth,
              maintainGuard: deps.maintainGuard,
              rules: deps.rules,
              config: deps.config,
              maintain: deps.maintain,
              health: deps.health,
              connLimiter: deps.connLimiters?.find(entry.name),
              apiCalls: deps.apiCalls,
              rateLimit: deps.rateLimit,
              diagnostics: deps.diagnostics,
              xdsDebug: xds?.debug(),
            },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              api: entry.api as Record<string, { enable: boolean; include: string[] }>,
              enablePprof: entry.option.enablePprof,
              enableSwagger: entry.option.enableSwagger,
              jsonFieldSet: entry.option.jsonFieldSet,
              console: entry.option.console,
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
            },
          ),
        );
        break;
      case 'service-grpc':
        out.push(
          createGrpcServer(
            { naming: deps.naming, logger, contracts: deps.rules, connLimiter: deps.connLimiters?.find(entry.name), apiCalls: deps.apiCalls, rateLimit: deps.rateLimit },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              api: entry.api as Record<string, { enable: boolean; include: string[] }>,
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
              tls: entry.option.tls,
              enableCacheProto: entry.option.enableCacheProto,
              sizeCacheProto: entry.option.sizeCacheProto,
              unaryFastPath: entry.option.unaryFastPath,
            },
          ),
        );
        break;
      case 'config-grpc':
        if (!deps.config) {
          logger.warn({ apiserver: entry.name }, 'config center is off (config.open: false); config-grpc skipped');
          break;
        }
        out.push(
          createConfigGrpcServer(
            { config: deps.config, logger, connLimiter: deps.connLimiters?.find(entry.name), apiCalls: deps.apiCalls, rateLimit: deps.rateLimit },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              api: entry.api as Record<string, { enable: boolean; include: string[] }>,
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
              tls: entry.option.tls,
            },
          ),
        );
        break;
      case 'service-eureka':
        out.push(
          createEurekaServer(
            { naming: deps.naming, logger: deps.loggers.scope('eureka'), connLimiter: deps.connLimiters?.find(entry.name) },
            {
              name: entry.name,
              listenIP: entry.option.listenIP,
              listenPort: entry.option.listenPort,
              namespace: entry.option.namespace,
              refreshInterval: entry.option.refreshInterval,
              deltaExpireInterval: entry.option.deltaExpireInterval,
              generateUniqueInstId: entry.option.generateUniqueInstId,
              customValues: { ...entry.option.customValues },
              tls: { certFile: entry.option.tls.certFile, keyFile: entry.option.tls.keyFile },
              peersToReplicate: Object.fromEntries(Object.entries(entry.option.peersToReplicate).map(([ns, list]) => [ns, [...list]])),
              version: serverVersion(),
              connLimit: { ...entry.option.connLimit, whiteList: [...entry.option.connLimit.whiteList] },
            },
          ),
        );
        break;
      case 'xds-v3':
        if (xds) out.push(xds);
        else logger.warn({ apiserver: entry.name }, 'xDS needs the naming module; xds-v3 skipped');
        break;
      default:
        logger.warn({ apiserver: entry.name }, 'apiserver not served by this build yet; skipped');
    }
  }
  return out;
}
