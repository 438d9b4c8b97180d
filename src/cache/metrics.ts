import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CacheRead } from '../common/feed-follower.js';

/** What a cache reports about its freshness (and, when it can, each read of the store). */
export interface SyncStateSource {
  syncState(): { seq: number; lastSyncAt: number; failures: number };
  observeReads?(fn: (read: CacheRead) => void): () => void;
}

/**
 * The `cache_update_count` label: the records a read held, rounded up to a power of ten (0, 1, 10,
 * 100, …) so the number of series stays small. polaris-server 1.18 puts the exact count there.
 */
export function updateCountLabel(n: number): string {
  if (n <= 1) return String(Math.max(0, n));
  return String(10 ** Math.ceil(Math.log10(n)));
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
  // polaris-server's cache_update_cost: one observation (ms) per read of the store a cache applied.
  // polaris-server 1.18 registers it but never observes a value; its cache types are per resource,
  // while here one read serves a whole cache (naming, rules, config, auth).
  const cost = new Histogram({
    name: 'cache_update_cost',
    help: 'cache update cost per resource cache',
    labelNames: ['cache_type', 'cache_update_count'],
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [registry],
  });
  for (const [cache, src] of Object.entries(caches)) {
    src.observeReads?.((read) => cost.observe({ cache_type: cache, cache_update_count: updateCountLabel(read.changes) }, read.ms));
  }
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
