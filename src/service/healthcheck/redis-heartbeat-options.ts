import { parseDuration } from '../../bootstrap/config/duration.js';

/**
 * Options of the `heartbeatRedis` plugin, read from `healthcheck.checkers[].option` with the JSON
 * names of polaris-server's `common/redispool.Config` (grpc.md §8.5). As in Go's encoding/json, keys
 * match case-insensitively (an exact match wins), durations are Go duration strings ("300ms", "2m")
 * or bare numbers of NANOSECONDS, and unknown keys are ignored (reported as warnings).
 *
 * Used: kvAddr, kvUser, kvPasswd, DB, withTLS, connectTimeout, msgTimeout (readTimeout/writeTimeout
 * override it when larger), maxRetry, compatible, plus two options of ours:
 * - `keyTtl` (default "1h", at least "3m"): the expiry set on every key. Upstream wrote keys without
 *   one and Redis grew forever (field-lessons #8). A key only needs to outlive the largest expire
 *   window (3 × 60 s max TTL = 180 s): a key that expired was already an expired beat. With the
 *   default, Redis holds the live instances plus those that died within the last hour.
 * - `batchSize` (default 1000): keys per MGET / DEL command.
 *
 * Accepted and validated for compatibility but without effect (one pipelined connection replaces
 * go-redis's pool and polaris's worker goroutines; the health checker already batches):
 * poolSize, minIdleConns, idleTimeout, concurrency, minBatchCount, waitTime, maxRetries,
 * poolTimeout, maxConnAge, maxIdle, username (old name of kvUser, used when kvUser is absent).
 *
 * Rejected: deployMode `sentinel` / `cluster` (not supported yet).
 */
export interface RedisHeartbeatOptions {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  tls: boolean;
  connectTimeoutMs: number;
  /** Reply timeout of a call (msgTimeout, or the larger of readTimeout/writeTimeout when set). */
  commandTimeoutMs: number;
  /** Extra attempts of failed SET/DEL commands (reads are never retried: the checker retries). */
  maxRetry: number;
  compatible: boolean;
  keyTtlMs: number;
  batchSize: number;
}

export const REDIS_HEARTBEAT_DEFAULTS = Object.freeze({
  db: 0,
  connectTimeoutMs: 300,
  commandTimeoutMs: 300,
  maxRetry: 2,
  compatible: false,
  keyTtlMs: 3_600_000,
  batchSize: 1000,
});

/** The largest TTL an instance may declare is 60 s, so the largest expire window is 180 s. */
export const MIN_KEY_TTL_MS = 3 * 60_000;

const KNOWN = [
  'deployMode',
  'kvAddr',
  'kvUser',
  'kvPasswd',
  'DB',
  'withTLS',
  'connectTimeout',
  'msgTimeout',
  'readTimeout',
  'writeTimeout',
  'maxRetry',
  'compatible',
  'keyTtl',
  'batchSize',
  // accepted, no effect
  'poolSize',
  'minIdleConns',
  'idleTimeout',
  'concurrency',
  'minBatchCount',
  'waitTime',
  'maxRetries',
  'poolTimeout',
  'maxConnAge',
  'maxIdle',
  'username',
] as const;

/** Sentinel / cluster keys: only meaningful with a deployMode we reject. */
const OTHER_MODES = [
  'masterName',
  'addrs',
  'sentinelUsername',
  'sentinelPassword',
  'SlaveOnly',
  'UseDisconnectedSlaves',
  'Addrs',
  'ReadOnly',
  'RouteByLatency',
  'RouteRandomly',
];

class OptionReader {
  private readonly byLower = new Map<string, string[]>();
  readonly used = new Set<string>();

  constructor(private readonly option: Record<string, unknown>) {
    for (const k of Object.keys(option)) {
      const lower = k.toLowerCase();
      const list = this.byLower.get(lower);
      if (list) list.push(k);
      else this.byLower.set(lower, [k]);
    }
  }

  /** [actual key, value], exact match first, then case-insensitive (Go encoding/json). */
  get(name: string): [string, unknown] | undefined {
    if (Object.prototype.hasOwnProperty.call(this.option, name)) {
      this.used.add(name);
      return [name, this.option[name]];
    }
    const keys = this.byLower.get(name.toLowerCase());
    if (!keys || keys.length === 0) return undefined;
    if (keys.length > 1) bad(keys.join('/'), `is given ${keys.length} times with different letter case`);
    const key = keys[0] as string;
    this.used.add(key);
    return [key, this.option[key]];
  }

