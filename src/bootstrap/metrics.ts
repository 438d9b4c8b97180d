import { collectDefaultMetrics, Counter, type Registry } from 'prom-client';
import { registerCacheMetrics, type SyncStateSource } from '../cache/metrics.js';
import type { NamingReader } from '../cache/api.js';
import type { ConnLimiters } from '../common/conn-limit.js';
import type { ApiCallRecorder } from '../common/metrics/api-calls.js';
import { configPushHistogram, registerDiscoveryMetrics, storeTxHistogram } from '../plugin/statis/discovery-metrics.js';
import { PrometheusStatis } from '../plugin/statis/prometheus-statis.js';
import { TextRegistry } from '../plugin/statis/text-metric.js';
import { registerSysMetrics, type SysMetricSources } from '../plugin/statis/sys-metrics.js';
import type { Store } from '../store/api.js';

export interface MetricsWiring {
  localHost: string;
  store: Store;
  naming: NamingReader;
  caches: Record<string, SyncStateSource>;
  limiters: ConnLimiters;
  writer?: {
    queued(): { register: number; deregister: number };
    observeRegisterCost(fn: (ms: number) => void): () => void;
    droppedRegisters(): number;
  };
  /** The `heartbeatRedis` store, when health checks keep their beats in Redis. */
  redis?: SysMetricSources['redis'];
  /** `plugin.statis` local `interval`: how often the per-interval API call gauges are published. */
  statisIntervalMs?: number;
  health?: { stats(): { tracked: number; dueChecks: number; tickLagMs: number; pendingBeatWrites: number } };
  config?: {
    groupsByNamespace(): Map<string, number>;
    filesByGroup(): Array<{ namespace: string; group: string; files: number; released: number }>;
    watchers(): number;
    observePushes(fn: (ms: number) => void): () => void;
  };
  /** The memory reclaimer: memory-reducing collections run so far. */
  memory?: { readonly collections: number };
}

/**
 * The private metrics registry behind `GET /metrics`: Node process and event-loop metrics
 * (`polaris_` prefix), cache sync lag and update cost, polaris-server's API call, resource and
 * system (registration, Redis) metrics, and the polaris-ts gauges (store transactions, config
 * pushes, health-check lag, Redis call latency). Every series carries
 * `polaris_server_instance`, as polaris-server's do.
 */
export function buildMetrics(w: MetricsWiring): { registry: Registry; apiCalls: ApiCallRecorder } {
  const registry = new TextRegistry();
  registry.setDefaultLabels({ polaris_server_instance: w.localHost });
  collectDefaultMetrics({ register: registry, prefix: 'polaris_' });
  registerCacheMetrics(registry, w.caches);
  const apiCalls = new PrometheusStatis(registry, w.statisIntervalMs);
  const { writer, health, config } = w;
  registerSysMetrics(registry, {
    registrations: writer && { observeCost: (fn) => writer.observeRegisterCost(fn), dropped: () => writer.droppedRegisters() },
    redis: w.redis,
  });
  registerDiscoveryMetrics(registry, {
    naming: w.naming,
    limiters: w.limiters,
    configGroups: config ? () => config.groupsByNamespace() : undefined,
    configFiles: config ? () => config.filesByGroup() : undefined,
    batchQueues:
      writer || health
        ? () => ({ ...(writer ? writer.queued() : {}), ...(health ? { heartbeat: health.stats().pendingBeatWrites } : {}) })
        : undefined,
    healthCheck: health ? () => health.stats() : undefined,
    configWatchers: config ? () => config.watchers() : undefined,
  });
  if (config) {
    const push = configPushHistogram(registry);
    config.observePushes((ms) => push.observe(ms / 1000));
  }
  instrumentTransactions(w.store, storeTxHistogram(registry));
  const memory = w.memory;
  if (memory) {
    new Counter({
      name: 'polaris_memory_reclaims_total',
      help: 'Memory-reducing collections run (idle trigger and POST /maintain/v1/memory/free)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(memory.collections);
      },
    });
  }
  return { registry, apiCalls };
}

/** Times every store transaction (commit or rollback) without the store knowing about metrics. */
function instrumentTransactions(store: Store, h: ReturnType<typeof storeTxHistogram>): void {
  const inner = store.transaction.bind(store);
  const timed = async <T>(fn: Parameters<Store['transaction']>[0]): Promise<T> => {
    const end = h.startTimer({ store: store.name });
    try {
      const out = (await inner(fn)) as T;
      end({ outcome: 'commit' });
      return out;
    } catch (err) {
      end({ outcome: 'rollback' });
      throw err;
    }
  };
  store.transaction = timed as Store['transaction'];
}
