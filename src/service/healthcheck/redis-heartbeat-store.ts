import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { HeartbeatRecord, HeartbeatStore } from './heartbeat-store.js';
import { parseRedisHeartbeatOptions, type RedisHeartbeatOptions } from './redis-heartbeat-options.js';

export { parseRedisHeartbeatOptions, type RedisHeartbeatOptions } from './redis-heartbeat-options.js';

export interface RedisHeartbeatStoreDeps {
  logger: Logger;
  /** This node's host, written into every beat (`<timeSec>:<serverHost>|<count>`). */
  serverHost: string;
}

/** Key prefix of polaris-server's redis checker (none in `compatible` mode). */
export const HEARTBEAT_KEY_PREFIX = 'hb_';

/** Backoff between retries of failed SET/DEL commands, as upstream (30 ms). */
const RETRY_BACKOFF_MS = 30;
/** Reply-time allowance per key on top of msgTimeout (10k keys: +500 ms). */
const TIMEOUT_PER_KEY_MS = 0.05;
/** A connection that has owed replies for this long without sending a byte is dropped and redialled. */
const MIN_SOCKET_TIMEOUT_MS = 2000;

type Cmd = (string | number)[];

/** Keys a command touches (SET: one; MGET/DEL: all arguments). */
function keysOf(cmd: Cmd): number {
  return cmd[0] === 'set' ? 1 : cmd.length - 1;
}

/** Redis key of an instance's beat. */
export function heartbeatKey(instanceId: string, compatible: boolean): string {
  return compatible ? instanceId : HEARTBEAT_KEY_PREFIX + instanceId;
}

/**
 * Value of a beat, exactly as polaris-server writes it: `<timeSec>:<serverHost>|<count>`, or
 * `1:<timeSec>:<serverHost>|<count>` in compatible mode. `count` is polaris's "beats of an unknown
 * instance" counter, which is 0 for an instance the cache knows; the contract has no such counter,
 * so 0 is written.
 */
export function encodeHeartbeatValue(lastBeatMs: number, serverHost: string, compatible: boolean, count = 0): string {
  const sec = Math.floor(lastBeatMs / 1000);
  return compatible ? `1:${sec}:${serverHost}|${count}` : `${sec}:${serverHost}|${count}`;
}

/** Parses a beat value; undefined when it is not in the expected format. */
export function decodeHeartbeatValue(
  value: string,
  compatible: boolean,
): { lastBeatMs: number; serverHost: string; count: number } | undefined {
  let rest = value;
  if (compatible) {
    const i = rest.indexOf(':');
    if (i < 0) return undefined;
    rest = rest.slice(i + 1);
  }
  const sep = rest.indexOf(':');
  if (sep <= 0) return undefined;
  const secText = rest.slice(0, sep);
  if (!/^-?[0-9]+$/.test(secText)) return undefined;
  const sec = Number(secText);
  if (!Number.isSafeInteger(sec)) return undefined;
  let serverHost = rest.slice(sep + 1);
  let count = 0;
  const bar = serverHost.lastIndexOf('|');
  if (bar > 0) {
    const countText = serverHost.slice(bar + 1);
    if (countText !== '') {
      if (!/^-?[0-9]+$/.test(countText)) return undefined;
      count = Number(countText);
    }
    serverHost = serverHost.slice(0, bar);
  }
  return { lastBeatMs: sec * 1000, serverHost, count };
}

/** A minute without a failure ends a burst (polaris-server resets its failure gauges then). */
const FAILURE_QUIET_MS = 60_000;

/** One settled call to Redis: which operation, whether it succeeded, and how long it took. */
export interface RedisCall {
  op: 'put' | 'get' | 'delete';
  ok: boolean;
  ms: number;
}

