import type { Logger } from 'pino';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { ApiServer } from '../apiserver/api.js';
import { createHttpServer } from '../apiserver/httpserver/server.js';
import { guardNamespaces } from '../auth/guards/namespace-guard.js';
import { guardNaming } from '../auth/guards/naming-guard.js';
import { guardConfig } from '../auth/guards/config-guard.js';
import { guardRules } from '../auth/guards/rules-guard.js';
import { createAuthModule, type AuthModule } from '../auth/module.js';
import { reloadConfig } from './reload.js';
import { sharedSeqProbe } from '../common/feed-follower.js';
import { buildConnLimiters, rateLimitConfig, StartLockRole } from './operations.js';
import { buildOperatingSurface } from './operating-surface.js';
import { TokenBucketRateLimit } from '../plugin/ratelimit/token-bucket.js';
import { Diagnostics } from '../maintain/diagnostics.js';
import { join } from 'node:path';
import { MemoryReclaimer } from '../maintain/memory-reclaim.js';
import { TombstonePurge, type TombstoneSource, type TombstonePurgeConfig } from '../maintain/tombstone-purge.js';
import { NamingCache } from '../cache/naming-cache.js';
import { RulesCache } from '../cache/rules-cache.js';
import type { Lifecycle } from '../common/lifecycle.js';
import { createLoggers, type Loggers } from '../common/log/api.js';
import { serverVersion } from '../common/version.js';
import { DefaultNamespaceService } from '../namespace/namespace-service.js';
import type { BatchConfig } from '../service/batch/batch-controller.js';
import { BatchedInstanceWriter } from '../service/batched-writer.js';
import { ClientExpiry } from '../service/client-expiry.js';
import { HealthService, NODE_ID_KEY } from '../service/health-service.js';
import type { HeartbeatStore } from '../service/healthcheck/heartbeat-store.js';
import { ClockSync } from '../service/healthcheck/clock-sync.js';
import { MemoryHeartbeatStore } from '../service/healthcheck/memory-heartbeat-store.js';
import { SkewCorrectedClock, type Clock } from '../common/timewheel/clock.js';
import { createRedisHeartbeatStore, RedisHeartbeatStore } from '../service/healthcheck/redis-heartbeat-store.js';
import { createNamingModule } from '../service/naming-service.js';
import { createRulesModule, RULE_INDEXERS, type RulesModule } from '../service/rules/rules-module.js';
import type { Store } from '../store/api.js';
import type { RuleStore } from '../store/rules-api.js';
import { MysqlStore } from '../store/mysql/mysql-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { loadConfig, parseDuration, redactedSummary, type BatchCtrlConfig, type ServerConfig } from './config/api.js';
import { resolveLocalHost } from './local-host.js';
import { seedDefaults } from './seed.js';
import { authModuleConfig, ensureAdminAccount } from './admin-account.js';
import type { AuthStore } from '../store/auth-api.js';
import { SelfRegistration, type SelfInstance } from './self-registration.js';
import { buildApiServers } from './api-servers.js';
import { openConfigCenter } from './config-center.js';

export interface RunningServer {
  /** Graceful stop in reverse start order. */
  stop(reason?: string): Promise<void>;
  /** Settles when the server stopped by itself (a listener failed). */
  closed: Promise<void>;
  /** The configuration in force (replaced by a successful reload). */
  readonly config: ServerConfig;
  apiServers: readonly ApiServer[];
  /** SIGHUP: re-reads the config file and applies what can change at run time (reload.ts). */
  reload(): void;
}

export function toBatchConfig(c: BatchCtrlConfig): BatchConfig {
  return {
    open: c.open,
    queueSize: c.queueSize,
    waitTimeMs: c.waitTime,
    maxBatchCount: c.maxBatchCount,
    concurrency: c.concurrency,
    dropExpireTask: c.dropExpireTask,
    taskLifeMs: c.taskLife,
  };
}

async function openStore(config: ServerConfig, logger: Logger): Promise<Store> {
  const s = config.store;
  if (s.name === 'sqliteStore') {
    if (s.fromBoltdb) {
      logger.warn({ boltPath: s.fromBoltdb.path, path: s.option.path }, 'store boltdbStore is served by the embedded SQLite store');
    }
    return SqliteStore.open({ path: s.option.path, logger });
  }
  const { master, slave, clusterId } = s.option;
  return MysqlStore.open({
    master,
    slave,
    logger,
    clusterIdentity: clusterId || `polaris-ts:${master.dbName}`,
  });
}

