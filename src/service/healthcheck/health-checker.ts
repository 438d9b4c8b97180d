import type { Logger } from 'pino';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { Lifecycle } from '../../common/lifecycle.js';
import { timerTicker, type Clock, type Ticker } from '../../common/timewheel/clock.js';
import { TimeWheel, type WheelTimer } from '../../common/timewheel/time-wheel.js';
import type { HeartbeatRecord, HeartbeatStore } from './heartbeat-store.js';

/** TTL used when an instance carries none (or a nonsensical one), as upstream does (grpc.md §4.2). */
export const DEFAULT_TTL_SEC = 5;
/** An instance expires after this many TTLs without a beat (grpc.md §8.1). */
export const EXPIRE_TTL_MULTIPLE = 3;

/** What the checker needs to know about an instance, read from the instance cache. */
export interface CheckedInstance {
  id: string;
  healthy: boolean;
  enableHealthCheck: boolean;
  ttlSec: number;
  isolate?: boolean;
}

export interface CheckedInstanceSource {
  get(id: string): CheckedInstance | undefined;
}

export interface HealthChange {
  id: string;
  healthy: boolean;
}

export interface HealthCheckerConfig {
  /** Slots of the check wheel (upstream `slotNum`, default 30). */
  slotNum: number;
  /** Shortest gap between two checks of one instance (upstream `minCheckInterval`, 1 s). */
  minCheckIntervalMs: number;
  /** Longest gap between two checks of one instance (upstream `maxCheckInterval`, 30 s). */
  maxCheckIntervalMs: number;
  /**
   * Extra quiet period after `start()` during which nothing turns unhealthy, on top of the
   * per-instance 3×TTL restart protection (default 0).
   */
  startupGraceMs?: number;
  /** Wheel tick (default 1000 ms): checks run at most one tick after they are due. */
  tickMs?: number;
  /** Ids read from the heartbeat store per `get` call (default 1000). */
  checkBatchSize?: number;
}

export const DEFAULT_HEALTH_CHECKER_CONFIG: Readonly<Required<HealthCheckerConfig>> = Object.freeze({
  slotNum: 30,
  minCheckIntervalMs: 1_000,
  maxCheckIntervalMs: 30_000,
  startupGraceMs: 0,
  tickMs: 1_000,
  checkBatchSize: 1_000,
});

export interface HealthCheckerDeps {
  clock: Clock;
  store: HeartbeatStore;
  instances: CheckedInstanceSource;
  /**
   * Receives coalesced health flips (one entry per instance, the latest verdict). Deliveries are
   * serialised. A rejection is logged and the flips are retried on the next check or beat.
   */
  onHealthChange(changes: HealthChange[]): void | Promise<void>;
  logger: Logger;
  /** Drives the checker between `start()` and `stop()`; defaults to one unref'd timer per tick. */
  ticker?: Ticker;
  /**
   * Whether this node decides the health of an instance (cluster sharding). Others are only
   * re-read every check interval, so a node that takes over a share starts deciding at once.
   * Absent: this node decides everything.
   */
  owns?(instanceId: string): boolean;
}

export interface HealthCheckerStats {
  tracked: number;
  /** ms since the time wheel last advanced (0 before the first tick): a stalled checker grows it. */
  tickLagMs: number;
  scheduledChecks: number;
  dueChecks: number;
  pendingBeatWrites: number;
  pendingDeletes: number;
  pendingChanges: number;
}

const NO_BEAT = Number.NEGATIVE_INFINITY;

/** Per-instance state: a handful of numbers and one wheel entry (whose task is shared). */
class Tracked {
  /** Latest beat this node knows of (local beats and beats read from the store). */
  lastBeatMs = NO_BEAT;
  /** Verdict handed to onHealthChange and not yet seen in the instance cache. */
  sent: boolean | undefined = undefined;
  /** This instance's only wheel entry, rescheduled in place after each check. */
  timer!: WheelTimer;
  /** Queued for (or in) a check; not on the wheel meanwhile. */
  due = false;

