import type { Logger } from 'pino';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { Lifecycle } from '../../common/lifecycle.js';
import { systemClock, type Clock } from '../../common/timewheel/clock.js';

/** One controller's slice of the yaml (`naming.batch.register`, `healthcheck.batch.heartbeat`, …). */
export interface BatchConfig {
  /** false: every request runs by itself, at once (upstream's serial path). */
  open: boolean;
  /** Requests waiting for a handler; one more is refused at once with an overload error. */
  queueSize: number;
  /** How long the first request of a batch waits for company. */
  waitTimeMs: number;
  /** A batch is sent as soon as it holds this many requests. */
  maxBatchCount: number;
  /** Handlers running at once. */
  concurrency: number;
  /** Drop requests that waited longer than `taskLifeMs` before their batch started. */
  dropExpireTask: boolean;
  taskLifeMs: number;
}

/** Upstream's in-code defaults (grpc.md §9.1); the shipped yaml raises register/deregister to 128/128. */
export const DEFAULT_BATCH_CONFIG: Readonly<BatchConfig> = Object.freeze({
  open: true,
  queueSize: 10_240,
  waitTimeMs: 32,
  maxBatchCount: 32,
  concurrency: 64,
  dropExpireTask: false,
  taskLifeMs: 30_000,
});

/** The answer for one request of a batch, when a handler wants to fail some items only. */
export class BatchItemOutcome<Res> {
  private constructor(
    readonly ok: boolean,
    readonly value: Res | undefined,
    readonly error: unknown,
  ) {}

  static success<Res>(value: Res): BatchItemOutcome<Res> {
    return new BatchItemOutcome<Res>(true, value, undefined);
  }

  static failure<Res = never>(error: unknown): BatchItemOutcome<Res> {
    return new BatchItemOutcome<Res>(false, undefined, error);
  }
}

/**
 * Runs one batch. Returns one entry per request, in order: a plain result, or a
 * `BatchItemOutcome` to fail that item alone. Throwing fails every request of the batch.
 */
export type BatchHandler<Req, Res> = (
  reqs: Req[],
) => Promise<ReadonlyArray<Res | BatchItemOutcome<Res>>>;

/**
 * What happens to two requests with the same key in one batch:
 * - `reject` (upstream register/deregister, §9.2–9.3): the first is handled; each later one fails
 *   with `duplicateCode` (400208 SameInstanceRequest).
 * - `merge` (upstream heartbeat status batch, §9.3): only the latest is handled and every caller
 *   with that key gets its result.
 */
export type DuplicatePolicy = 'reject' | 'merge';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BatchControllerDeps<Req, Res> {
  /** Controller name for logs and errors (`register`, `deregister`, `heartbeat`, …). */
  name: string;
  handler: BatchHandler<Req, Res>;
  /** Enables duplicate handling within a batch; nothing is deduplicated without it. */
  key?: (req: Req) => string;
  /** Default `reject`, as upstream does for instances. */
  duplicates?: DuplicatePolicy;
  /** Default 400208 SameInstanceRequest. */
  duplicateCode?: PolarisCode;
  /** Code of the immediate refusal when the queue is full. Default 429001 InstanceTooManyRequests. */
  overloadCode?: PolarisCode;
  clock?: Clock;
  /** Timer for `waitTimeMs`; defaults to the real one. */
  timers?: Timers;
  logger?: Logger;
  /**
   * Told, for each request a batch handled, the ms from its submission to its answer (metrics:
   * polaris' instance_regis_cost_time). Not called for dropped requests nor when batching is off.
   */
  onAnswered?: (ms: number) => void;
}

export interface BatchControllerStats {
  /** Requests waiting (collecting or sealed, not yet handed to a handler). */
  queued: number;
  /** Handlers running (batches, or single requests when `open` is false). */
  running: number;
  /** Requests dropped since start for waiting longer than `taskLifeMs` (dropExpireTask). */
  dropped: number;
}

interface Task<Req, Res> {
  req: Req;
  enqueuedAt: number;
  resolve(value: Res): void;
  reject(err: unknown): void;
}

/** A group of callers answered by one handler slot. */
interface Slot<Req, Res> {
  req: Req;
  tasks: Task<Req, Res>[];
}

