import { isAbsolute, resolve } from 'node:path';
import pino from 'pino';

/** Anything pino can write serialized lines to, plus the life-cycle calls the logger set needs. */
export interface Sink {
  write(line: string): boolean;
  flush(): Promise<void>;
  close(): Promise<void>;
  reopen(): void;
}

interface TextOut {
  write(chunk: string): unknown;
}

const RESERVED = new Set(['level', 'time', 'scope', 'msg', 'pid', 'hostname']);

/** One JSON line from pino → `time LEVEL [scope] message {other fields}`. */
export function compactLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (!RESERVED.has(k)) rest[k] = v;
  const level = String(rec.level ?? '').toUpperCase().padEnd(5);
  const scope = rec.scope === undefined ? '' : ` [${String(rec.scope)}]`;
  const msg = rec.msg === undefined ? '' : ` ${String(rec.msg)}`;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(rec.time ?? '')} ${level}${scope}${msg}${extra}\n`;
}

/** Only the `msg` of a JSON line (upstream's onlyContent). */
export function contentOnly(line: string): string {
  try {
    const rec = JSON.parse(line) as { msg?: unknown };
    return rec.msg === undefined ? '' : `${String(rec.msg)}\n`;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
}

/** Compact human-readable lines on stdout or stderr. Never closes the process stream. */
export class ConsoleSink implements Sink {
  private closed = false;
  constructor(private readonly out: TextOut) {}
  write(line: string): boolean {
    if (!this.closed) this.out.write(compactLine(line));
    return true;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  reopen(): void {}
}

/** A plain (not rotated) JSON-lines file from `outputPaths`. */
export class PlainFileSink implements Sink {
  private readonly dest: pino.DestinationStream & {
    flush(cb?: (err?: Error) => void): void;
    end(): void;
    reopen(file?: string): void;
    on(event: string, listener: (...args: unknown[]) => void): unknown;
    once(event: string, listener: (...args: unknown[]) => void): unknown;
  };
  private closed = false;
  private reopening: Promise<void> = Promise.resolve();

  constructor(path: string, onError: (message: string) => void) {
    this.dest = pino.destination({ dest: path, mkdir: true, sync: false, append: true }) as unknown as PlainFileSink['dest'];
    this.dest.on('error', (err) => onError(`log file ${path}: ${(err as Error).message}`));
  }
  write(line: string): boolean {
    if (this.closed) return true;
    this.dest.write(line);
    return true;
  }
  async flush(): Promise<void> {
    if (this.closed) return;
    // A reopen is asynchronous: flushing before the new file is open would drop the lines
    // written meanwhile from the flush.
    await this.reopening;
    await new Promise<void>((resolveFlush) => {
      try {
        this.dest.flush(() => resolveFlush());
      } catch {
        resolveFlush();
      }
    });
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolveClose) => {
      this.dest.once('close', () => resolveClose());
      this.dest.once('error', () => resolveClose());
      this.dest.end();
    });
  }
  reopen(): void {
    if (this.closed) return;
    this.reopening = new Promise<void>((resolveReady) => {
      this.dest.once('ready', () => resolveReady());
      this.dest.once('error', () => resolveReady());
    });
    this.dest.reopen();
  }
}

/** Resolves a configured path against the logger's base directory. */
export function resolveLogPath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
