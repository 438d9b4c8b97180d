import type { Lifecycle } from '../lifecycle.js';
import { systemClock, timerTicker, type Clock, type Ticker } from './clock.js';

/**
 * Work run when a timer expires, with the argument it was added with (one shared function can
 * serve many timers: no closure per timer). A returned promise is not awaited; its rejection goes
 * to `onError`.
 */
export type WheelTask<T = void> = (arg: T) => unknown;

/** A scheduled task. The same timer can be rescheduled any number of times (no new allocation). */
export interface WheelTimer {
  /** The earliest time (clock ms) the task runs: the tick boundary at or after `now + delay`. */
  readonly deadline: number;
  /** True until the task has run or been cancelled. */
  readonly pending: boolean;
  /** Removes the task in O(1). Returns false when it already ran or was cancelled. */
  cancel(): boolean;
  /**
   * Schedules the task again, `delayMs` from now, whether it is pending (moved), has run or was
   * cancelled. O(1). Safe to call from inside the task itself.
   */
  reschedule(delayMs: number): void;
}

export interface TimeWheelOptions {
  /** Number of slots (upstream default 30). */
  slotNum: number;
  /** Length of one tick in ms (upstream default 1000). */
  tickMs: number;
  clock?: Clock;
  /** Drives `advanceTo(clock.now())` between `start()` and `stop()`; defaults to `timerTicker`. */
  ticker?: Ticker;
  /** Receives errors thrown (or rejected) by tasks. Defaults to `console.error`. */
  onError?: (err: unknown) => void;
}

/** Operations the wheel lends its entries (one object per wheel). */
interface WheelOps {
  place(entry: Entry, delayMs: number): void;
  unlink(entry: Entry): void;
}

/** A timer and, at the same time, a node of its slot's intrusive doubly linked list. */
class Entry implements WheelTimer {
  prev: Entry | null = null;
  next: Entry | null = null;
  pending = false;
  deadline = 0;
  slot = 0;
  rounds = 0;

  constructor(
    private readonly ops: WheelOps | null,
    readonly task: WheelTask<unknown>,
    readonly arg: unknown,
  ) {}

  get linked(): boolean {
    return this.prev !== null;
  }

  cancel(): boolean {
    if (!this.pending) return false;
    this.pending = false;
    this.ops!.unlink(this);
    return true;
  }

  reschedule(delayMs: number): void {
    this.ops!.unlink(this);
    this.ops!.place(this, delayMs);
  }
}

function sentinel(): Entry {
  const s = new Entry(null, () => undefined, undefined);
  s.prev = s;
  s.next = s;
  return s;
}

/**
 * A hashed timing wheel (Varghese & Lauck): `slotNum` buckets, one visited per tick; a task whose
 * delay is longer than one revolution waits for extra `rounds`. Adding, cancelling and
 * rescheduling are O(1) and allocation-free (intrusive lists); a tick costs O(tasks in that slot).
 *
 * Time comes from the injected clock. `advanceTo(now)` processes every tick boundary up to `now`,
 * so a task never runs before its delay has passed and runs at most one tick late (plus the
 * latency of whatever calls `advanceTo`). `start()` drives it with one unref'd timer per tick.
 */
export class TimeWheel implements Lifecycle {
  readonly slotNum: number;
  readonly tickMs: number;
  private readonly clock: Clock;
  private readonly ticker: Ticker;
  private readonly onError: (err: unknown) => void;
  /** One sentinel per slot; the slot's entries hang between sentinel.next and sentinel.prev. */
  private readonly slots: Entry[];
  /** Slot index of the last processed tick. */
  private cursor = 0;
  /** Clock time of the last processed tick boundary. */
  private cursorTime: number;
  private count = 0;
  private stopTicker: (() => void) | undefined;
  private readonly ops: WheelOps = {
    place: (entry, delayMs) => this.place(entry, delayMs),
    unlink: (entry) => this.unlink(entry),
  };

  constructor(options: TimeWheelOptions) {
    if (!Number.isInteger(options.slotNum) || options.slotNum < 1) {
      throw new RangeError(`timewheel slotNum must be a positive integer, got ${options.slotNum}`);
    }
    if (!(options.tickMs > 0) || !Number.isFinite(options.tickMs)) {
      throw new RangeError(`timewheel tickMs must be a positive number, got ${options.tickMs}`);
    }
    this.slotNum = options.slotNum;
    this.tickMs = options.tickMs;
    this.clock = options.clock ?? systemClock;
    this.ticker = options.ticker ?? timerTicker;
    this.onError = options.onError ?? ((err) => console.error('timewheel task failed', err));
    this.slots = Array.from({ length: this.slotNum }, sentinel);
    this.cursorTime = this.clock.now();
  }

