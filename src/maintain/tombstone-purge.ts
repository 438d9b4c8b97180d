import type { Logger } from 'pino';
import type { Lifecycle } from '../common/lifecycle.js';

/** One kind of tombstone: the store call that hard-deletes them, and the cache that must have seen them. */
export interface TombstoneSource {
  name: string;
  purge(olderThanMs: number, belowSeq: number): Promise<number>;
  /** The store sequence the local cache of these rows reflects. */
  cacheSeq(): number;
}

export interface TombstonePurgeConfig {
  /** Tombstones younger than this stay (every node's cache must have read them by then). */
  olderThanMs: number;
  /** Pause between two runs. */
  intervalMs: number;
}

/**
 * Hard-deletes soft-deleted rows (polaris's CleanDeletedInstances / CleanDeletedClients /
 * CleanDeletedResources jobs), so deletes do not pile up forever (polaris's embedded store never
 * purges). A tombstone is only removed when it is older than `olderThanMs` AND below the sequence
 * the local cache has read, so this node has applied it; other nodes are protected by the age.
 * Idempotent, so every node may run it.
 */
export class TombstonePurge implements Lifecycle {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: { sources: TombstoneSource[]; logger: Logger },
    private readonly config: TombstonePurgeConfig,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule();
  }

  /** One pass over every source; resolves the rows removed per source. */
  async runOnce(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const s of this.deps.sources) {
      try {
        out[s.name] = await s.purge(this.config.olderThanMs, s.cacheSeq());
      } catch (err) {
        this.deps.logger.warn({ err, source: s.name }, 'purging deleted rows failed; retried next run');
      }
    }
    const total = Object.values(out).reduce((a, b) => a + b, 0);
    if (total > 0) this.deps.logger.info({ purged: out }, 'deleted rows purged');
    return out;
  }

  private schedule(): void {
    if (this.stopped) return;
    // Jitter so the nodes of a cluster do not purge in lockstep.
    const delay = this.config.intervalMs * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
