import type { HealthCheckResult, HealthProbe, HealthReport } from './api.js';

/** What a cache reports about its freshness (the caches' `syncState`). */
export interface FreshnessSource {
  syncState(): { lastSyncAt: number };
}

export interface ReadinessDeps {
  /** One cheap query the store must answer (the change-sequence probe). */
  storePing: () => Promise<unknown>;
  /** The caches that must have loaded and keep following the store. */
  caches: Record<string, FreshnessSource>;
}

export interface ReadinessConfig {
  /** The store ping must answer within this; default 2 s. */
  pingTimeoutMs?: number;
  /** A cache that has not read the store for longer is stale (store unreachable); default 15 s. */
  maxCacheLagMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Liveness and readiness for orchestrators. Live = the process serves HTTP. Ready = start-up
 * finished (caches loaded, listeners up), the store answers a ping in time, and every cache read
 * the store recently; a node whose store is unreachable stops being ready until it is back.
 */
export class Readiness implements HealthProbe {
  private started = false;
  private stopping = false;
  private readonly pingTimeoutMs: number;
  private readonly maxCacheLagMs: number;

  constructor(
    private readonly deps: ReadinessDeps,
    config: ReadinessConfig = {},
  ) {
    this.pingTimeoutMs = config.pingTimeoutMs ?? 2_000;
    this.maxCacheLagMs = config.maxCacheLagMs ?? 15_000;
  }

  /** Start-up finished: from now on readiness follows the store and caches. */
  markStarted(): void {
    this.started = true;
  }

  /** Graceful stop began: not ready any more, so load balancers drain this node. */
  markStopping(): void {
    this.stopping = true;
  }

  liveness(): HealthReport {
    return { status: 'UP', checks: { process: { ok: true, detail: `pid ${process.pid}` } } };
  }

  async readiness(): Promise<HealthReport> {
    const checks: Record<string, HealthCheckResult> = {};
    checks.startup = this.stopping
      ? { ok: false, detail: 'stopping' }
      : { ok: this.started, detail: this.started ? 'done' : 'starting' };
    const t0 = Date.now();
    try {
      await withTimeout(this.deps.storePing(), this.pingTimeoutMs);
      checks.store = { ok: true, detail: `answered in ${Date.now() - t0} ms` };
    } catch (err) {
      checks.store = { ok: false, detail: (err as Error).message };
    }
    const now = Date.now();
    for (const [name, src] of Object.entries(this.deps.caches)) {
      const { lastSyncAt } = src.syncState();
      const lag = lastSyncAt ? now - lastSyncAt : Number.POSITIVE_INFINITY;
      checks[`cache:${name}`] =
        lag <= this.maxCacheLagMs
          ? { ok: true, detail: `synced ${lag} ms ago` }
          : { ok: false, detail: lastSyncAt ? `last synced ${lag} ms ago` : 'never loaded' };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    return { status: ok ? 'UP' : 'DOWN', checks };
  }
}