  constructor(
    readonly id: string,
    public ttlMs: number,
    /** Registration / load time: the instance counts as having beaten then. */
    public sinceMs: number,
  ) {}
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers may drop the promise; a failed write must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function ttlMsOf(ttlSec: number | undefined): number {
  return typeof ttlSec === 'number' && Number.isFinite(ttlSec) && ttlSec > 0
    ? ttlSec * 1000
    : DEFAULT_TTL_SEC * 1000;
}

/**
 * The heartbeat health checker (grpc.md §8).
 *
 * - `heartbeat(id, ttl)` is O(1): it stamps the beat locally, queues a coalesced store write and,
 *   when the instance is unhealthy, turns it healthy at once.
 * - Each tracked instance has one entry on a hashed time wheel (no per-instance timers). A healthy
 *   instance is checked when its last beat would expire (clamped to [min, max] check interval), so
 *   a dead instance turns unhealthy between 3×TTL and 3×TTL + one tick after its last beat; an
 *   unhealthy one is rechecked every TTL (clamped) to pick up beats written by other nodes.
 * - Due checks are read from the store in batches; flips are coalesced and delivered in batches.
 * - Protection: an instance counts as having beaten when it was tracked (registration, cache load)
 *   and, for instances tracked before or at start, at `start()`. So a fresh registration is never
 *   marked unhealthy before 3×TTL, and after a restart nothing is marked unhealthy for 3×TTL (per
 *   instance) — but dead instances are still caught once that window has passed. The protection
 *   never turns an unhealthy instance healthy: only a real beat does.
 * - Store outages: a failed read means "unknown": the checks are retried, nothing is decided. Beats
 *   written while the store was failing are lost (on every node sharing it), so when a store call
 *   succeeds again after a failure, every instance counts as having beaten at that recovery: nothing
 *   turns unhealthy for 3×TTL after it (upstream's redis "recover" window, grpc.md §8.5), and dead
 *   instances are caught once that window has passed.
 * - Ids beating without a known instance (cache lag right after register) are tracked too; they
 *   are forgotten, with their store record, once they go 3×TTL without a beat and are still
 *   unknown. `untrack` releases everything at once.
 */
export class HealthChecker implements Lifecycle {
  private readonly cfg: Readonly<Required<HealthCheckerConfig>>;
  private readonly deps: HealthCheckerDeps;
  private readonly log: Logger;
  private readonly wheel: TimeWheel;
  private readonly ticker: Ticker;
  private readonly records = new Map<string, Tracked>();
  /** Every record's wheel task: one function for all of them. */
  private readonly onDue = (r: Tracked) => this.enqueueCheck(r);
  private startedAt: number | undefined;
  private stopTicker: (() => void) | undefined;

  private dueQueue: Tracked[] = [];
  private lastTickAt = 0;
  private checkLoop: Promise<void> | undefined;

  private pendingWrites = new Map<string, number>();
  private writeWaiter: Deferred | undefined;
  private readonly pendingDeletes = new Set<string>();
  /** Deletes that failed; retried on the next tick. */
  private readonly retryDeletes = new Set<string>();
  private storeLoop: Promise<void> | undefined;

  private pendingChanges = new Map<string, boolean>();
  private changeLoop: Promise<void> | undefined;

  /** Clock time of the first store failure since the store last worked; undefined while it works. */
  private storeDownSince: number | undefined;
  /** When the store last worked again after failing: counts as a beat of every instance. */
  private storeRecoveredAt = NO_BEAT;

