import type { Logger } from 'pino';
import type { Lifecycle } from './lifecycle.js';

export interface FeedFollowerConfig {
  /** Longest time between two reads of the store (polaris: a 1 s poll). */
  intervalMs: number;
  /**
   * How often the store's change sequence is probed (one tiny query). A change made by another
   * node is read as soon as a probe sees it. Default: `intervalMs` (no probing).
   */
  probeMs?: number;
  /**
   * The probe query, when several caches following the same store share one (see
   * `sharedSeqProbe`); default: the source's own `currentSeq`.
   */
  probe?: () => Promise<number>;
}

/**
 * One sequence probe for every cache following the same store: calls arriving within `reuseMs` of
 * a query (or while it runs) share its answer, so n caches probing every 100 ms cost about one
 * query per 100 ms instead of n. Only for probes: writers waiting for their own write must read
 * the sequence afresh.
 */
export function sharedSeqProbe(currentSeq: () => Promise<number>, reuseMs: number): () => Promise<number> {
  let last: { at: number; value: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (last && now - last.at < reuseMs) return last.value;
    const value = currentSeq();
    last = { at: now, value };
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}

export interface FeedSource {
  /** The store's current change sequence. */
  currentSeq(): Promise<number>;
  /**
   * Reads every change after `since` (0 = full load) from one snapshot, applies it, and resolves
   * the sequence of that snapshot.
   */
  readSince(since: number): Promise<number>;
}

/**
 * Keeps a cache in step with the store's change feed, the one mechanism every cache shares:
 * a full load at start, then incremental reads on probe/interval, and `waitFor(seq)` so writers see
 * their own writes at once. Concurrent refresh calls share one read; a caller arriving during a
 * read gets a read that starts after it. A failed background read is logged and counted; the
 * cache keeps serving its last good data.
 */
export class FeedFollower implements Lifecycle {
  private lastSeq = 0;
  private loaded = false;
  private lastSyncAt = 0;
  private failures = 0;
  private inflight: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly deps: { name: string; source: FeedSource; logger: Logger; onRefreshError?: (err: unknown) => void },
    private readonly config: FeedFollowerConfig,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight?.catch(() => undefined);
  }

  seq(): number {
    return this.lastSeq;
  }

  syncState(): { seq: number; lastSyncAt: number; failures: number } {
    return { seq: this.lastSeq, lastSyncAt: this.lastSyncAt, failures: this.failures };
  }

  async waitFor(seq: number): Promise<void> {
    // A read already running may have taken its snapshot before `seq` committed: loop.
    while (this.lastSeq < seq || !this.loaded) await this.refresh();
  }

  refresh(): Promise<void> {
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          const seq = await this.deps.source.readSince(this.loaded ? this.lastSeq : 0);
          this.lastSeq = Math.max(this.lastSeq, seq);
          this.loaded = true;
          this.lastSyncAt = Date.now();
        } while (this.again);
      } finally {
        this.inflight = undefined;
      }
    };
    this.inflight = run();
    return this.inflight;
  }

  private schedule(): void {
    if (this.stopped) return;
    const probeMs = Math.min(this.config.probeMs ?? this.config.intervalMs, this.config.intervalMs);
    this.timer = setTimeout(() => {
      this.tick()
        .catch((err: unknown) => {
          this.failures++;
          this.deps.logger.warn({ err, cache: this.deps.name }, 'cache refresh failed; serving the last good data');
          this.deps.onRefreshError?.(err);
        })
        .finally(() => this.schedule());
    }, probeMs);
    this.timer.unref();
  }

  /** One background step: read the feed when the store moved on, or when the interval is up. */
  private async tick(): Promise<void> {
    if (Date.now() - this.lastSyncAt < this.config.intervalMs) {
      const seq = await (this.config.probe ?? this.deps.source.currentSeq)();
      if (seq <= this.lastSeq) return;
    }
    await this.refresh();
  }
}

/**
 * Base of every cache that follows the store's change feed: subclasses say how to read a change
 * set and how to apply it; the following (start, probes, waitFor, refresh, sync state) is shared.
 */
export abstract class FeedCache<CS extends { seq: number }> implements Lifecycle {
  private readonly feed: FeedFollower;
  private readonly readObservers = new Set<(read: CacheRead) => void>();

  protected constructor(
    source: {
      name: string;
      logger: Logger;
      onRefreshError?: (err: unknown) => void;
      currentSeq(): Promise<number>;
      read(since: number): Promise<CS>;
    },
    config: FeedFollowerConfig,
  ) {
    this.feed = new FeedFollower(
      {
        name: source.name,
        logger: source.logger,
        onRefreshError: source.onRefreshError,
        source: {
          currentSeq: () => source.currentSeq(),
          readSince: async (since) => {
            const t0 = performance.now();
            const cs = await source.read(since);
            this.apply(cs);
            if (this.readObservers.size > 0) {
              const read = { ms: performance.now() - t0, changes: changeCount(cs), full: since === 0 };
              for (const fn of this.readObservers) fn(read);
            }
            return cs.seq;
          },
        },
      },
      config,
    );
  }

  /** Applies one change set read from the store (in sequence order). */
  protected abstract apply(cs: CS): void;

  start(): Promise<void> {
    return this.feed.start();
  }

  stop(): Promise<void> {
    return this.feed.stop();
  }

  /** The store sequence this cache reflects. */
  seq(): number {
    return this.feed.seq();
  }

  /** How current this cache is: the sequence it reflects, when it last read the store, failures. */
  syncState(): { seq: number; lastSyncAt: number; failures: number } {
    return this.feed.syncState();
  }

  /** Resolves once the cache reflects at least `seq` (read-your-writes). */
  waitFor(seq: number): Promise<void> {
    return this.feed.waitFor(seq);
  }

  /** Reads pending changes now; concurrent callers share one read. */
  refresh(): Promise<void> {
    return this.feed.refresh();
  }

  /** Told of every read of the store that was applied (metrics); returns the unsubscribe. */
  observeReads(fn: (read: CacheRead) => void): () => void {
    this.readObservers.add(fn);
    return () => this.readObservers.delete(fn);
  }
}

/** One applied read of a cache: how long reading and applying took, and how many records it held. */
export interface CacheRead {
  ms: number;
  /** Changed records read (every element of the change set's lists). */
  changes: number;
  /** The full load at start (or after a reset) rather than an incremental read. */
  full: boolean;
}

/** The records of a change set: the elements of its list-valued fields. */
function changeCount(cs: object): number {
  let n = 0;
  for (const v of Object.values(cs)) if (Array.isArray(v)) n += v.length;
  return n;
}
