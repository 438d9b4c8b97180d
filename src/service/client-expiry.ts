import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Lifecycle } from '../common/lifecycle.js';
import { systemClock, type Clock } from '../common/timewheel/clock.js';
import type { Store } from '../store/api.js';

export interface ClientExpiryConfig {
  /** healthcheck.clientCheckInterval: how often clients are checked (ms). */
  checkIntervalMs: number;
  /** healthcheck.clientCheckTtl: a client is gone after 3 × this without a report (ms). */
  ttlMs: number;
}

/**
 * SDK client liveness (grpc.md §8.6): a client that has not reported for 3 × clientCheckTtl is
 * deleted. Clients known at start count as having reported at start, so a restart of the server
 * never deletes live clients. Memory is one timestamp per known client.
 */
export class ClientExpiry implements Lifecycle {
  private readonly lastReport = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly clock: Clock;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: { store: Store; cache: NamingReader; logger: Logger; clock?: Clock },
    private readonly config: ClientExpiryConfig,
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Records a report (called by ReportClient). */
  reported(clientId: string): void {
    this.lastReport.set(clientId, this.clock.now());
  }

  async start(): Promise<void> {
    const now = this.clock.now();
    for (const c of this.deps.cache.clients()) this.lastReport.set(c.id, now);
    this.unsubscribe = this.deps.cache.onChange((change) => {
      for (const id of change.clients) {
        if (!this.deps.cache.client(id)) this.lastReport.delete(id);
        else if (!this.lastReport.has(id)) this.lastReport.set(id, this.clock.now());
      }
    });
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'client expiry sweep failed; retrying next interval'))
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.schedule();
        });
    }, this.config.checkIntervalMs);
    this.timer.unref();
  }

  /** Deletes the clients whose last report is older than 3 × TTL; resolves how many. */
  async sweep(): Promise<number> {
    const deadline = this.clock.now() - 3 * this.config.ttlMs;
    const expired: string[] = [];
    for (const [id, at] of this.lastReport) if (at < deadline) expired.push(id);
    if (expired.length === 0) return 0;
    await this.deps.store.deleteClients(expired);
    for (const id of expired) this.lastReport.delete(id);
    await this.deps.cache.waitFor(await this.deps.store.currentSeq());
    this.deps.logger.info({ count: expired.length }, 'expired SDK clients removed');
    return expired.length;
  }

  trackedCount(): number {
    return this.lastReport.size;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await this.running;
  }
}