  constructor(deps: HealthCheckerDeps, config: HealthCheckerConfig) {
    const cfg: Required<HealthCheckerConfig> = { ...DEFAULT_HEALTH_CHECKER_CONFIG };
    for (const [k, v] of Object.entries(config)) if (v !== undefined) (cfg as Record<string, unknown>)[k] = v;
    if (!(cfg.minCheckIntervalMs > 0)) throw new RangeError('healthcheck minCheckIntervalMs must be > 0');
    if (!(cfg.maxCheckIntervalMs >= cfg.minCheckIntervalMs)) {
      throw new RangeError('healthcheck maxCheckIntervalMs must be >= minCheckIntervalMs');
    }
    if (!(cfg.startupGraceMs >= 0)) throw new RangeError('healthcheck startupGraceMs must be >= 0');
    if (!(Number.isInteger(cfg.checkBatchSize) && cfg.checkBatchSize > 0)) {
      throw new RangeError('healthcheck checkBatchSize must be a positive integer');
    }
    this.cfg = Object.freeze(cfg);
    this.deps = deps;
    this.log = deps.logger.child({ scope: 'healthcheck' });
    this.ticker = deps.ticker ?? timerTicker;
    // The checker drives its own wheel; tasks only enqueue, so they never throw.
    this.wheel = new TimeWheel({
      slotNum: cfg.slotNum,
      tickMs: cfg.tickMs,
      clock: deps.clock,
      ticker: this.ticker,
      onError: (err) => this.log.error({ err }, 'health check task failed'),
    });
  }

  async start(): Promise<void> {
    if (this.startedAt !== undefined && this.stopTicker) return;
    this.startedAt = this.deps.clock.now();
    this.log.info(
      { store: this.deps.store.name, tracked: this.records.size, ...this.cfg },
      'health checker started',
    );
    this.stopTicker = this.ticker.start(this.cfg.tickMs, () => this.onTick());
  }

  /** Stops the loop, then waits for in-flight checks, beat writes and flip deliveries. */
  async stop(): Promise<void> {
    this.stopTicker?.();
    this.stopTicker = undefined;
    await this.idle();
    this.log.info({ tracked: this.records.size }, 'health checker stopped');
  }

  /**
   * Runs every check that is due at the clock's current time and resolves once those checks,
   * pending beat writes and flip deliveries have finished. The production loop does the same
   * without waiting.
   */
  async tick(): Promise<void> {
    this.onTick();
    await this.idle();
  }

  /**
   * Records a beat. Resolves once the beat is in the heartbeat store; rejects with a
   * PolarisError(HeartbeatException) when the store write fails.
   */
  heartbeat(instanceId: string, ttlSec?: number): Promise<void> {
    const now = this.deps.clock.now();
    const inst = this.deps.instances.get(instanceId);
    let r = this.records.get(instanceId);
    if (!r) {
      // Known without health check: nothing to watch or store.
      if (inst && !inst.enableHealthCheck) return Promise.resolve();
      r = this.newRecord(instanceId, ttlMsOf(inst ? inst.ttlSec : ttlSec), now);
    } else {
      this.updateTtl(r, ttlMsOf(inst ? inst.ttlSec : (ttlSec ?? r.ttlMs / 1000)), now);
    }
    if (now > r.lastBeatMs) r.lastBeatMs = now;
    if (inst && !this.believedHealthy(r, inst)) this.setHealth(r, inst, true);

    this.pendingDeletes.delete(instanceId);
    this.retryDeletes.delete(instanceId);
    const store = this.deps.store;
    if (store.putNow !== undefined) {
      store.putNow(instanceId, r.lastBeatMs);
      return STORED;
    }
    this.pendingWrites.set(instanceId, r.lastBeatMs);
    if (!this.writeWaiter) this.writeWaiter = deferred();
    const waiter = this.writeWaiter;
    this.kickStore();
    return waiter.promise;
  }

  /**
   * Starts watching an instance with health check enabled; one without is untracked.
   * - `register` (default): a (re-)registration. It counts as a beat, so the instance is not marked
   *   unhealthy before 3×TTL even if it was already tracked (a re-registration resets `healthy`).
   * - `load`: the instance was seen in the cache (start-up load, or a change made elsewhere). A new
   *   id counts as having beaten now; an id already tracked only picks up its TTL, so repeated
   *   cache updates never extend the protection of a dead instance.
   */
  track(instance: CheckedInstance, reason: 'register' | 'load' = 'register'): void {
    if (!instance.enableHealthCheck) {
      this.untrack(instance.id);
      return;
    }
    const now = this.deps.clock.now();
    const ttlMs = ttlMsOf(instance.ttlSec);
    const r = this.records.get(instance.id);
    if (r) {
      if (reason === 'register') r.sinceMs = now;
      this.updateTtl(r, ttlMs, now);
      return;
    }
    this.newRecord(instance.id, ttlMs, now);
  }