/**
 * Buffers requests and hands them to `handler` in batches (grpc.md §9): a batch is sent when it
 * holds `maxBatchCount` requests or when its first request has waited `waitTimeMs`; at most
 * `concurrency` handlers run at once, and each caller gets its own result or error.
 *
 * Unlike upstream, a full queue does not block the caller: it is refused at once with an overload
 * code, so a storm degrades into fast, retryable errors instead of piling up goroutines (sockets,
 * here) behind a blocked channel.
 */
export class BatchController<Req, Res> implements Lifecycle {
  private readonly cfg: Readonly<BatchConfig>;
  private readonly deps: BatchControllerDeps<Req, Res>;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private collecting: Task<Req, Res>[] = [];
  private readonly sealed: Task<Req, Res>[][] = [];
  private waitTimer: unknown = undefined;
  private queued = 0;
  private running = 0;
  private dropped = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(deps: BatchControllerDeps<Req, Res>, config: BatchConfig) {
    for (const k of ['queueSize', 'maxBatchCount', 'concurrency'] as const) {
      if (!Number.isInteger(config[k]) || config[k] < 1) {
        throw new RangeError(`batch ${deps.name}: ${k} must be a positive integer, got ${config[k]}`);
      }
    }
    if (!(config.waitTimeMs >= 0)) throw new RangeError(`batch ${deps.name}: waitTimeMs must be >= 0`);
    if (!(config.taskLifeMs >= 0)) throw new RangeError(`batch ${deps.name}: taskLifeMs must be >= 0`);
    this.cfg = Object.freeze({ ...config });
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.timers = deps.timers ?? realTimers;
  }

