import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';

/**
 * The connection limit every listener shares (polaris's `connLimit` listener): per-host and total
 * limits, a white list, live per-host counters whose idle entries are purged, and the views the
 * maintain API reads. Listeners hand each accepted socket to `admit`; a refused socket is destroyed
 * at once (the client sees the connection closed before any byte) and logged once per host per
 * purge interval.
 */

export interface ConnLimitSettings {
  /** Refuse over the limits; counting happens either way. */
  openConnLimit: boolean;
  /** Open connections per client IP (0 = unlimited). */
  maxConnPerHost: number;
  /** Open connections on the listener (< 1 = unlimited). */
  maxConnLimit: number;
  /** Client IPs never refused. */
  whiteList: readonly string[];
  /** How often idle host counters are purged (and how often a refusal per host is logged); ms. */
  purgeCounterInterval: number;
  /** A host counter without connections for this long is dropped; ms. */
  purgeCounterExpired: number;
}

export const DEFAULT_CONN_LIMIT: ConnLimitSettings = {
  openConnLimit: false,
  maxConnPerHost: 0,
  maxConnLimit: 0,
  whiteList: [],
  purgeCounterInterval: 10_000,
  purgeCounterExpired: 5_000,
};

interface HostCounter {
  sockets: Set<Socket>;
  lastAccess: number;
  refused: number;
  lastWarn: number;
}

export interface HostConnStat {
  Host: string;
  Amount: number;
  LastAccess: string;
  Refused: number;
}

/** The client IP of a socket, without the IPv4-mapped prefix. */
export function socketIp(socket: Socket): string {
  const ip = socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

export class ConnLimiter {
  private settings: ConnLimitSettings;
  private readonly hosts = new Map<string, HostCounter>();
  private white: Set<string>;
  private total = 0;
  private refusedTotal = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** The apiserver name (`api-http`, `service-grpc`, …). */
    readonly name: string,
    /** Its protocol (`http`, `grpc`, …); the maintain API accepts either. */
    readonly protocol: string,
    settings: Partial<ConnLimitSettings> | undefined,
    private readonly log: Logger,
  ) {
    this.settings = { ...DEFAULT_CONN_LIMIT, ...settings };
    this.white = new Set(this.settings.whiteList);
    this.schedulePurge();
  }

  /** Current settings (reload compares against them). */
  current(): Readonly<ConnLimitSettings> {
    return this.settings;
  }

  /** New limits apply to the next accepted connection; open connections stay. */
  update(settings: Partial<ConnLimitSettings>): void {
    const before = this.settings.purgeCounterInterval;
    this.settings = { ...this.settings, ...settings };
    this.white = new Set(this.settings.whiteList);
    if (this.settings.purgeCounterInterval !== before) this.schedulePurge();
  }

  /** Hooks a plain `net`/`http` server: every accepted socket goes through `admit`. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.admit(socket);
    });
  }

  /** Counts an accepted socket, or destroys it when it is over a limit. Resolves whether it was kept. */
  admit(socket: Socket): boolean {
    const ip = socketIp(socket);
    const now = Date.now();
    let host = this.hosts.get(ip);
    if (!host) {
      host = { sockets: new Set(), lastAccess: now, refused: 0, lastWarn: 0 };
      this.hosts.set(ip, host);
    }
    host.lastAccess = now;
    const s = this.settings;
    const over =
      s.openConnLimit &&
      !this.white.has(ip) &&
      ((s.maxConnLimit > 0 && this.total >= s.maxConnLimit) || (s.maxConnPerHost > 0 && host.sockets.size >= s.maxConnPerHost));
    if (over) {
      host.refused += 1;
      this.refusedTotal += 1;
      if (now - host.lastWarn >= s.purgeCounterInterval) {
        host.lastWarn = now;
        this.log.warn(
          { apiserver: this.name, conn: { ip, fromHost: host.sockets.size, total: this.total, refusedFromHost: host.refused } },
          'connection refused by the connection limit',
        );
      }
      socket.on('error', () => undefined);
      socket.destroy();
      return false;
    }
    this.total += 1;
    const h = host;
    h.sockets.add(socket);
    socket.once('close', () => {
      this.total -= 1;
      h.sockets.delete(socket);
      h.lastAccess = Date.now();
    });
    return true;
  }

  /** Open connections: total and per host (optionally one host only). */
  counts(host?: string): { total: number; hosts: Record<string, number> } {
    const out: Record<string, number> = {};
    for (const [ip, h] of this.hosts) {
      if (host && ip !== host) continue;
      if (h.sockets.size > 0) out[ip] = h.sockets.size;
    }
    return { total: this.total, hosts: out };
  }

  /** Per-host counters (including idle ones not purged yet), most connections first. */
  stats(host?: string, amount?: number): { active: number; refused: number; stats: HostConnStat[] } {
    const stats: HostConnStat[] = [];
    for (const [ip, h] of this.hosts) {
      if (host && ip !== host) continue;
      if (amount !== undefined && amount > 0 && h.sockets.size < amount) continue;
      stats.push({ Host: ip, Amount: h.sockets.size, LastAccess: new Date(h.lastAccess).toISOString(), Refused: h.refused });
    }
    stats.sort((a, b) => b.Amount - a.Amount || a.Host.localeCompare(b.Host));
    return { active: this.total, refused: this.refusedTotal, stats };
  }

  /** Host counters currently held (idle ones included until purged). */
  trackedHosts(): number {
    return this.hosts.size;
  }

  /**
   * Closes connections of a host: the one from `port` when given, else `amount` of them (all when
   * absent or 0). Resolves how many were closed.
   */
  close(host: string, port?: number, amount?: number): number {
    const h = this.hosts.get(host);
    if (!h) return 0;
    let closed = 0;
    for (const socket of [...h.sockets]) {
      if (port !== undefined && port > 0 && socket.remotePort !== port) continue;
      if (port === undefined && amount !== undefined && amount > 0 && closed >= amount) break;
      socket.destroy();
      closed += 1;
    }
    return closed;
  }

  /** Drops host counters that have no connection and saw none for `purgeCounterExpired`. */
  purgeIdle(now = Date.now()): number {
    let n = 0;
    for (const [ip, h] of this.hosts) {
      if (h.sockets.size === 0 && now - h.lastAccess >= this.settings.purgeCounterExpired) {
        this.hosts.delete(ip);
        n += 1;
      }
    }
    return n;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private schedulePurge(): void {
    this.stop();
    const every = this.settings.purgeCounterInterval > 0 ? this.settings.purgeCounterInterval : DEFAULT_CONN_LIMIT.purgeCounterInterval;
    this.timer = setInterval(() => this.purgeIdle(), every);
    this.timer.unref();
  }
}

/** Every listener's limiter, by apiserver name; the maintain API and reload read it. */
export class ConnLimiters {
  private readonly byName = new Map<string, ConnLimiter>();

  add(limiter: ConnLimiter): ConnLimiter {
    this.byName.get(limiter.name)?.stop();
    this.byName.set(limiter.name, limiter);
    return limiter;
  }

  /** By apiserver name, else the first listener of that protocol. */
  find(nameOrProtocol: string): ConnLimiter | undefined {
    const exact = this.byName.get(nameOrProtocol);
    if (exact) return exact;
    for (const l of this.byName.values()) if (l.protocol === nameOrProtocol) return l;
    return undefined;
  }

  all(): ConnLimiter[] {
    return [...this.byName.values()];
  }

  stopAll(): void {
    for (const l of this.byName.values()) l.stop();
  }
}
