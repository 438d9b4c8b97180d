/**
 * Runs queued work in slices of a few milliseconds, letting the event loop poll sockets between
 * slices. A change fans out to every stream; computing and writing a thousand answers in one go
 * would hold up every other connection for as long (setImmediate alone does not help: immediates
 * queued together all run before the next poll).
 */
export class LoopSlicer {
  /** A task returns false when it has more to do: it goes back to the end of the queue. `until`: the slice's deadline. */
  private readonly tasks: Array<(until: number) => boolean> = [];
  private scheduled = false;
  /** When the last slice ended, if it left work queued (the next slice continues it); else undefined. */
  private continuedFrom: number | undefined;

  constructor(private readonly sliceMs = 5) {}

  /** Resolves after `task` ran (its exception rejects). */
  run<T>(task: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.tasks.push(() => {
        try {
          resolve(task());
        } catch (err) {
          reject(err);
        }
        return true;
      });
      this.schedule();
    });
  }

  /**
   * Calls `fn` for each item, as many per slice as fit, with other queued work (requests) taking
   * turns between slices; one promise for the whole batch, none per item. An exception of `fn`
   * goes to `onError` and the batch goes on.
   */
  each<T>(items: readonly T[], fn: (item: T) => void, onError: (err: unknown, item: T) => void): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let i = 0;
      this.tasks.push((until) => {
        while (i < items.length) {
          const item = items[i++] as T;
          try {
            fn(item);
          } catch (err) {
            onError(err, item);
          }
          if ((i & 15) === 0 && performance.now() >= until) break; // the clock is read every 16 items
        }
        if (i < items.length) return false;
        resolve();
        return true;
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /**
   * One slice. Between two slices of queued work the loop does not wait for I/O (an immediate is
   * pending), so the time since the last slice ended is work of this same loop turn: socket reads
   * (a burst of ACKs), timers. It is taken off this slice, so a turn stays near `sliceMs` instead
   * of I/O plus a whole slice; at least `MIN_SLICE_MS` runs, so the queue still moves.
   */
  private drain(): void {
    this.scheduled = false;
    const start = performance.now();
    const before = this.continuedFrom === undefined ? 0 : start - this.continuedFrom;
    const until = start + Math.max(MIN_SLICE_MS, this.sliceMs - before);
    while (this.tasks.length > 0 && performance.now() < until) {
      const task = this.tasks.shift() as (until: number) => boolean;
      if (!task(until)) this.tasks.push(task);
    }
    if (this.tasks.length > 0) {
      this.continuedFrom = performance.now();
      this.schedule();
    } else {
      this.continuedFrom = undefined;
    }
  }
}

/** The shortest slice, however busy the loop turn already was. */
const MIN_SLICE_MS = 1;