  /** Schedules `task` to run once `delayMs` has passed (rounded up to the next tick boundary). */
  add(task: WheelTask, delayMs: number): WheelTimer;
  /** The same, calling `task(arg)`. */
  add<T>(task: WheelTask<T>, delayMs: number, arg: T): WheelTimer;
  add<T>(task: WheelTask<T>, delayMs: number, arg?: T): WheelTimer {
    const entry = new Entry(this.ops, task as WheelTask<unknown>, arg);
    this.place(entry, delayMs);
    return entry;
  }

  /** Number of tasks waiting. */
  size(): number {
    return this.count;
  }

  /** Processes exactly one tick (moves the wheel one slot), whatever the clock says. Returns tasks run. */
  tick(): number {
    this.cursor = (this.cursor + 1) % this.slotNum;
    this.cursorTime += this.tickMs;
    return this.fire(this.collect(this.slots[this.cursor]));
  }

  /** Processes every tick boundary up to `now` (default: the clock). Returns tasks run. */
  advanceTo(now: number = this.clock.now()): number {
    let ticks = Math.floor((now - this.cursorTime) / this.tickMs);
    if (!(ticks >= 1)) return 0;
    let fired = 0;
    // Far behind (clock jump, long pause): skip whole revolutions in one pass over the tasks.
    if (ticks > 2 * this.slotNum && this.count > 0) {
      const revolutions = Math.floor(ticks / this.slotNum) - 1;
      fired += this.skipRevolutions(revolutions);
      ticks -= revolutions * this.slotNum;
    }
    while (ticks > 0) {
      if (this.count === 0) {
        this.cursor = (this.cursor + ticks) % this.slotNum;
        this.cursorTime += ticks * this.tickMs;
        break;
      }
      fired += this.tick();
      ticks--;
    }
    return fired;
  }

  async start(): Promise<void> {
    if (this.stopTicker) return;
    this.stopTicker = this.ticker.start(this.tickMs, () => {
      this.advanceTo();
    });
  }

  async stop(): Promise<void> {
    this.stopTicker?.();
    this.stopTicker = undefined;
  }

  private place(entry: Entry, delayMs: number): void {
    const target = this.clock.now() + (delayMs > 0 ? delayMs : 0);
    let ticks = Math.ceil((target - this.cursorTime) / this.tickMs);
    if (!(ticks >= 1)) ticks = 1;
    entry.slot = (this.cursor + ticks) % this.slotNum;
    entry.rounds = Math.floor((ticks - 1) / this.slotNum);
    entry.deadline = this.cursorTime + ticks * this.tickMs;
    entry.pending = true;
    // Append at the tail: tasks of a slot run in the order they were scheduled.
    const head = this.slots[entry.slot];
    const tail = head.prev!;
    entry.prev = tail;
    entry.next = head;
    tail.next = entry;
    head.prev = entry;
    this.count++;
  }

  private unlink(entry: Entry): void {
    if (!entry.linked) return;
    entry.prev!.next = entry.next;
    entry.next!.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
    this.count--;
  }

  private collect(head: Entry): Entry[] {
    const due: Entry[] = [];
    let entry = head.next!;
    while (entry !== head) {
      const next = entry.next!;
      if (entry.rounds > 0) {
        entry.rounds--;
      } else {
        this.unlink(entry);
        due.push(entry);
      }
      entry = next;
    }
    return due;
  }

  private skipRevolutions(revolutions: number): number {
    const due: Entry[] = [];
    for (const head of this.slots) {
      let entry = head.next!;
      while (entry !== head) {
        const next = entry.next!;
        if (entry.rounds >= revolutions) {
          entry.rounds -= revolutions;
        } else {
          this.unlink(entry);
          due.push(entry);
        }
        entry = next;
      }
    }
    this.cursorTime += revolutions * this.slotNum * this.tickMs;
    due.sort((a, b) => a.deadline - b.deadline);
    return this.fire(due);
  }

  /** Runs tasks after they left their slot, so a task may reschedule itself without running twice. */
  private fire(due: Entry[]): number {
    let ran = 0;
    for (const entry of due) {
      // An earlier task of the same tick may have cancelled or rescheduled this one.
      if (!entry.pending || entry.linked) continue;
      entry.pending = false;
      ran++;
      try {
        const result = entry.task(entry.arg);
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, this.onError);
        }
      } catch (err) {
        this.onError(err);
      }
    }
    return ran;
  }
}