  /** Forgets an instance (deregistration): its wheel entry, pending work and store record. */
  untrack(instanceId: string): void {
    const r = this.records.get(instanceId);
    if (r) {
      r.timer.cancel();
      this.records.delete(instanceId);
    }
    this.pendingWrites.delete(instanceId);
    this.pendingChanges.delete(instanceId);
    this.retryDeletes.delete(instanceId);
    this.pendingDeletes.add(instanceId);
    this.kickStore();
  }

  isTracked(instanceId: string): boolean {
    return this.records.has(instanceId);
  }

  trackedCount(): number {
    return this.records.size;
  }

  stats(): HealthCheckerStats {
    return {
      tracked: this.records.size,
      tickLagMs: this.lastTickAt ? Math.max(0, Date.now() - this.lastTickAt) : 0,
      scheduledChecks: this.wheel.size(),
      dueChecks: this.dueQueue.length,
      pendingBeatWrites: this.pendingWrites.size,
      pendingDeletes: this.pendingDeletes.size + this.retryDeletes.size,
      pendingChanges: this.pendingChanges.size,
    };
  }

  // ---- scheduling -------------------------------------------------------------------------

  private onTick(): void {
    this.lastTickAt = Date.now();
    this.wheel.advanceTo(this.deps.clock.now());
    if (this.retryDeletes.size > 0) {
      for (const id of this.retryDeletes) this.pendingDeletes.add(id);
      this.retryDeletes.clear();
      this.kickStore();
    }
  }

  private newRecord(id: string, ttlMs: number, now: number): Tracked {
    const r = new Tracked(id, ttlMs, now);
    r.timer = this.wheel.add(this.onDue, this.clampInterval(EXPIRE_TTL_MULTIPLE * ttlMs), r);
    this.records.set(id, r);
    return r;
  }

  /** A shorter TTL may need an earlier check than the one on the wheel. */
  private updateTtl(r: Tracked, ttlMs: number, now: number): void {
    if (ttlMs === r.ttlMs) return;
    r.ttlMs = ttlMs;
    if (r.due) return;
    const delay = this.clampInterval(EXPIRE_TTL_MULTIPLE * ttlMs);
    if (r.timer.pending && r.timer.deadline > now + delay) this.schedule(r, delay);
  }

  private clampInterval(ms: number): number {
    return Math.min(this.cfg.maxCheckIntervalMs, Math.max(this.cfg.minCheckIntervalMs, ms));
  }

  private schedule(r: Tracked, delayMs: number): void {
    r.timer.reschedule(this.clampInterval(delayMs));
  }

  private enqueueCheck(r: Tracked): void {
    if (r.due || this.records.get(r.id) !== r) return;
    r.due = true;
    this.dueQueue.push(r);
    if (!this.checkLoop) this.checkLoop = this.runChecks();
  }

  // ---- checks -----------------------------------------------------------------------------

  private async runChecks(): Promise<void> {
    try {
      await null; // let the whole tick enqueue first
      while (this.dueQueue.length > 0) {
        const all = this.dueQueue;
        this.dueQueue = [];
        for (let i = 0; i < all.length; i += this.cfg.checkBatchSize) {
          // A fast store resolves in microtasks: yield to I/O between batches so a mass check
          // (everything loaded at start, a mass expiry) does not stall the server.
          if (i > 0) await yieldToEventLoop();
          await this.checkBatch(all.slice(i, i + this.cfg.checkBatchSize));
        }
      }
    } catch (err) {
      this.log.error({ err }, 'health check loop failed');
    } finally {
      this.checkLoop = undefined;
    }
  }

