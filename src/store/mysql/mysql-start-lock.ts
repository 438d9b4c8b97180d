import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { StoreError } from '../../common/errors/polaris-error.js';
import type { StartLock } from '../api.js';
import { classify } from './mysql-errors.js';
import type { Lease } from './mysql-pool.js';

/** Runs `fn` on a master connection with the store's retries (autocommit statements). */
export type WithMaster = <T>(what: string, fn: (lease: Lease) => Promise<T>) => Promise<T>;

/**
 * The DB server's clock in epoch ms, independent of the session time zone: UNIX_TIMESTAMP() is
 * the statement's start in epoch seconds and NOW(6) the same instant, whose fraction does not
 * depend on the zone (UNIX_TIMESTAMP(NOW(3)) would be ambiguous in a DST fall-back hour).
 */
const DB_NOW_MS = '(UNIX_TIMESTAMP() * 1000 + FLOOR(MICROSECOND(NOW(6)) / 1000))';

const SQL = {
  get: `SELECT holder, host, pid, token, heartbeat, ${DB_NOW_MS} FROM start_lock WHERE lock_key = ?`,
  insert: `INSERT INTO start_lock (lock_key, holder, token, host, pid, acquired_at, heartbeat)
    VALUES (?, ?, ?, ?, ?, ${DB_NOW_MS}, ${DB_NOW_MS})`,
  // Compare-and-set on the stale holder's token: of several waiters only one takes over.
  takeOver: `UPDATE start_lock SET holder = ?, token = ?, host = ?, pid = ?, acquired_at = ${DB_NOW_MS},
    heartbeat = ${DB_NOW_MS} WHERE lock_key = ? AND token = ? AND heartbeat < ${DB_NOW_MS} - ?`,
  beat: `UPDATE start_lock SET heartbeat = ${DB_NOW_MS} WHERE lock_key = ? AND token = ?`,
  release: 'DELETE FROM start_lock WHERE lock_key = ? AND token = ?',
} as const;

interface Holder {
  holder: string;
  host: string;
  pid: number;
}

/**
 * Start locks in the `start_lock` table, shared by every server on the database. A held lock's
 * row carries a heartbeat refreshed every staleAfterMs/3; a row whose heartbeat is older than
 * staleAfterMs belongs to a dead holder and is taken over. All times are the DB server's clock, so
 * node clocks and session time zones do not matter. Each acquisition has its own token, so a
 * holder that was taken over can neither refresh nor release the new holder's row.
 */
export class MysqlStartLocks {
  private readonly held = new Set<HeldLock>();

  constructor(
    private readonly withMaster: WithMaster,
    private readonly logger: Logger | undefined,
  ) {}

  async acquire(key: string, holder: string, opts: { timeoutMs: number; staleAfterMs: number }): Promise<StartLock> {
    const staleAfterMs = Math.max(1, Math.floor(opts.staleAfterMs));
    const deadline = Date.now() + Math.max(0, opts.timeoutMs);
    const pollMs = Math.max(10, Math.min(250, Math.floor(staleAfterMs / 5)));
    const token = randomUUID();
    const me = { holder, host: hostname(), pid: process.pid };
    let lastHolder: Holder | undefined;
    for (;;) {
      const current = await this.withMaster('acquire start lock', (lease) => this.tryTake(lease, key, token, me, staleAfterMs));
      if (!current) break;
      lastHolder = current;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StoreError(
          `start lock ${key}: still held by ${lastHolder.holder} (host ${lastHolder.host}, pid ${lastHolder.pid}) ` +
            `after ${opts.timeoutMs} ms`,
        );
      }
      await sleep(Math.min(pollMs, left));
    }
    const lock = new HeldLock(key, token, staleAfterMs, this.withMaster, this.logger, () => this.held.delete(lock));
    this.held.add(lock);
    this.logger?.info({ key, holder }, 'start lock acquired');
    return lock;
  }

  /** Stops every heartbeat without releasing: an unreleased lock goes stale like a dead holder's. */
  stopAll(): void {
    for (const lock of [...this.held]) lock.stop();
    this.held.clear();
  }

  /** One attempt: resolves undefined when taken, else the live holder. */
  private async tryTake(
    lease: Lease,
    key: string,
    token: string,
    me: Holder,
    staleAfterMs: number,
  ): Promise<Holder | undefined> {
    const rows = await lease.rows(SQL.get, [key]);
    if (rows.length === 0) {
      try {
        await lease.exec(SQL.insert, [key, me.holder, token, me.host, me.pid]);
        return undefined;
      } catch (err) {
        if (classify(err) !== 'duplicate') throw err;
        // Another process inserted first: it is the holder now.
        return this.tryTake(lease, key, token, me, staleAfterMs);
      }
    }
    const [holder, host, pid, oldToken, heartbeat, now] = rows[0] as [string, string, number, string, number, number];
    const current = { holder, host, pid: Number(pid) };
    const silentMs = Number(now) - Number(heartbeat);
    if (silentMs <= staleAfterMs) return current;
    const res = await lease.exec(SQL.takeOver, [me.holder, token, me.host, me.pid, key, oldToken, staleAfterMs]);
    if (res.affectedRows === 0) return current;
    this.logger?.warn(
      { key, holder: me.holder, staleHolder: holder, staleHost: host, stalePid: pid, silentMs },
      'took over a stale start lock',
    );
    return undefined;
  }
}

class HeldLock implements StartLock {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly key: string,
    private readonly token: string,
    staleAfterMs: number,
    private readonly withMaster: WithMaster,
    private readonly logger: Logger | undefined,
    private readonly onDone: () => void,
  ) {
    const every = Math.max(1, Math.floor(staleAfterMs / 3));
    // One beat at a time: the timer is re-armed only after the previous beat settled.
    this.timer = setTimeout(() => void this.beat(), every);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.withMaster('start lock heartbeat', (lease) => lease.exec(SQL.beat, [this.key, this.token]));
      if (res.affectedRows === 0 && !this.stopped) {
        this.logger?.warn({ key: this.key }, 'start lock was taken over by another holder');
        this.stop();
        return;
      }
    } catch (err) {
      if (!this.stopped) this.logger?.warn({ key: this.key, err }, 'start lock heartbeat failed');
    }
    if (!this.stopped) this.timer?.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onDone();
  }

  async release(): Promise<void> {
    if (this.stopped) return;
    this.stop();
    await this.withMaster('release start lock', (lease) => lease.exec(SQL.release, [this.key, this.token]));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