/**
 * The composition root: load config → loggers → store → start lock → caches → namespace → naming
 * (batch controllers, health checker) → API servers → self-registration → release the lock.
 * Any failure releases the lock, stops what was started, and rejects.
 */
export async function startServer(opts: {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Receives what the operator must see once (generated admin credentials); main.ts prints it. */
  notice?: (text: string) => void;
}): Promise<RunningServer> {
  const { config, warnings } = loadConfig(opts.configPath, opts.env ?? process.env);
  const loggers: Loggers = createLoggers(config.bootstrap.logger, { baseDir: process.cwd() });
  const log = loggers.root;
  const configLog = loggers.scope('config');
  for (const w of warnings) configLog.warn(w);
  configLog.info({ config: redactedSummary(config) }, 'configuration loaded');

  const started: Lifecycle[] = [];
  const reloadHooks: Array<(next: ServerConfig) => void> = [];
  const rateLimit = new TokenBucketRateLimit(rateLimitConfig(config), loggers.scope('token-bucket'));
  reloadHooks.push((next) => rateLimit.update(rateLimitConfig(next)));
  const limiters = buildConnLimiters(config, loggers.scope('apiserver'));
  started.push({ start: async () => undefined, stop: async () => limiters.stopAll() });
  let lock: StartLockRole | undefined;
  let store: Store | undefined;
  const stopAll = async () => {
    for (const c of started.reverse()) {
      await c.stop().catch((err: unknown) => log.error({ err }, 'error while stopping a component'));
    }
    started.length = 0;
    await store?.close().catch((err: unknown) => log.error({ err }, 'error while closing the store'));
  };

  try {
    const ps = config.bootstrap.polaris_service;
    const localHost = await resolveLocalHost({
      selfAddress: ps.self_address,
      networkInter: ps.network_inter,
      probeAddress: ps.probe_address,
    });
    store = await openStore(config, loggers.scope('store'));
    if (config.bootstrap.startInOrder.open && config.bootstrap.startInOrder.key) {
      log.info({ key: config.bootstrap.startInOrder.key }, 'waiting for the start lock');
      lock = new StartLockRole(config.bootstrap.startInOrder.key, `${localHost}:${process.pid}`);
      lock.acquired(
        await store.acquireStartLock(config.bootstrap.startInOrder.key, `${localHost}:${process.pid}`, {
          timeoutMs: 120_000,
          staleAfterMs: 15_000,
        }),
      );
    }
    await seedDefaults(store);
    const authStore = authStoreOf(store);
    const authConfig = authModuleConfig(config);
    if (authStore) {
      await ensureAdminAccount(authStore, config, opts.env ?? process.env, loggers.scope('auth'), opts.notice);
    } else if (authConfig.consoleOpen || authConfig.clientOpen) {
      throw new Error(
        `auth is switched on but the ${store.name} store has no auth tables yet: set auth.strategy.option.consoleOpen and clientOpen to false`,
      );
    }

    // Every cache follows the same change sequence: one shared probe instead of one per cache.
    const storeForProbe = store;
    const seqProbe = sharedSeqProbe(() => storeForProbe.currentSeq(), 90);
    const cache = new NamingCache({ store, logger: loggers.scope('cache') }, { intervalMs: 1000, probeMs: 100, probe: seqProbe });
    await cache.start();
    started.push(cache);

    let auth: AuthModule | undefined;
    if (authStore) {
      auth = createAuthModule({ store: authStore, naming: cache, logger: loggers.scope('auth') }, { ...authConfig, cacheIntervalMs: 1000, cacheProbeMs: 100, cacheProbe: seqProbe });
      await auth.cache.start();
      started.push(auth.cache);
    }

    // The config center is built later; namespace deletes consult it once it exists.
    let configGroupsIn: ((namespace: string) => number) | undefined;
    const namespaces = new DefaultNamespaceService(
      { store, cache, logger: loggers.scope('naming'), configGroupCount: (ns) => configGroupsIn?.(ns) ?? 0 },
      { autoCreate: config.namespace.autoCreate },
    );

    // Governance rules: their own cache on the shared change sequence; Discover reads it.
    let rules: RulesModule | undefined;
    let rulesCache: RulesCache | undefined;
    const ruleStore = ruleStoreOf(store);
    if (ruleStore) {
      rulesCache = new RulesCache(
        { store: ruleStore, logger: loggers.scope('cache') },
        // Probe like the naming cache: rules written on other nodes arrive within ~100 ms.
        { intervalMs: 1000, probeMs: 100, probe: seqProbe, indexers: RULE_INDEXERS },
      );
      await rulesCache.start();
      started.push(rulesCache);
      rules = createRulesModule({ store: ruleStore, cache: rulesCache, naming: cache, logger: loggers.scope('naming') });
    }

    // Config center (config.open): release cache + watchers on the shared change sequence.
    const configCenter = openConfigCenter({ store, namingCache: cache, logger: loggers.scope('config'), seqProbe }, config);
    if (configCenter) {
      const groups = configCenter.cache;
      configGroupsIn = (ns) => {
        let n = 0;
        for (const _ of groups.groups(ns)) n++;
        return n;
      };
    }
    if (configCenter) {
      await configCenter.start();
      started.push(configCenter);
    }

    let health: HealthService | undefined;
    let heartbeatStore: HeartbeatStore | undefined;
    if (config.healthcheck.open) {
      const heartbeats = await openHeartbeatStore(config, localHost, loggers);
      heartbeatStore = heartbeats;
      let clock: Clock | undefined;
      if (heartbeats instanceof RedisHeartbeatStore) {
        started.push({ start: async () => undefined, stop: () => heartbeats.close() });
        // Nodes stamp and judge beats on Redis' clock, so a node with a skewed clock can neither
        // keep a dead instance alive nor expire a live one.
        const corrected = new SkewCorrectedClock(() => heartbeats.serverTimeMs());
        const sync = new ClockSync({ clock: corrected, logger: loggers.scope('healthcheck') }, 30_000);
        await sync.start();
        started.push(sync);
        clock = corrected;
      }
      health = new HealthService(
        { store, cache, heartbeats, logger: loggers.scope('healthcheck'), clock },
        {
          checkerService: { namespace: 'Polaris', name: config.healthcheck.service },
          slotNum: config.healthcheck.slotNum,
          minCheckIntervalMs: config.healthcheck.minCheckInterval,
          maxCheckIntervalMs: config.healthcheck.maxCheckInterval,
          batch: toBatchConfig(config.healthcheck.batch.heartbeat),
        },
      );
    }

    const clientExpiry = new ClientExpiry(
      { store, cache, logger: loggers.scope('naming') },
      { checkIntervalMs: config.healthcheck.clientCheckInterval, ttlMs: config.healthcheck.clientCheckTtl },
    );
    const httpEntry = config.apiservers.find((a) => a.name === 'api-http');

    let writer: BatchedInstanceWriter | undefined;
    const naming = createNamingModule(
      {
        store,
        cache,
        namespaces,
        logger: loggers.scope('naming'),
        heartbeats: health,
        onClientReport: (id) => clientExpiry.reported(id),
        rules: rules?.discovery,
        routeRulesOf: rules?.routeRulesOf,
        writer: (instances) =>
          (writer = new BatchedInstanceWriter(
            { store: store as Store, cache, instances, logger: loggers.scope('batch') },
            {
              register: toBatchConfig(config.naming.batch.register),
              deregister: toBatchConfig(config.naming.batch.deregister),
            },
          )),
      },
      {
        autoCreateService: config.naming.autoCreate,
        metricsPort: httpEntry?.option.listenPort ?? 0,
        checkerService: { namespace: 'Polaris', name: config.healthcheck.service },
      },
    );
    if (writer) {
      await writer.start();
      started.push(writer);
    }
    if (health) {
      await health.start();
      started.push(health);
    }
    await clientExpiry.start();
    started.push(clientExpiry);

    const namingStore = store;
    const purgeSources: TombstoneSource[] = [
      { name: 'naming', purge: (age, below) => namingStore.purgeTombstones(age, below), cacheSeq: () => cache.seq() },
    ];
    if (ruleStore && rulesCache) {
      const rc = rulesCache;
      purgeSources.push({ name: 'rules', purge: (age, below) => ruleStore.purgeRuleTombstones(age, below), cacheSeq: () => rc.seq() });
    }
    if (configCenter) {
      const cc = configCenter;
      purgeSources.push({ name: 'config', purge: (age, below) => cc.purgeTombstones(age, below), cacheSeq: () => cc.cache.seq() });
    }
    const purgeCfg = purgeConfig(config);
    if (purgeCfg) {
      const purge = new TombstonePurge({ sources: purgeSources, logger: loggers.root }, purgeCfg);
      await purge.start();
      started.push(purge);
    }

    const memory = new MemoryReclaimer(config.maintain.memoryReclaim, loggers.root);
    const { metrics, apiCalls, logLevels, readiness, maintain } = buildOperatingSurface({
      memory,
      config,
      localHost,
      store,
      cache,
      caches: {
        naming: cache,
        ...(rulesCache ? { rules: rulesCache } : {}),
        ...(configCenter ? { config: configCenter.cache } : {}),
        ...(auth ? { auth: auth.cache } : {}),
      },
      configCenter,
      configGroupsIn: (ns) => configGroupsIn?.(ns) ?? 0,
      limiters,
      loggers,
      writer,
      health,
      heartbeatStore,
      startLock: lock,
    });

    // Guards wrap the module front doors the API servers see (polaris' interceptor chain); the
    // modules keep calling each other unguarded.
    const apiServers = buildApiServers(config, {
      namespaces: auth ? guardNamespaces(namespaces, auth.checker) : namespaces,
      naming: auth ? guardNaming(naming.service, cache, auth.checker) : naming.service,
      auth: auth?.services,
      // /maintain/v1 needs the admin or a main account whenever console auth is on.
      maintainGuard: auth
        ? async (ctx) => {
              if (!auth.checker.isOpen('console')) return; // read per call: reload may switch it
              const op = await auth.checker.authorize(ctx, { plane: 'console', access: 'write', fn: 'Maintain', resources: () => [] });
              if (op.role !== 'admin' && op.role !== 'main') throw new PolarisError(Code.OperationRoleForbidden, 'maintain operations need the admin or a main account');
            }
          : undefined,
      rules: rules && auth ? guardRules(rules.service, cache, auth.checker, rulesCache) : rules?.service,
      // xDS reads as the control plane itself (polaris checks no token there): unguarded.
      xds: { naming: naming.service, watch: naming.watch, rulesWatch: rules?.watch },
      config:
        configCenter && auth
          ? guardConfig(configCenter, auth.checker, (ns, group) => {
              const id = configCenter.cache.group(ns, group)?.id;
              return id === undefined ? undefined : String(id);
            })
          : configCenter,
      loggers,
      metrics,
      logLevels,
      maintain,
      health: readiness,
      connLimiters: limiters,
      apiCalls,
      rateLimit,
      diagnostics: new Diagnostics(join(process.cwd(), 'diagnostics')),
    });
    for (const s of apiServers) {
      await s.start();
      started.push(s);
      log.info({ apiserver: s.name, port: s.listenPort }, 'apiserver listening');
    }
    // Stopped before the API servers: held config watches are answered so they can close at once.
    if (configCenter) started.push({ start: async () => undefined, stop: async () => configCenter.releaseWatchers() });

    if (ps.enable_register) {
      const grpc = apiServers.find((a) => a.name === 'service-grpc');
      const nodeId = `${localHost}:${(grpc ?? apiServers[0])?.listenPort ?? process.pid}`;
      const self = new SelfRegistration(
        { naming: naming.service, logger: loggers.scope('naming') },
        {
          instances: selfInstances(config, apiServers, localHost, nodeId),
          heartbeatIntervalSec: ps.heartbeat_interval > 0 ? ps.heartbeat_interval : 5,
          disableHeartbeat: ps.disable_heartbeat,
          isolated: ps.isolated,
          version: serverVersion(),
        },
      );
      await self.start();
      health?.setSelf(nodeId);
      // Stop order is the reverse of `started`: as polaris-server, the API servers close first, then
      // the self instances are deregistered while the store and caches are still up.
      started.splice(started.indexOf(apiServers[0] ?? cache), 0, self);
    }

    await lock?.releaseLock();
    // The idle trigger measures growth from the RSS of the started server.
    memory.start();
    started.push({ start: async () => undefined, stop: () => memory.stop() });
    readiness.markStarted();
    log.info({ version: serverVersion(), localHost }, 'polaris-ts started');

    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    let stopping: Promise<void> | undefined;
    let current = config;
    const reloadable = { loggers, limiters, auth: auth?.checker, extra: reloadHooks };
    return {
      get config() {
        return current;
      },
      apiServers,
      closed,
      reload() {
        if (stopping) return;
        current = reloadConfig(current, opts.env ?? process.env, reloadable, loggers.scope('config'));
      },
      stop(reason?: string) {
        stopping ??= (async () => {
          log.info({ reason }, 'stopping');
          readiness.markStopping();
          await stopAll();
          log.info('stopped');
          await loggers.close();
          resolveClosed();
        })();
        return stopping;
      },
    };
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await lock?.releaseLock().catch(() => undefined);
    await stopAll();
    await loggers.close();
    throw err;
  }
}