  private async checkBatch(batch: Tracked[]): Promise<void> {
    let stored: Map<string, HeartbeatRecord>;
    try {
      stored = await this.deps.store.get(batch.map((r) => r.id));
    } catch (err) {
      this.storeFailed();
      this.log.warn({ err, count: batch.length, store: this.deps.store.name }, 'reading heartbeats failed; checks retried');
      for (const r of batch) {
        r.due = false;
        if (this.records.get(r.id) === r) this.schedule(r, this.cfg.minCheckIntervalMs);
      }
      return;
    }
    this.storeWorked();
    const now = this.deps.clock.now();
    for (const r of batch) {
      r.due = false;
      if (this.records.get(r.id) !== r) continue; // untracked or replaced meanwhile
      try {
        this.evaluate(r, stored.get(r.id)?.lastBeatMs ?? NO_BEAT, now);
      } catch (err) {
        this.log.warn({ err, id: r.id }, 'health check failed; retried');
        if (this.records.get(r.id) === r) this.schedule(r, this.cfg.minCheckIntervalMs);
      }
    }
  }

  private evaluate(r: Tracked, storedBeatMs: number, now: number): void {
    const startedAt = this.startedAt;
    if (startedAt === undefined) {
      this.schedule(r, this.cfg.minCheckIntervalMs);
      return;
    }
    if (storedBeatMs > r.lastBeatMs) r.lastBeatMs = storedBeatMs;
    const inst = this.deps.instances.get(r.id);
    if (inst && !inst.enableHealthCheck) {
      this.untrack(r.id);
      return;
    }
    if (inst) r.ttlMs = ttlMsOf(inst.ttlSec);

    const expireMs = EXPIRE_TTL_MULTIPLE * r.ttlMs;
    const beatAlive = now - r.lastBeatMs < expireMs;
    // Registration/load, checker start and store recovery count as beats, but only to delay
    // turning unhealthy.
    const protectedFrom = Math.max(r.lastBeatMs, r.sinceMs, startedAt, this.storeRecoveredAt);
    const graceEnd = startedAt + this.cfg.startupGraceMs;
    const expired = now - protectedFrom >= expireMs && now >= graceEnd;
    const nextExpiry = Math.max(protectedFrom + expireMs, graceEnd) - now;

    if (!inst) {
      // Beats for an id the cache does not know (yet): keep it while it beats, then forget it.
      if (expired) {
        this.log.debug({ id: r.id }, 'forgetting heartbeats of an unknown instance');
        this.untrack(r.id);
      } else {
        this.schedule(r, nextExpiry);
      }
      return;
    }

    if (this.deps.owns && !this.deps.owns(r.id)) {
      r.sent = undefined;
      this.schedule(r, clampInterval(r.ttlMs, this.cfg.minCheckIntervalMs, this.cfg.maxCheckIntervalMs));
      return;
    }

    const believed = this.believedHealthy(r, inst);
    if (believed && expired) this.setHealth(r, inst, false);
    else if (!believed && beatAlive) this.setHealth(r, inst, true);

    if (r.sent ?? inst.healthy) this.schedule(r, nextExpiry);
    else this.schedule(r, r.ttlMs);
  }

  /** The instance's health as far as this checker knows: its last verdict until the cache shows it. */
  private believedHealthy(r: Tracked, inst: CheckedInstance): boolean {
    if (r.sent !== undefined && r.sent === inst.healthy) r.sent = undefined;
    return r.sent ?? inst.healthy;
  }

  private setHealth(r: Tracked, inst: CheckedInstance, healthy: boolean): void {
    if (healthy === inst.healthy && this.pendingChanges.has(r.id)) {
      // Reverting a flip that was never delivered: drop it instead of writing twice.
      this.pendingChanges.delete(r.id);
      r.sent = undefined;
      return;
    }
    r.sent = healthy;
    this.pendingChanges.set(r.id, healthy);
    if (!this.changeLoop) this.changeLoop = this.runChanges();
  }

