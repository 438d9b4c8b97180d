/**
 * Time sources and tick drivers for background loops. Everything that reasons about time takes a
 * `Clock`, so tests move time by hand instead of sleeping, and a cluster can inject a clock that is
 * corrected by the node-to-database skew (grpc.md §8.1 "time base").
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to. Used by simulations and tests, and by anything that needs
 * a frozen time base (for example replaying recorded events).
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward (or backward, with a negative value) by `ms`. */
  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

/**
 * Calls `onTick` every `intervalMs` until the returned function is called. The production
 * implementation is `timerTicker`; an owner that drives time itself (tests, simulations) passes a
 * ticker that never fires.
 */
export interface Ticker {
  start(intervalMs: number, onTick: () => void): () => void;
}

/**
 * One `setTimeout` re-armed with `refresh()` after each run, so runs never overlap, and `unref()`'d
 * so a background loop never keeps the process alive. A throwing `onTick` does not stop the loop.
 */
export const timerTicker: Ticker = {
  start(intervalMs: number, onTick: () => void): () => void {
    let stopped = false;
    const timer = setTimeout(function fire() {
      if (stopped) return;
      try {
        onTick();
      } finally {
        if (!stopped) timer.refresh();
      }
    }, intervalMs);
    timer.unref();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  },
};

/** A ticker that never fires: the owner advances time explicitly. */
export const manualTicker: Ticker = {
  start(): () => void {
    return () => {};
  },
};

/**
 * The wall clock corrected to a shared reference (grpc.md §8.1: polaris stamps beats with
 * `now - diff`, diff = node clock − database clock). `sync` measures the reference and keeps the
 * offset (half the round trip is assumed on each side); a failed measurement keeps the last offset.
 */
export class SkewCorrectedClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly reference: () => Promise<number>) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** The current correction (reference − local), in ms. */
  offset(): number {
    return this.offsetMs;
  }

  async sync(): Promise<void> {
    const t0 = Date.now();
    const ref = await this.reference();
    const t1 = Date.now();
    this.offsetMs = ref - (t0 + t1) / 2;
  }
}
