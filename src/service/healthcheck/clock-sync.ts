import type { Logger } from 'pino';
import type { Lifecycle } from '../../common/lifecycle.js';
import type { SkewCorrectedClock } from '../../common/timewheel/clock.js';

/** Re-measures a skew-corrected clock at start and then every `intervalMs` (polaris: 60 s). */
export class ClockSync implements Lifecycle {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { clock: SkewCorrectedClock; logger: Logger },
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await this.sync();
    this.schedule();
  }

  private async sync(): Promise<void> {
    try {
      await this.deps.clock.sync();
      const offset = Math.round(this.deps.clock.offset());
      if (Math.abs(offset) > 1000) this.deps.logger.warn({ offsetMs: offset }, 'this node’s clock differs from the heartbeat store’s; beats are stamped on the store’s time');
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not read the heartbeat store’s time; keeping the last offset');
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.sync().finally(() => {
        if (this.timer) this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
