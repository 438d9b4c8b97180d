/**
 * Giving memory back after a burst.
 *
 * V8 keeps the dead objects of a burst (a register storm, a connect storm) and the pages that held
 * them until its next full collection, and an idle server never runs one: RSS stays at the burst's
 * high water for as long as the server stays quiet. Go's runtime returns such memory on its own
 * (the scavenger; polaris-server also has `POST /maintain/v1/memory/free`). Here the same is done
 * with V8's memory-reducing collection — the one the inspector's `HeapProfiler.collectGarbage`
 * runs: every space compacted, empty pages released. From inside the process it can only be asked
 * for through an inspector session of another thread (a session on the main thread itself cannot
 * wait for a collection that has to run on that thread), so a small worker thread, started on the
 * first collection, keeps a session to the main thread and asks.
 *
 * The collection stops the main thread for its duration (0.2–0.4 s with 20k instances), and V8
 * drops compiled code with it, so the next seconds of load run slower (measured: about double CPU
 * per call for 2 s). So the automatic trigger runs it only when the event loop was idle for a whole
 * check interval, RSS has grown well above its low point since the last collection, and not more
 * often than once per `minIntervalMs`.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** Settings of the automatic trigger (`maintain.memoryReclaim` in polaris-server.yaml). */
export interface MemoryReclaimConfig {
  readonly enable: boolean;
  /** How often the event loop's utilisation and RSS are looked at. */
  readonly checkIntervalMs: number;
  /** RSS growth above the low point since the last collection that makes one worth it. */
  readonly growthBytes: number;
  /** A check interval counts as idle when the event loop was busy less than this share of it. */
  readonly idleBelow: number;
  /** The idle trigger waits at least this long after its last collection. */
  readonly minIntervalMs: number;
}

export const DEFAULT_MEMORY_RECLAIM: MemoryReclaimConfig = {
  enable: true,
  checkIntervalMs: 2000,
  growthBytes: 32 * 1024 * 1024,
  idleBelow: 0.1,
  minIntervalMs: 60_000,
};

export interface ReclaimResult {
  /** What ran: the inspector's collection, a plain exposed `gc()`, or nothing available. */
  readonly method: 'inspector' | 'gc' | 'none';
  readonly ms: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Where the figures come from; the defaults read this process. Tests of the policy replace them. */
export interface ReclaimProbes {
  rss(): number;
  utilisation(since?: EventLoopUtilization): EventLoopUtilization;
  collect(): Promise<ReclaimResult['method']>;
  /** Releases what collecting holds (the collector thread). */
  close?(): Promise<void>;
}

// CommonJS, evaluated by the collector thread: one inspector session to the main thread for the
// thread's life; each message asks for one memory-reducing collection and is answered 'ok' or
// with the error. (A session connected and dropped per collection aborted the process now and then
// in Node 20 — 9 of 90 standalone runs — a kept one did not in 100 collections.)
const WORKER_SOURCE = `
const { Session } = require('node:inspector');
const { parentPort } = require('node:worker_threads');
const session = new Session();
session.connectToMainThread();
parentPort.on('message', () => {
  session.post('HeapProfiler.collectGarbage', (err) => {
    parentPort.postMessage(err ? String(err.message || err) : 'ok');
  });
});
`;

const WORKER_TIMEOUT_MS = 10_000;

/** A thread that asks the main thread's inspector for collections, started on first use. */
class CollectorThread {
  private worker: Worker | undefined;
  private pending: { resolve(): void; reject(err: Error): void; timer: NodeJS.Timeout } | undefined;

  collect(): Promise<'inspector'> {
    const worker = this.worker ?? this.spawn();
    return new Promise<'inspector'>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(new Error('the collection did not answer in time'));
        void this.close();
      }, WORKER_TIMEOUT_MS);
      this.pending = { resolve: () => resolve('inspector'), reject, timer };
      worker.postMessage('collect');
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    // No inherited --import/--require hooks (a loader would make it start slowly), a small heap of
    // its own, and never what keeps the process alive.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (m: unknown) => this.settle(m === 'ok' ? undefined : new Error(String(m))));
    worker.on('error', (err) => this.settle(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.settle(new Error(`the collector thread exited (${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(err: Error | undefined): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
  }
}

function inspectorAvailable(): boolean {
  return (process.features as { inspector?: boolean }).inspector !== false;
}

/** The probes of this process. */
export function processProbes(): ReclaimProbes {
  const thread = inspectorAvailable() ? new CollectorThread() : undefined;
  return {
    rss: () => process.memoryUsage.rss(),
    utilisation: (since) => (since ? performance.eventLoopUtilization(since) : performance.eventLoopUtilization()),
    collect: async () => {
      if (thread) return thread.collect();
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        gc();
        return 'gc';
      }
      return 'none';
    },
    close: async () => thread?.close(),
  };
}

/**
 * Runs memory-reducing collections: on request (`reclaim`, one at a time; a request during a
 * collection waits for it) and, when enabled, by itself once the server has gone idle after its
 * RSS grew by `growthBytes` above its lowest point since the last collection.
 */
export class MemoryReclaimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReclaimResult> | undefined;
  private lastElu: EventLoopUtilization | undefined;
  private low = Infinity;
  private count = 0;
  private lastIdleRun = -Infinity;

  constructor(
    private readonly config: MemoryReclaimConfig,
    private readonly log: Log,
    private readonly probes: ReclaimProbes = processProbes(),
  ) {}

  /** Collections run so far (by request and by the idle trigger). */
  get collections(): number {
    return this.count;
  }

  start(): void {
    if (!this.config.enable || this.timer) return;
    this.low = this.probes.rss();
    this.lastElu = this.probes.utilisation();
    this.timer = setInterval(() => this.check(), this.config.checkIntervalMs);
    this.timer.unref();
  }

  /** Stops the trigger, waits for a collection under way (10 s at most), ends the collector thread. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.probes.close?.();
  }

  /** One look at the loop and RSS; starts a collection when the server is idle and has grown. */
  check(): void {
    const elu = this.probes.utilisation(this.lastElu);
    this.lastElu = this.probes.utilisation();
    const rss = this.probes.rss();
    if (rss < this.low) this.low = rss;
    if (this.running) return;
    if (elu.utilization >= this.config.idleBelow) return;
    if (rss - this.low < this.config.growthBytes) return;
    const now = performance.now();
    if (now - this.lastIdleRun < this.config.minIntervalMs) return;
    this.lastIdleRun = now;
    void this.reclaim('idle').catch(() => undefined);
  }

  /** A memory-reducing collection now (or the one already running). */
  reclaim(reason: 'idle' | 'request'): Promise<ReclaimResult> {
    if (this.running) return this.running;
    const run = async (): Promise<ReclaimResult> => {
      const rssBefore = this.probes.rss();
      const t0 = performance.now();
      try {
        const method = await this.probes.collect();
        const ms = performance.now() - t0;
        const rssAfter = this.probes.rss();
        this.count++;
        // The next trigger measures growth from here, not from the old low point.
        this.low = rssAfter;
        this.log.info(
          { reason, method, ms: Math.round(ms), rssBeforeMiB: mib(rssBefore), rssAfterMiB: mib(rssAfter) },
          'memory-reducing collection',
        );
        return { method, ms, rssBefore, rssAfter };
      } catch (err) {
        this.low = this.probes.rss();
        this.log.warn({ err, reason }, 'memory-reducing collection failed');
        throw err;
      }
    };
    const p = run().finally(() => {
      if (this.running === p) this.running = undefined;
    });
    this.running = p;
    return p;
  }
}

const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