  /** Resolves with this request's result once its batch has run. */
  submit(req: Req): Promise<Res> {
    if (this.stopped) {
      return Promise.reject(new PolarisError(Code.ExecuteException, `batch ${this.deps.name} is stopped`));
    }
    if (!this.cfg.open) return this.runAlone(req);
    if (this.queued >= this.cfg.queueSize) {
      return Promise.reject(
        new PolarisError(
          this.deps.overloadCode ?? Code.InstanceTooManyRequests,
          `batch ${this.deps.name} queue is full (${this.cfg.queueSize})`,
        ),
      );
    }
    return new Promise<Res>((resolve, reject) => {
      this.collecting.push({ req, enqueuedAt: this.clock.now(), resolve, reject });
      this.queued++;
      if (this.collecting.length >= this.cfg.maxBatchCount) {
        this.seal();
      } else if (this.waitTimer === undefined) {
        // Group commit: an idle controller sends what arrived in this turn of the event loop at
        // once; only while batches are running do new requests wait (up to waitTime) for company.
        // Low load gets low latency, high load still gets large batches.
        const idle = this.running === 0 && this.sealed.length === 0;
        this.waitTimer = this.timers.setTimeout(() => {
          this.waitTimer = undefined;
          this.seal();
        }, idle ? 0 : this.cfg.waitTimeMs);
      }
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  /** Refuses new requests, sends what is buffered at once and resolves when every batch has run. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.seal();
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): BatchControllerStats {
    return { queued: this.queued, running: this.running, dropped: this.dropped };
  }

  private isIdle(): boolean {
    return this.running === 0 && this.sealed.length === 0 && this.collecting.length === 0;
  }

  private seal(): void {
    if (this.waitTimer !== undefined) {
      this.timers.clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
    }
    if (this.collecting.length === 0) return;
    this.sealed.push(this.collecting);
    this.collecting = [];
    this.dispatch();
  }

  private dispatch(): void {
    while (this.running < this.cfg.concurrency && this.sealed.length > 0) {
      const batch = this.sealed.shift()!;
      this.queued -= batch.length;
      this.running++;
      void this.runBatch(batch).finally(() => this.finished());
    }
  }

  private finished(): void {
    this.running--;
    // The store is free again: what collected meanwhile goes now rather than at its timer.
    if (this.running === 0 && this.sealed.length === 0 && this.collecting.length > 0) this.seal();
    this.dispatch();
    if (this.isIdle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async runBatch(batch: Task<Req, Res>[]): Promise<void> {
    const live = this.dropExpired(batch);
    try {
      const slots = this.group(live);
      if (slots.length === 0) return;
      let results: ReadonlyArray<Res | BatchItemOutcome<Res>>;
      try {
        results = await this.deps.handler(slots.map((s) => s.req));
      } catch (err) {
        this.deps.logger?.debug({ err, batch: this.deps.name, size: slots.length }, 'batch handler failed');
        for (const slot of slots) for (const t of slot.tasks) t.reject(err);
        return;
      }
      if (!Array.isArray(results) || results.length !== slots.length) {
        const err = new PolarisError(
          Code.ExecuteException,
          `batch ${this.deps.name}: handler answered ${Array.isArray(results) ? results.length : typeof results} results for ${slots.length} requests`,
        );
        this.deps.logger?.error({ err }, 'batch handler broke its contract');
        for (const slot of slots) for (const t of slot.tasks) t.reject(err);
        return;
      }
      for (let i = 0; i < slots.length; i++) {
        const result = results[i];
        for (const t of slots[i].tasks) {
          if (result instanceof BatchItemOutcome) {
            if (result.ok) t.resolve(result.value as Res);
            else t.reject(result.error);
          } else {
            t.resolve(result as Res);
          }
        }
      }
    } finally {
      // Every task of a batch is answered at the same moment: one clock read for all of them.
      const onAnswered = this.deps.onAnswered;
      if (onAnswered && live.length > 0) {
        const now = this.clock.now();
        for (const t of live) onAnswered(now - t.enqueuedAt);
      }
    }
  }

  private dropExpired(batch: Task<Req, Res>[]): Task<Req, Res>[] {
    if (!this.cfg.dropExpireTask || this.cfg.taskLifeMs <= 0) return batch;
    const now = this.clock.now();
    const live: Task<Req, Res>[] = [];
    let dropped = 0;
    for (const t of batch) {
      if (now - t.enqueuedAt > this.cfg.taskLifeMs) {
        dropped++;
        t.reject(
          new PolarisError(
            Code.InstanceRegisTimeout,
            `batch ${this.deps.name}: waited ${now - t.enqueuedAt} ms, over the task life of ${this.cfg.taskLifeMs} ms`,
          ),
        );
      } else {
        live.push(t);
      }
    }
    this.dropped += dropped;
    if (dropped > 0) this.deps.logger?.warn({ batch: this.deps.name, dropped }, 'dropped expired batch tasks');
    return live;
  }

  private group(tasks: Task<Req, Res>[]): Slot<Req, Res>[] {
    const key = this.deps.key;
    if (!key) return tasks.map((t) => ({ req: t.req, tasks: [t] }));
    const merge = this.deps.duplicates === 'merge';
    const byKey = new Map<string, Slot<Req, Res>>();
    const slots: Slot<Req, Res>[] = [];
    for (const t of tasks) {
      const k = key(t.req);
      const slot = byKey.get(k);
      if (!slot) {
        const fresh = { req: t.req, tasks: [t] };
        byKey.set(k, fresh);
        slots.push(fresh);
      } else if (merge) {
        slot.req = t.req; // the later request wins; every caller gets its result
        slot.tasks.push(t);
      } else {
        t.reject(
          new PolarisError(
            this.deps.duplicateCode ?? Code.SameInstanceRequest,
            `batch ${this.deps.name}: duplicate of a request in the same batch (${k})`,
          ),
        );
      }
    }
    return slots;
  }

  /** `open: false`: the request is its own batch, run at once and not limited by `concurrency`. */
  private async runAlone(req: Req): Promise<Res> {
    this.running++;
    try {
      return await this.runOne(req);
    } finally {
      this.finished();
    }
  }

  private async runOne(req: Req): Promise<Res> {
    const results = await this.deps.handler([req]);
    if (!Array.isArray(results) || results.length !== 1) {
      throw new PolarisError(
        Code.ExecuteException,
        `batch ${this.deps.name}: handler answered ${Array.isArray(results) ? results.length : typeof results} results for 1 request`,
      );
    }
    const result = results[0];
    if (result instanceof BatchItemOutcome) {
      if (result.ok) return result.value as Res;
      throw result.error;
    }
    return result as Res;
  }
}
