/**
 * Runs queued work in slices of a few milliseconds, letting the event loop poll sockets between
 * slices. A change fans out to every stream; computing and writing a thousand answers in one go
 * would hold up every other connection for as long (setImmediate alone does not help: immediates
 * queued together all run before the next poll).
 */
export class LoopSlicer {
  /** A task returns false when it has more to do: it goes back to the end of the queue. */
  private readonly tasks: Array<() => boolean> = [];
  private scheduled = false;

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

  /** Queues `task` with no promise to settle (one closure per task); its exception goes to `onError`. */
  post(task: () => void, onError: (err: unknown) => void): void {
    this.tasks.push(() => {
      try {
        task();
      } catch (err) {
        onError(err);
      }
      return true;
    });
    this.schedule();
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
      this.tasks.push(() => {
        const until = performance.now() + this.sliceMs;
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

  private drain(): void {
    this.scheduled = false;
    const until = performance.now() + this.sliceMs;
    while (this.tasks.length > 0 && performance.now() < until) {
      const task = this.tasks.shift() as () => boolean;
      if (!task()) this.tasks.push(task);
    }
    if (this.tasks.length > 0) this.schedule();
  }
}
