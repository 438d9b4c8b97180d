import { createPool, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';
import type { Logger } from 'pino';
import { QUERY_TIMEOUT, breaksConnection, describe } from './mysql-errors.js';

/** Where and how to connect: one of master or slave, already validated. */
export interface Endpoint {
  role: 'master' | 'slave';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionLimit: number;
  maxIdle: number;
  /** Connections older than this are closed when released (connMaxLifetime). */
  lifetimeMs: number;
}

/** Per-session settings applied once to every new connection. */
export interface SessionSettings {
  /** e.g. '+05:30' or 'Asia/Shanghai'; the server's default when absent. */
  timeZone?: string;
  lockWaitTimeoutS: number;
  /** SQL isolation level of write transactions, e.g. 'READ COMMITTED'. */
  isolation: string;
}

export interface Timeouts {
  connectMs: number;
  queryMs: number;
  /** Longest wait for a free pooled connection. */
  acquireMs: number;
}

/** The connection charset: utf8mb4 with the binary collation of the tables, for literals too. */
export const CHARSET = 'UTF8MB4_BIN';

interface ConnState {
  createdAt: number;
  ready: boolean;
}

/**
 * A mysql2 pool plus what it lacks: a bounded wait for a connection, session settings applied on
 * first use, a maximum connection lifetime, query timeouts, and connections that failed (or were
 * returned inside an open transaction) destroyed instead of pooled.
 */
export class DbPool {
  private readonly states = new WeakMap<object, ConnState>();

  private constructor(
    readonly endpoint: Endpoint,
    private readonly pool: Pool,
    private readonly settings: SessionSettings,
    readonly timeouts: Timeouts,
    private readonly logger: Logger | undefined,
  ) {}

  static create(endpoint: Endpoint, settings: SessionSettings, timeouts: Timeouts, logger?: Logger): DbPool {
    const pool = createPool({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password: endpoint.password,
      database: endpoint.database,
      charset: CHARSET,
      connectionLimit: endpoint.connectionLimit,
      maxIdle: endpoint.maxIdle,
      idleTimeout: 60_000,
      connectTimeout: timeouts.connectMs,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
      waitForConnections: true,
      multipleStatements: false,
      decimalNumbers: true,
    });
    return new DbPool(endpoint, pool, settings, timeouts, logger);
  }

  get role(): string {
    return this.endpoint.role;
  }

  /** A connection of its own until `release()`; rejects after `acquireMs` instead of queueing forever. */
  async acquire(): Promise<Lease> {
    const conn = await this.getConnection();
    const core = conn.connection as unknown as object;
    let state = this.states.get(core);
    if (!state) {
      state = { createdAt: Date.now(), ready: false };
      this.states.set(core, state);
      // A server-side close of an idle connection is reported as an 'error' event; the pool
      // drops the connection on the first one, this listener keeps a second from crashing us.
      conn.connection.on('error', (err: unknown) => {
        this.logger?.debug({ role: this.role, err: describe(err) }, 'mysql connection closed');
      });
    }
    const lease = new Lease(this, conn, state.createdAt);
    if (!state.ready) {
      try {
        await lease.query(this.sessionSql());
        await lease.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${this.settings.isolation}`);
        state.ready = true;
      } catch (err) {
        lease.markBroken();
        lease.release();
        throw err;
      }
    }
    return lease;
  }

  async end(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private sessionSql(): string {
    const sets = [`SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.floor(this.settings.lockWaitTimeoutS))}`];
    if (this.settings.timeZone) sets.push(`SESSION time_zone = ${this.pool.escape(this.settings.timeZone)}`);
    return `SET ${sets.join(', ')}`;
  }

  private getConnection(): Promise<PoolConnection> {
    return new Promise<PoolConnection>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        const err = new Error(`no ${this.role} connection free within ${this.timeouts.acquireMs} ms`);
        reject(Object.assign(err, { code: 'POOL_ACQUIRE_TIMEOUT' }));
      }, this.timeouts.acquireMs);
      this.pool.getConnection().then(
        (conn) => {
          if (settled) {
            conn.release();
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(conn);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Called by Lease.release. */
  giveBack(conn: PoolConnection, createdAt: number, reusable: boolean): void {
    if (reusable && Date.now() - createdAt < this.endpoint.lifetimeMs) {
      conn.release();
    } else {
      conn.destroy();
    }
  }
}

/** One borrowed connection. Rows come back as arrays. */
export class Lease {
  private broken = false;
  private inTx = false;
  private released = false;

  constructor(
    private readonly pool: DbPool,
    private readonly conn: PoolConnection,
    private readonly createdAt: number,
  ) {}

  /** The server's id of this session (for diagnostics and tests). */
  get threadId(): number {
    return this.conn.threadId;
  }

  /**
   * Runs one statement. The timeout is ours rather than mysql2's (whose timer outlives a lost
   * connection): when it fires the connection is destroyed, since the statement may still be
   * running on it.
   */
  async query(sql: string, values?: unknown[], timeoutMs?: number): Promise<unknown> {
    const ms = timeoutMs ?? this.pool.timeouts.queryMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.broken = true;
        this.conn.destroy();
        reject(Object.assign(new Error(`statement timed out after ${ms} ms`), { code: QUERY_TIMEOUT }));
      }, ms);
    });
    try {
      const [result] = await Promise.race([this.conn.query({ sql, values, rowsAsArray: true }), expired]);
      return result;
    } catch (err) {
      if (breaksConnection(err)) this.broken = true;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async rows(sql: string, values?: unknown[], timeoutMs?: number): Promise<unknown[][]> {
    return (await this.query(sql, values, timeoutMs)) as unknown[][];
  }

  async exec(sql: string, values?: unknown[]): Promise<ResultSetHeader> {
    return (await this.query(sql, values)) as ResultSetHeader;
  }

  /** Starts a transaction; until commit or rollback succeed the connection is not pooled again. */
  async begin(sql = 'START TRANSACTION'): Promise<void> {
    this.inTx = true;
    await this.query(sql);
  }

  async commit(): Promise<void> {
    await this.query('COMMIT');
    this.inTx = false;
  }

  /** Rolls back; never throws (a failed rollback only means the connection is not reused). */
  async rollback(): Promise<void> {
    if (this.broken) return;
    try {
      await this.query('ROLLBACK');
      this.inTx = false;
    } catch {
      this.broken = true;
    }
  }

  markBroken(): void {
    this.broken = true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.giveBack(this.conn, this.createdAt, !this.broken && !this.inTx);
  }
}
