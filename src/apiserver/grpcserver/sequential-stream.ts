import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** Stop reading from the client while this many requests wait for their answer. */
const PAUSE_AT = 256;
/** Read again once the backlog is down to this. */
const RESUME_AT = 64;

/**
 * One bidirectional stream answered in order: every received message gets exactly one answer,
 * written in the order the messages came, even though answering is async. The stream ends (status
 * OK) once the client has half-closed and every answer is written, or when the server asks it to
 * finish. A failure of one answer never ends the stream; the answer function is expected to turn
 * its errors into a message.
 */
export class SequentialStream<Req, Res> {
  private readonly queue: Req[] = [];
  private running = false;
  private paused = false;
  private clientDone = false;
  private finishing = false;
  private closed = false;
  private drainWaiter: (() => void) | undefined;

  constructor(
    private readonly call: ServerDuplexStream<Req, Res>,
    private readonly answer: (req: Req) => Promise<Res | Buffer>,
    private readonly logger: Logger,
    private readonly onClose: (s: SequentialStream<Req, Res>) => void,
  ) {
    call.on('data', (req: Req) => this.receive(req));
    call.on('end', () => {
      this.clientDone = true;
      this.maybeEnd();
    });
    call.on('cancelled', () => this.close());
    call.on('error', (err: Error) => {
      this.logger.debug({ err }, 'grpc stream error');
      this.close();
    });
    call.on('close', () => this.close());
    call.on('drain', () => this.wakeDrain());
  }

  /** Asks the stream to end once the answers already owed are written (server shutdown). */
  finish(): void {
    this.finishing = true;
    this.maybeEnd();
  }

  private receive(req: Req): void {
    if (this.closed || this.finishing) return;
    this.queue.push(req);
    if (!this.paused && this.queue.length >= PAUSE_AT) {
      this.paused = true;
      this.call.pause();
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const req = this.queue.shift() as Req;
        if (this.paused && this.queue.length <= RESUME_AT) {
          this.paused = false;
          this.call.resume();
        }
        const out = await this.answer(req);
        if (this.closed) break;
        const flowing = this.call.write(out as Res);
        if (!flowing) await this.waitDrain();
      }
    } catch (err) {
      // A write on a stream torn down underneath us; nothing more can be sent on it.
      this.logger.debug({ err }, 'grpc stream write failed');
      this.close();
    } finally {
      this.running = false;
    }
    this.maybeEnd();
  }

  private waitDrain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  private wakeDrain(): void {
    const w = this.drainWaiter;
    this.drainWaiter = undefined;
    w?.();
  }

  private maybeEnd(): void {
    if (this.closed || this.running) return;
    if (this.queue.length > 0) return;
    if (!this.clientDone && !this.finishing) return;
    try {
      this.call.end();
    } catch (err) {
      this.logger.debug({ err }, 'grpc stream end failed');
    }
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.wakeDrain();
    this.onClose(this);
  }
}