/** The governance-rule tables of the store (both backends have them; undefined only for a foreign Store). */
/**
 * The tombstone purge horizon: polaris's clean jobs (CleanDeletedInstances, CleanDeletedClients,
 * CleanDeletedResources) with their `timeout` / `instanceCleanTimeout` option; 20 min by default,
 * never under 2 min. With every clean job disabled, purging is off.
 */
function purgeConfig(config: ServerConfig): TombstonePurgeConfig | undefined {
  const jobs = config.maintain.jobs.filter((j) => /^CleanDeleted/.test(j.name));
  const enabled = jobs.filter((j) => j.enable);
  let olderThanMs = 20 * 60_000;
  for (const j of enabled) {
    const raw = j.option.timeout ?? j.option.instanceCleanTimeout;
    if (typeof raw === 'string' && raw) olderThanMs = parseDuration(raw);
  }
  if (jobs.length > 0 && enabled.length === 0) return undefined;
  return { olderThanMs: Math.max(olderThanMs, 2 * 60_000), intervalMs: 60_000 };
}

function ruleStoreOf(store: Store): RuleStore | undefined {
  if (store instanceof SqliteStore || store instanceof MysqlStore) return store.rules();
  return undefined;
}

/** The auth tables of the store (both backends have them; undefined only for a foreign Store). */
function authStoreOf(store: Store): AuthStore | undefined {
  if (store instanceof SqliteStore || store instanceof MysqlStore) return store.auth();
  return undefined;
}

