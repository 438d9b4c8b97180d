import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, sep } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Sink } from './line-sinks.js';

export interface RotatingSinkOptions {
  /** Absolute path of the active file. */
  readonly path: string;
  /** Rotate when the active file reaches this many bytes (0 = never by size). */
  readonly maxSizeBytes: number;
  /** Rotated files kept (0 = unlimited). */
  readonly maxFiles: number;
  /** Rotated files older than this many days are deleted after a rotation (0 = keep). */
  readonly maxAgeDays: number;
  /** Also rotate every N hours (0 = no time-based rotation). */
  readonly intervalHours: number;
  readonly compress: boolean;
  /** Rewrites a line before it is written (for example to keep only the message). */
  readonly format?: (line: string) => string;
  /** Called for stream failures; the sink drops further lines after one. */
  readonly onError: (message: string) => void;
}

/** Longest a flush or close waits for the file system before giving up (shutdown must not hang). */
const SETTLE_TIMEOUT_MS = 5_000;

function settle(p: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
    timer.unref();
    void p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

const HOUR_DIVISORS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/** rotating-file-stream interval for N hours: whole days as 'Nd', else the largest divisor of 24 ≤ N. */
export function intervalFor(hours: number): string | undefined {
  if (!(hours > 0)) return undefined;
  if (hours >= 24) return `${Math.max(1, Math.floor(hours / 24))}d`;
  let best = 1;
  for (const d of HOUR_DIVISORS) if (d <= hours) best = d;
  return `${best}h`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function stamp(t: Date): string {
  return `${t.getFullYear()}${pad(t.getMonth() + 1)}${pad(t.getDate())}T${pad(t.getHours())}${pad(t.getMinutes())}${pad(t.getSeconds())}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A log file rotated by size (and optionally time) with rotating-file-stream. Rotated files are
 * named `<stem>-<YYYYMMDDTHHMMSS>-<n><ext>` (plus `.gz` when compressed) beside the active file;
 * the list of rotated files rotating-file-stream keeps for `maxFiles` is `<file>.history`.
 */
export class RotatingSink implements Sink {
  private stream: RotatingFileStream;
  private closed = false;
  private failed = false;
  private pruning: Promise<void> = Promise.resolve();
  private readonly rotatedPattern: RegExp;

  constructor(private readonly options: RotatingSinkOptions) {
    const ext = extname(options.path);
    const stem = basename(options.path, ext);
    this.rotatedPattern = new RegExp(`^${escapeRe(stem)}-\\d{8}T\\d{6}-\\d+${escapeRe(ext)}(\\.gz)?$`);
    this.stream = this.open();
  }

  /** pino destination contract. */
  write(line: string): boolean {
    if (this.closed || this.failed) return true;
    const out = this.options.format ? this.options.format(line) : line;
    if (out === '') return true;
    return this.stream.write(out);
  }

  /** Resolves once every line written so far is on disk (including a rotation it triggered). */
  async flush(): Promise<void> {
    if (!(this.failed || this.stream.destroyed || this.stream.writableEnded)) {
      await settle(
        new Promise<void>((resolve) => {
          this.stream.write('', () => resolve());
        }),
      );
    }
    await settle(this.pruning);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.end(this.stream);
  }

  /** Starts a fresh stream on the same path (after an external tool moved the file away). */
  reopen(): void {
    if (this.closed) return;
    const old = this.stream;
    this.failed = false;
    this.stream = this.open();
    void this.end(old);
  }

  private open(): RotatingFileStream {
    const { path, maxSizeBytes, maxFiles, intervalHours, compress } = this.options;
    const dir = dirname(path) + sep;
    const base = basename(path);
    const ext = extname(base);
    const stem = basename(base, ext);
    const interval = intervalFor(intervalHours);
    const stream = createStream(
      (time: number | Date | null, index?: number) => {
        if (time === null || time === undefined) return base;
        const t = typeof time === 'number' ? new Date(time) : time;
        return `${stem}-${stamp(t)}-${index ?? 1}${ext}${compress ? '.gz' : ''}`;
      },
      {
        path: dir,
        ...(maxSizeBytes > 0 ? { size: `${Math.max(1, Math.round(maxSizeBytes))}B` } : {}),
        ...(maxFiles > 0 ? { maxFiles, history: `${base}.history` } : {}),
        ...(interval ? { interval } : {}),
        ...(compress ? { compress: 'gzip' as const } : {}),
      },
    );
    stream.on('error', (err: Error) => {
      if (this.failed) return;
      this.failed = true;
      this.options.onError(`log file ${path} failed, further lines are dropped: ${err.message}`);
    });
    stream.on('warning', (err: Error) => this.options.onError(`log file ${path}: ${err.message}`));
    stream.on('rotated', () => {
      if (this.options.maxAgeDays > 0) this.pruning = this.pruning.then(() => this.pruneOld());
    });
    return stream;
  }

  private end(stream: RotatingFileStream): Promise<void> {
    if (stream.destroyed || stream.writableFinished) return Promise.resolve();
    return settle(
      new Promise((resolve) => {
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      }),
    );
  }

  /** Deletes rotated files of this sink whose modification time is older than maxAgeDays. */
  private async pruneOld(): Promise<void> {
    const dir = dirname(this.options.path);
    const limit = Date.now() - this.options.maxAgeDays * 24 * 3600 * 1000;
    try {
      for (const name of await readdir(dir)) {
        if (!this.rotatedPattern.test(name)) continue;
        const file = `${dir}${sep}${name}`;
        const info = await stat(file).catch(() => undefined);
        if (info && info.mtimeMs < limit) await unlink(file).catch(() => undefined);
      }
    } catch (err) {
      this.options.onError(`pruning old files of ${this.options.path}: ${(err as Error).message}`);
    }
  }
}