  unknownKeys(): string[] {
    const known = new Set([...KNOWN, ...OTHER_MODES].map((k) => k.toLowerCase()));
    return Object.keys(this.option).filter((k) => !known.has(k.toLowerCase()));
  }
}

function bad(key: string, msg: string): never {
  throw new Error(`healthcheck checker heartbeatRedis: option ${key} ${msg}`);
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}

function readString(r: OptionReader, name: string): string | undefined {
  const e = r.get(name);
  if (!e || isAbsent(e[1])) return undefined;
  if (typeof e[1] !== 'string') bad(e[0], `must be a string, got ${JSON.stringify(e[1])}`);
  return e[1];
}

function readBool(r: OptionReader, name: string, def: boolean): boolean {
  const e = r.get(name);
  if (!e || isAbsent(e[1])) return def;
  if (typeof e[1] !== 'boolean') bad(e[0], `must be true or false, got ${JSON.stringify(e[1])}`);
  return e[1];
}

function readInt(r: OptionReader, name: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const e = r.get(name);
  if (!e || isAbsent(e[1])) return def;
  const v = e[1];
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(e[0], `must be an integer, got ${JSON.stringify(v)}`);
  if (v < min || v > max) bad(e[0], `must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** Milliseconds; a Go duration string, or a number of nanoseconds as polaris-server reads it. */
function readDuration(
  r: OptionReader,
  name: string,
  def: number | undefined,
  opts: { minMs?: number; allowNegative?: boolean } = {},
): number | undefined {
  const e = r.get(name);
  if (!e || isAbsent(e[1])) return def;
  const [key, v] = e;
  let ms: number;
  if (typeof v === 'string') {
    try {
      ms = parseDuration(v);
    } catch {
      bad(key, `must be a duration such as "300ms" or "2m", got ${JSON.stringify(v)}`);
    }
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    ms = v / 1e6;
  } else {
    bad(key, `must be a duration such as "300ms" or "2m", got ${JSON.stringify(v)}`);
  }
  if (ms < 0 && !opts.allowNegative) bad(key, `must not be negative, got ${JSON.stringify(v)}`);
  if (opts.minMs !== undefined && ms >= 0 && ms < opts.minMs) {
    const hint =
      typeof v === 'number'
        ? ` (a bare number is nanoseconds, as in polaris-server; write a duration such as "${v}ms")`
        : '';
    bad(key, `must be at least ${opts.minMs} ms, got ${JSON.stringify(v)}${hint}`);
  }
  return ms;
}

/** "host:port", "[v6]:port", or a bare host (port 6379). */
export function parseKvAddr(addr: string): { host: string; port: number } {
  const text = addr.trim();
  if (text === '') bad('kvAddr', 'is empty');
  if (/^[a-z]+:\/\//i.test(text)) bad('kvAddr', `must be host:port, not a URL: ${JSON.stringify(addr)}`);
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1] as string;
    portText = v6[2];
  } else {
    const i = text.lastIndexOf(':');
    if (i >= 0 && text.indexOf(':') !== i) {
      bad('kvAddr', `an IPv6 address must be written [addr]:port, got ${JSON.stringify(addr)}`);
    }
    host = i >= 0 ? text.slice(0, i) : text;
    portText = i >= 0 ? text.slice(i + 1) : undefined;
  }
  if (host === '') bad('kvAddr', `has no host: ${JSON.stringify(addr)}`);
  let port = 6379;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      bad('kvAddr', `has an invalid port: ${JSON.stringify(addr)}`);
    }
    port = Number(portText);
  }
  return { host, port };
}

export interface ParsedRedisHeartbeatOptions {
  options: RedisHeartbeatOptions;
  /** Keys ignored (unknown, or meaningless for the standalone mode). */
  warnings: string[];
}

/** Validates the plugin option map; throws an Error naming the first bad option. */
export function parseRedisHeartbeatOptions(option: Record<string, unknown> | undefined | null): ParsedRedisHeartbeatOptions {
  if (option !== undefined && option !== null && (typeof option !== 'object' || Array.isArray(option))) {
    throw new Error('healthcheck checker heartbeatRedis: option must be a map');
  }
  const r = new OptionReader(option ?? {});
  const warnings: string[] = [];

  const mode = readString(r, 'deployMode') ?? '';
  if (mode === 'sentinel' || mode === 'cluster') {
    bad('deployMode', `"${mode}" is not supported yet; use a standalone Redis (deployMode "standalone")`);
  }
  if (mode !== '' && mode !== 'standalone') {
    bad('deployMode', `must be "standalone" (sentinel and cluster are not supported yet), got ${JSON.stringify(mode)}`);
  }

  const kvAddr = readString(r, 'kvAddr');
  if (kvAddr === undefined) bad('kvAddr', 'is required (host:port of the Redis server)');
  const { host, port } = parseKvAddr(kvAddr);

  const kvUser = readString(r, 'kvUser') ?? readString(r, 'username');
  const kvPasswd = readString(r, 'kvPasswd');
  if (kvUser && !kvPasswd) bad('kvPasswd', 'is required when kvUser is set');

  const db = readInt(r, 'DB', REDIS_HEARTBEAT_DEFAULTS.db, 0, 65535);
  const tls = readBool(r, 'withTLS', false);
  const compatible = readBool(r, 'compatible', REDIS_HEARTBEAT_DEFAULTS.compatible);

  const connectTimeoutMs = readDuration(r, 'connectTimeout', REDIS_HEARTBEAT_DEFAULTS.connectTimeoutMs, { minMs: 1 }) as number;
  const msgTimeoutMs = readDuration(r, 'msgTimeout', REDIS_HEARTBEAT_DEFAULTS.commandTimeoutMs, { minMs: 1 }) as number;
  const readTimeoutMs = readDuration(r, 'readTimeout', undefined, { allowNegative: true });
  const writeTimeoutMs = readDuration(r, 'writeTimeout', undefined, { allowNegative: true });
  const overrides = [readTimeoutMs, writeTimeoutMs].filter((v): v is number => v !== undefined && v > 0);
  const commandTimeoutMs = overrides.length > 0 ? Math.max(...overrides) : msgTimeoutMs;
  if (commandTimeoutMs < 1) bad('readTimeout', `must be at least 1 ms, got ${commandTimeoutMs} ms`);

  const maxRetry = readInt(r, 'maxRetry', REDIS_HEARTBEAT_DEFAULTS.maxRetry, 0, 10);

  const keyTtlMs = readDuration(r, 'keyTtl', REDIS_HEARTBEAT_DEFAULTS.keyTtlMs) as number;
  if (keyTtlMs < MIN_KEY_TTL_MS) {
    bad('keyTtl', `must be at least "3m" (the largest expire window, 3 × 60 s TTL), got ${keyTtlMs} ms`);
  }
  const batchSize = readInt(r, 'batchSize', REDIS_HEARTBEAT_DEFAULTS.batchSize, 1, 100_000);

  // Accepted for compatibility; validated so a typo'd value is still reported.
  readInt(r, 'poolSize', 200, 1);
  readInt(r, 'minIdleConns', 30, 0);
  readInt(r, 'maxIdle', 200, 0);
  readInt(r, 'concurrency', 200, 1);
  readInt(r, 'minBatchCount', 10, 0);
  readInt(r, 'maxRetries', 3, -1);
  readDuration(r, 'idleTimeout', undefined, { allowNegative: true });
  readDuration(r, 'waitTime', undefined);
  readDuration(r, 'poolTimeout', undefined);
  readDuration(r, 'maxConnAge', undefined);

  for (const k of r.unknownKeys()) warnings.push(`unknown option ${k} ignored`);
  for (const name of OTHER_MODES) {
    const e = r.get(name);
    if (e && !isAbsent(e[1])) warnings.push(`option ${e[0]} only applies to sentinel/cluster modes; ignored`);
  }

  return {
    options: {
      host,
      port,
      username: kvUser || undefined,
      password: kvPasswd || undefined,
      db,
      tls,
      connectTimeoutMs,
      commandTimeoutMs,
      maxRetry,
      compatible,
      keyTtlMs: Math.round(keyTtlMs),
      batchSize,
    },
    warnings,
  };
}