/** The connection is down (or the store closed): nothing was sent, and retrying now is pointless. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `heartbeatRedis`: last beats in a (standalone) Redis shared by every node, in polaris-server's
 * wire format (grpc.md §8.5), so polaris-server and polaris-ts nodes can share one Redis as long
 * as they agree on `compatible`.
 *
 * - `put`: one pipeline of `SET key value PX keyTtl` (one round trip per call). Unlike upstream,
 *   every key expires (option `keyTtl`, default 1 h), so Redis holds live instances only.
 * - `get`: `MGET` of `batchSize` keys per command, all pipelined (one round trip).
 * - `delete`: `DEL` of `batchSize` keys per command, pipelined.
 * - Times are stored in whole unix seconds (as upstream): a beat reads back floored to the second.
 * - Failure handling: one ioredis connection, no offline queue and no resending of unanswered
 *   commands (a SET resent after a reconnect could overwrite a newer beat from another node).
 *   Each call's replies must arrive within `msgTimeout` (+ 0.05 ms per key) of the write, else it
 *   rejects; a connection owing replies that stays silent for max(2 s, 4 × msgTimeout) is dropped
 *   (a hung server). While the connection is down, calls reject at once (or after at most
 *   `connectTimeout` while a connection attempt is in flight). Failed SET/DEL commands are retried
 *   `maxRetry` times after 30 ms, unless the connection is down; reads are not (the checker
 *   retries). The connection is re-established in the background (backoff 50 ms → 2 s).
 *
 * Not done (unlike upstream): `SADD servers <host>` at start and the per-node check sets; nothing
 * reads them, and they would be keys without expiry.
 */
export class RedisHeartbeatStore implements HeartbeatStore {
  readonly name = 'heartbeatRedis';
  readonly options: Readonly<RedisHeartbeatOptions>;
  private readonly client: Redis;
  private readonly log: Logger;
  private readonly serverHost: string;
  private closed = false;
  private connected = false;
  private lastErrorLogMs = 0;
  private counters = { roundTrips: 0, failedCalls: 0 };
  /** Failed reads / writes of the current burst (failures less than a minute apart), for metrics. */
  private readonly bursts = { read: { n: 0, lastMs: 0 }, write: { n: 0, lastMs: 0 } };
  private readonly callObservers = new Set<(call: RedisCall) => void>();

  constructor(options: RedisHeartbeatOptions, deps: RedisHeartbeatStoreDeps) {
    if (!deps.serverHost || /\s/.test(deps.serverHost)) {
      throw new Error(`heartbeatRedis: invalid serverHost ${JSON.stringify(deps.serverHost)}`);
    }
    this.options = Object.freeze({ ...options });
    this.serverHost = deps.serverHost;
    this.log = deps.logger.child({ scope: 'heartbeatRedis' });
    const redisOptions: RedisOptions = {
      host: options.host,
      port: options.port,
      username: options.username,
      password: options.password,
      db: options.db,
      tls: options.tls ? { servername: options.host, minVersion: 'TLSv1.2' } : undefined,
      connectTimeout: options.connectTimeoutMs,
      // Reply deadlines are per call (see execSettled), armed once the pipeline is written: ioredis'
      // commandTimeout starts while a large pipeline is still being built and could fire spuriously.
      // A hung server is detected by the socket timeout, which drops and redials the connection.
      socketTimeout: Math.max(MIN_SOCKET_TIMEOUT_MS, 4 * options.commandTimeoutMs),
      // Commands never wait for a connection: a down Redis rejects at once, and nothing written
      // before an outage is replayed after it (it could overwrite newer beats).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: options.maxRetry,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 6), 2000),
      // RESP2 works with every Redis version polaris-server supports.
      protocol: 2,
      disableClientInfo: true,
      connectionName: `polaris-ts-heartbeat`,
    };
    this.client = new Redis(redisOptions);
    this.client.on('ready', () => {
      this.connected = true;
      this.log.info({ addr: this.addr() }, 'connected to redis');
    });
    this.client.on('close', () => {
      if (this.connected && !this.closed) this.log.warn({ addr: this.addr() }, 'redis connection lost; reconnecting');
      this.connected = false;
    });
    this.client.on('error', (err: Error) => {
      // ioredis emits one error per failed attempt; log at most every 10 s.
      const now = Date.now();
      if (now - this.lastErrorLogMs >= 10_000) {
        this.lastErrorLogMs = now;
        this.log.warn({ err: err.message, addr: this.addr() }, 'redis error');
      }
    });
  }

