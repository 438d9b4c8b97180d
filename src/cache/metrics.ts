import { Counter, Gauge, type Registry } from 'prom-client';

/** What a cache reports about its freshness. */
export interface SyncStateSource {
  syncState(): { seq: number; lastSyncAt: number; failures: number };
}

/**
 * Sync lag of this node's caches, for cluster operators: how long ago the cache last read the store
 * successfully, the store sequence it reflects, and how many background refreshes failed.
 */
export function registerCacheMetrics(registry: Registry, caches: Record<string, SyncStateSource>): void {
  new Gauge({
    name: 'polaris_cache_sync_lag_seconds',
    help: 'Seconds since the cache last read the store successfully',
    labelNames: ['cache'],
    registers: [registry],
    collect() {
      const now = Date.now();
      for (const [cache, src] of Object.entries(caches)) {
        const { lastSyncAt } = src.syncState();
        this.set({ cache }, lastSyncAt ? (now - lastSyncAt) / 1000 : Number.POSITIVE_INFINITY);
      }
    },
  });
  new Gauge({
    name: 'polaris_cache_store_seq',
    help: 'Store change sequence the cache reflects',
    labelNames: ['cache'],
    registers: [registry],
    collect() {
      for (const [cache, src] of Object.entries(caches)) this.set({ cache }, src.syncState().seq);
    },
  });
  new Counter({
    name: 'polaris_cache_refresh_failures_total',
    help: 'Background cache refreshes that failed (the last good data kept being served)',
    labelNames: ['cache'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [cache, src] of Object.entries(caches)) this.inc({ cache }, src.syncState().failures);
    },
  });
}
