import type { NamingCache } from '../cache/naming-cache.js';
import type { SyncStateSource } from '../cache/metrics.js';
import { serverFunctionGroups } from '../auth/guards/server-functions.js';
import type { ConnLimiters } from '../common/conn-limit.js';
import type { Loggers } from '../common/log/api.js';
import { isKnownLogScope, isLogLevelName } from '../common/log/log-scope.js';
import type { DefaultConfigCenter } from '../config/config-center.js';
import { MaintainService } from '../maintain/maintain-service.js';
import type { MemoryReclaimer } from '../maintain/memory-reclaim.js';
import { Readiness } from '../maintain/readiness.js';
import type { BatchedInstanceWriter } from '../service/batched-writer.js';
import type { HealthService } from '../service/health-service.js';
import type { HeartbeatStore } from '../service/healthcheck/heartbeat-store.js';
import { RedisHeartbeatStore } from '../service/healthcheck/redis-heartbeat-store.js';
import type { Store } from '../store/api.js';
import type { ServerConfig } from './config/api.js';
import { buildMetrics } from './metrics.js';
import { healthRingRole, type StartLockRole } from './operations.js';

/** `plugin.statis` entry `local`'s `interval` (seconds, default 60) in ms. */
function statisIntervalMs(config: ServerConfig): number {
  const local = config.plugin.statis?.entries.find((e) => e.name === 'local');
  const s = Number(local?.option.interval);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

/**
 * The operating surface over the started modules: the metrics registry and API call recorder,
 * runtime log-level control, readiness, and the maintain service.
 */
export function buildOperatingSurface(w: {
  config: ServerConfig;
  localHost: string;
  store: Store;
  cache: NamingCache;
  caches: Record<string, SyncStateSource>;
  configCenter?: DefaultConfigCenter;
  configGroupsIn: (namespace: string) => number;
  limiters: ConnLimiters;
  loggers: Loggers;
  writer?: BatchedInstanceWriter;
  health?: HealthService;
  heartbeatStore?: HeartbeatStore;
  startLock?: StartLockRole;
  memory: MemoryReclaimer;
}) {
  const { store, cache, configCenter: cc, loggers, health } = w;
  const { registry: metrics, apiCalls } = buildMetrics({
    localHost: w.localHost,
    store,
    naming: cache,
    caches: w.caches,
    limiters: w.limiters,
    writer: w.writer,
    health,
    redis: w.heartbeatStore instanceof RedisHeartbeatStore ? w.heartbeatStore : undefined,
    statisIntervalMs: statisIntervalMs(w.config),
    memory: w.memory,
    config: cc && {
      groupsByNamespace: () => {
        const out = new Map<string, number>();
        for (const ns of cache.namespaces()) out.set(ns.name, w.configGroupsIn(ns.name));
        return out;
      },
      filesByGroup: () => {
        const released = new Map<string, number>();
        for (const r of cc.cache.releases()) {
          if (!r.active || r.releaseType !== 'full') continue;
          const k = `${r.namespace}\u0000${r.group}`;
          released.set(k, (released.get(k) ?? 0) + 1);
        }
        return [...cc.cache.groups()].map((g) => ({
          namespace: g.namespace,
          group: g.name,
          files: cc.cache.fileCount(g.namespace, g.name),
          released: released.get(`${g.namespace}\u0000${g.name}`) ?? 0,
        }));
      },
      watchers: () => cc.watches.size(),
      observePushes: (fn) => cc.watches.observePushes(fn),
    },
  });
  const logLevels = {
    levels: () => loggers.levels().map((l) => ({ scope: l.name, level: l.level as string })),
    setLevel: (scope: string, level: string) => {
      if (!isKnownLogScope(scope)) throw new Error(`unknown scope ${scope}`);
      if (!isLogLevelName(level)) throw new Error(`unknown level ${level}`);
      loggers.setLevel(scope, level);
    },
  };
  const readiness = new Readiness({ storePing: () => store.currentSeq(), caches: w.caches });
  const maintain = new MaintainService({
    limiters: w.limiters,
    logLevels,
    tombstones: {
      // An operator's explicit clean: catch the cache up first, then any applied tombstone may go.
      purgeInstance: async (id) => {
        await cache.waitFor(await store.currentSeq());
        return store.purgeInstanceTombstone(id, cache.seq() + 1);
      },
      purgeOlderThan: (age) => store.purgeTombstones(age, cache.seq()),
    },
    heartbeats: w.heartbeatStore,
    roles: [...(w.startLock ? [w.startLock] : []), ...(health ? [healthRingRole(health, Date.now())] : [])],
    serverFunctions: serverFunctionGroups,
    pprof: w.config.apiservers.find((a) => a.name === 'api-http')?.option.enablePprof ?? false,
    memory: w.memory,
  });
  return { metrics, apiCalls, logLevels, readiness, maintain };
}