  private async runChanges(): Promise<void> {
    try {
      await null; // coalesce everything decided in this turn
      while (this.pendingChanges.size > 0) {
        const batch = this.pendingChanges;
        this.pendingChanges = new Map();
        const changes: HealthChange[] = [];
        let unhealthy = 0;
        for (const [id, healthy] of batch) {
          changes.push({ id, healthy });
          if (!healthy) unhealthy++;
        }
        try {
          await this.deps.onHealthChange(changes);
          this.log.info({ unhealthy, healthy: changes.length - unhealthy }, 'instance health changed');
        } catch (err) {
          this.log.warn({ err, count: changes.length }, 'delivering health changes failed; retried on next check');
          for (const c of changes) {
            const r = this.records.get(c.id);
            if (r && r.sent === c.healthy && !this.pendingChanges.has(c.id)) r.sent = undefined;
          }
        }
      }
    } catch (err) {
      this.log.error({ err }, 'health change loop failed');
    } finally {
      this.changeLoop = undefined;
    }
  }

  // ---- heartbeat store --------------------------------------------------------------------

  private kickStore(): void {
    if (!this.storeLoop) this.storeLoop = this.runStore();
  }

  /** Serialised writes: one `put` (and one `delete`) in flight; beats meanwhile form the next batch. */
  private async runStore(): Promise<void> {
    const store = this.deps.store;
    try {
      await null; // coalesce every beat of this turn into one put
      while (this.pendingWrites.size > 0 || this.pendingDeletes.size > 0 || this.writeWaiter) {
        const writes = this.pendingWrites;
        const waiter = this.writeWaiter;
        this.pendingWrites = new Map();
        this.writeWaiter = undefined;
        if (writes.size > 0) {
          const records: HeartbeatRecord[] = [];
          for (const [id, lastBeatMs] of writes) records.push({ id, lastBeatMs });
          try {
            await store.put(records);
            this.storeWorked();
            waiter?.resolve();
          } catch (err) {
            this.storeFailed();
            this.log.warn({ err, count: records.length, store: store.name }, 'writing heartbeats failed');
            waiter?.reject(new PolarisError(Code.HeartbeatException, `heartbeat store ${store.name}`, { cause: err }));
          }
        } else {
          waiter?.resolve();
        }
        if (this.pendingDeletes.size > 0) {
          const ids = [...this.pendingDeletes];
          this.pendingDeletes.clear();
          try {
            await store.delete(ids);
          } catch (err) {
            this.storeFailed();
            this.log.warn({ err, count: ids.length, store: store.name }, 'deleting heartbeats failed; retried');
            for (const id of ids) if (!this.records.has(id) && !this.pendingWrites.has(id)) this.retryDeletes.add(id);
          }
        }
      }
    } catch (err) {
      this.log.error({ err }, 'heartbeat store loop failed');
    } finally {
      this.storeLoop = undefined;
    }
  }

  private storeFailed(): void {
    if (this.storeDownSince !== undefined) return;
    this.storeDownSince = this.deps.clock.now();
    this.log.warn(
      { store: this.deps.store.name },
      'heartbeat store failing: checks are retried and no instance turns unhealthy until it works again',
    );
  }

  private storeWorked(): void {
    if (this.storeDownSince === undefined) return;
    const now = this.deps.clock.now();
    this.log.info(
      { store: this.deps.store.name, downMs: now - this.storeDownSince },
      'heartbeat store works again; beats written meanwhile were lost, so no instance turns unhealthy for 3×TTL',
    );
    this.storeDownSince = undefined;
    this.storeRecoveredAt = now;
  }

  private async idle(): Promise<void> {
    for (;;) {
      const loops = [this.checkLoop, this.storeLoop, this.changeLoop].filter(
        (p): p is Promise<void> => p !== undefined,
      );
      if (loops.length === 0) return;
      await Promise.all(loops);
    }
  }
}

/** What a beat written synchronously answers: one settled promise shared by every beat. */
const STORED: Promise<void> = Promise.resolve();

function clampInterval(ms: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, ms));
}
