import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { StoreError } from '../../common/errors/polaris-error.js';
import type { StartLock } from '../api.js';
import type { StatementCache } from './statement-cache.js';

/** Runs `fn` as its own write transaction on the store's write connection (under its mutex). */
export type RunWrite = <T>(what: string, fn: (c: StatementCache) => T) => Promise<T>;

interface LockRow {
  holder: string;
  pid: number;
  heartbeat: number;
}

const SQL = {
  get: 'SELECT holder, pid, heartbeat FROM start_lock WHERE lock_key = ?',
  take: `INSERT INTO start_lock (lock_key, holder, token, pid, acquired_at, heartbeat)
    VALUES (@key, @holder, @token, @pid, @now, @now)
    ON CONFLICT (lock_key) DO UPDATE SET holder = excluded.holder, token = excluded.token, pid = excluded.pid,
      acquired_at = excluded.acquired_at, heartbeat = excluded.heartbeat`,
  beat: 'UPDATE start_lock SET heartbeat = ? WHERE lock_key = ? AND token = ?',
  release: 'DELETE FROM start_lock WHERE lock_key = ? AND token = ?',
} as const;

/**
 * Start locks in the `start_lock` table, so they work across processes sharing one file. A held
 * lock row carries a heartbeat refreshed every staleAfterMs/3; a row whose heartbeat is older than
 * staleAfterMs belongs to a dead holder and is taken over. Each acquisition has its own token, so
 * a holder that was taken over can neither refresh nor release the new holder's row.
 */
export class SqliteStartLocks {
  private readonly held = new Set<HeldLock>();

  constructor(
    private readonly runWrite: RunWrite,
    private readonly logger: Logger | undefined,
  ) {}

  async acquire(key: string, holder: string, opts: { timeoutMs: number; staleAfterMs: number }): Promise<StartLock> {
    const staleAfterMs = Math.max(1, opts.staleAfterMs);
    const deadline = Date.now() + Math.max(0, opts.timeoutMs);
    const pollMs = Math.max(5, Math.min(200, Math.floor(staleAfterMs / 5)));
    const token = randomUUID();
    for (;;) {
      const current = await this.runWrite('acquire start lock', (c) => {
        const now = Date.now();
        const row = c.prep(SQL.get).get(key) as LockRow | undefined;
        if (row && row.heartbeat > now - staleAfterMs) return row;
        c.prep(SQL.take).run({ key, holder, token, pid: process.pid, now });
        if (row) {
          this.logger?.warn(
            { key, holder, staleHolder: row.holder, stalePid: row.pid, silentMs: now - row.heartbeat },
            'took over a stale start lock',
          );
        }
        return undefined;
      });
      if (!current) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StoreError(
          `start lock ${key}: still held by ${current.holder} (pid ${current.pid}) after ${opts.timeoutMs} ms`,
        );
      }
      await sleep(Math.min(pollMs, left));
    }
    const lock = new HeldLock(key, token, staleAfterMs, this.runWrite, this.logger, () => this.held.delete(lock));
    this.held.add(lock);
    this.logger?.info({ key, holder }, 'start lock acquired');
    return lock;
  }

  /** Stops every heartbeat without releasing: an unreleased lock goes stale like a dead holder's. */
  stopAll(): void {
    for (const lock of this.held) lock.stop();
    this.held.clear();
  }
}

class HeldLock implements StartLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(
    private readonly key: string,
    private readonly token: string,
    staleAfterMs: number,
    private readonly runWrite: RunWrite,
    private readonly logger: Logger | undefined,
    private readonly onDone: () => void,
  ) {
    const every = Math.max(1, Math.floor(staleAfterMs / 3));
    // One beat at a time: the timer is re-armed only after the previous beat settled.
    this.timer = setTimeout(() => void this.beat(), every);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.released) return;
    try {
      const changes = await this.runWrite('start lock heartbeat', (c) =>
        c.prep(SQL.beat).run(Date.now(), this.key, this.token).changes,
      );
      if (changes === 0) {
        this.logger?.warn({ key: this.key }, 'start lock was taken over by another holder');
        this.stop();
        return;
      }
    } catch (err) {
      this.logger?.warn({ key: this.key, err }, 'start lock heartbeat failed');
    }
    if (!this.released) this.timer?.refresh();
  }

  stop(): void {
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onDone();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.stop();
    await this.runWrite('release start lock', (c) => {
      c.prep(SQL.release).run(this.key, this.token);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