  private addr(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  private key(id: string): string {
    return heartbeatKey(id, this.options.compatible);
  }

  /** True while the connection is up. */
  isAvailable(): boolean {
    return this.client.status === 'ready';
  }

  /** Pipelines executed (one round trip each) and calls that rejected, since creation. */
  stats(): { roundTrips: number; failedCalls: number; status: string } {
    return { ...this.counters, status: this.client.status };
  }

  /**
   * Failed reads (`get`) and writes (`put`, `delete`) as polaris-server's redis_read_failure /
   * redis_write_failure gauges count them: failures of the current burst, back to 0 once a minute
   * has passed without one.
   */
  recentFailures(now = Date.now()): { read: number; write: number } {
    const of = (b: { n: number; lastMs: number }) => (now - b.lastMs > FAILURE_QUIET_MS ? 0 : b.n);
    return { read: of(this.bursts.read), write: of(this.bursts.write) };
  }

  /** Told of every call to Redis once it settles (metrics); returns the unsubscribe. */
  observeCalls(fn: (call: RedisCall) => void): () => void {
    this.callObservers.add(fn);
    return () => this.callObservers.delete(fn);
  }

  private settled(op: RedisCall['op'], t0: number, ok: boolean): void {
    if (!ok) {
      const b = op === 'get' ? this.bursts.read : this.bursts.write;
      const now = Date.now();
      if (now - b.lastMs > FAILURE_QUIET_MS) b.n = 0;
      b.n++;
      b.lastMs = now;
    }
    if (this.callObservers.size === 0) return;
    const call = { op, ok, ms: performance.now() - t0 };
    for (const fn of this.callObservers) fn(call);
  }

  /**
   * Waits until the connection is usable. Rejects at once while reconnecting after a failure, and
   * after `timeoutMs` (default connectTimeout) while an attempt is in flight.
   */
  async ready(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (this.closed || status === 'end') throw new RedisUnavailableError('heartbeatRedis: store closed');
    if (status === 'reconnecting' || status === 'close') {
      throw new RedisUnavailableError(`heartbeatRedis: redis ${this.addr()} unavailable (reconnecting)`);
    }
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onReady = (): void => done();
      const onClose = (): void =>
        done(new RedisUnavailableError(`heartbeatRedis: redis ${this.addr()} unavailable (connection failed)`));
      const timer = setTimeout(
        () => done(new RedisUnavailableError(`heartbeatRedis: redis ${this.addr()} not connected within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.client.on('ready', onReady);
      this.client.on('close', onClose);
    });
  }

  /**
   * Waits (up to `timeoutMs`, default 10 s) for the first connection, for a start-up check.
   * Unlike `ready`, keeps waiting through failed attempts.
   */
  /**
   * Redis' own clock (TIME), as epoch ms: the shared time base of the nodes' heartbeat stamps,
   * so beats written by a node with a skewed clock are not read as coming from the future.
   */
  async serverTimeMs(): Promise<number> {
    const [sec, usec] = (await this.client.time()) as [string | number, string | number];
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }

  async waitConnected(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.client.status === 'ready') return;
      if (this.closed) throw new RedisUnavailableError('heartbeatRedis: store closed');
      if (Date.now() >= deadline) {
        throw new Error(`heartbeatRedis: redis ${this.addr()} not reachable within ${timeoutMs} ms`);
      }
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
  }

  async put(records: readonly HeartbeatRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ttl = this.options.keyTtlMs;
    const cmds: Cmd[] = records.map((r) => [
      'set',
      this.key(r.id),
      encodeHeartbeatValue(r.lastBeatMs, this.serverHost, this.options.compatible),
      'PX',
      ttl,
    ]);
    await this.timed('put', () => this.runWithRetries('put', cmds));
  }

  /** Runs one call, telling observers (and the failure bursts) how it went. */
  private async timed<T>(op: RedisCall['op'], run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const out = await run();
      this.settled(op, t0, true);
      return out;
    } catch (err) {
      this.settled(op, t0, false);
      throw err;
    }
  }

  async get(ids: readonly string[]): Promise<Map<string, HeartbeatRecord>> {
    const found = new Map<string, HeartbeatRecord>();
    if (ids.length === 0) return found;
    const size = this.options.batchSize;
    const cmds: string[][] = [];
    for (let i = 0; i < ids.length; i += size) {
      const keys = ids.slice(i, i + size).map((id) => this.key(id));
      cmds.push(['mget', ...keys]);
    }
    let results: unknown[];
    try {
      results = await this.timed('get', () => this.exec(cmds, ids.length));
    } catch (err) {
      this.counters.failedCalls++;
      throw err;
    }
    let malformed = 0;
    let example: string | undefined;
    for (let c = 0; c < results.length; c++) {
      const values = results[c];
      if (!Array.isArray(values)) throw new Error('heartbeatRedis: unexpected MGET reply');
      const base = c * size;
      for (let j = 0; j < values.length; j++) {
        const v: unknown = values[j];
        if (v === null || v === undefined) continue;
        const id = ids[base + j] as string;
        const parsed = typeof v === 'string' ? decodeHeartbeatValue(v, this.options.compatible) : undefined;
        if (!parsed) {
          malformed++;
          example ??= `${this.key(id)}=${String(v).slice(0, 80)}`;
          continue;
        }
        found.set(id, { id, lastBeatMs: parsed.lastBeatMs });
      }
    }
    if (malformed > 0) {
      this.log.warn({ malformed, example, compatible: this.options.compatible }, 'ignoring malformed heartbeat values');
    }
    return found;
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const size = this.options.batchSize;
    const cmds: string[][] = [];
    for (let i = 0; i < ids.length; i += size) {
      cmds.push(['del', ...ids.slice(i, i + size).map((id) => this.key(id))]);
    }
    await this.timed('delete', () => this.runWithRetries('delete', cmds));
  }

  /** Disconnects; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  /** Runs idempotent write commands; failed ones are retried `maxRetry` times. */
  private async runWithRetries(op: string, cmds: Cmd[]): Promise<void> {
    let pending = cmds;
    for (let attempt = 0; ; attempt++) {
      let failed: Cmd[] = [];
      let firstError: unknown;
      try {
        const settled = await this.execSettled(pending, pending.reduce((n, c) => n + keysOf(c), 0));
        for (let i = 0; i < settled.length; i++) {
          const err = settled[i]?.[0];
          if (err) {
            failed.push(pending[i] as Cmd);
            firstError ??= err;
          }
        }
      } catch (err) {
        failed = pending;
        firstError = err;
      }
      if (failed.length === 0) return;
      if (attempt >= this.options.maxRetry || this.closed || firstError instanceof RedisUnavailableError) {
        this.counters.failedCalls++;
        const reason = firstError instanceof Error ? firstError.message : String(firstError);
        throw new Error(`heartbeatRedis ${op}: ${failed.length} of ${cmds.length} commands failed: ${reason}`, {
          cause: firstError,
        });
      }
      pending = failed;
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** One pipeline; rejects on the first failed command. */
  private async exec(cmds: Cmd[], keyCount: number): Promise<unknown[]> {
    const settled = await this.execSettled(cmds, keyCount);
    return settled.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /**
   * One pipeline (one round trip): per-command [error, result]. Rejects when the replies are not
   * all in within msgTimeout (+ 0.05 ms per key) of the write.
   */
  private async execSettled(cmds: Cmd[], keyCount: number): Promise<[Error | null, unknown][]> {
    await this.ready();
    this.counters.roundTrips++;
    const replies = this.client.pipeline(cmds).exec();
    const deadlineMs = Math.ceil(this.options.commandTimeoutMs + keyCount * TIMEOUT_PER_KEY_MS);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`heartbeatRedis: redis ${this.addr()} command timed out after ${deadlineMs} ms`)),
        deadlineMs,
      );
    });
    try {
      const results = await Promise.race([replies, timeout]);
      if (!results) throw new RedisUnavailableError('heartbeatRedis: pipeline discarded');
      return results as [Error | null, unknown][];
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Builds the `heartbeatRedis` store from `healthcheck.checkers[].option`. Throws an Error naming
 * the bad option; warns about ignored ones. Connects in the background; see `waitConnected`.
 */
export function createRedisHeartbeatStore(
  option: Record<string, unknown> | undefined,
  deps: RedisHeartbeatStoreDeps,
): RedisHeartbeatStore {
  const { options, warnings } = parseRedisHeartbeatOptions(option);
  for (const w of warnings) deps.logger.warn({ plugin: 'heartbeatRedis' }, w);
  return new RedisHeartbeatStore(options, deps);
}