/** The heartbeat store plugin named by healthcheck.checkers[0] (polaris allows one). */
async function openHeartbeatStore(config: ServerConfig, localHost: string, loggers: Loggers): Promise<HeartbeatStore> {
  const entry = config.healthcheck.checkers[0] ?? { name: 'heartbeatMemory', option: {} };
  const logger = loggers.scope('healthcheck');
  switch (entry.name) {
    case 'heartbeatMemory':
      return new MemoryHeartbeatStore();
    case 'heartbeatRedis': {
      const redis = createRedisHeartbeatStore(entry.option, { logger, serverHost: localHost });
      // Start even when Redis is down: beats fail with 500007 and nothing expires until it is back.
      await redis.waitConnected(10_000).catch((err: unknown) => logger.warn({ err }, 'heartbeat Redis not reachable yet'));
      return redis;
    }
    default:
      throw new Error(`healthcheck.checkers[0].name: ${entry.name} is not supported (heartbeatMemory, heartbeatRedis)`);
  }
}

function selfInstances(config: ServerConfig, servers: readonly ApiServer[], host: string, nodeId: string): SelfInstance[] {
  const out: SelfInstance[] = [];
  for (const svc of config.bootstrap.polaris_service.services) {
    const protocols = svc.protocols.length > 0 ? svc.protocols : config.apiservers.map((a) => a.name);
    for (const p of protocols) {
      const server = servers.find((s) => s.name === p);
      if (!server) {
        if (!config.apiservers.some((a) => a.name === p)) throw new Error(`polaris_service: server(${p}) not registered`);
        continue; // configured but not built in this version
      }
      out.push({
        service: svc.name || 'polaris-server',
        namespace: svc.namespace || 'Polaris',
        host,
        port: server.listenPort,
        protocol: server.protocol,
        metadata: { ...svc.metadata, [NODE_ID_KEY]: nodeId },
      });
    }
  }
  return out;
}
