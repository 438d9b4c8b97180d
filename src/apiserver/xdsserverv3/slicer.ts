/**
 * Runs queued work in slices of a few milliseconds, letting the event loop poll sockets between
 * slices. A change fans out to every stream; computing and writing a thousand answers in one go
 * would hold up every other connection for as long (setImmediate alone does not help: immediates
 * queued together all run before the next poll).
 */
export class LoopSlicer {
  private readonly tasks: Array<() => void> = [];
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
    while (this.tasks.length > 0 && performance.now() < until) (this.tasks.shift() as () => void)();
    if (this.tasks.length > 0) this.schedule();
  }
}
