import type { Logger } from 'pino';
import { ConnLimiter, ConnLimiters, type ConnLimitSettings } from '../common/conn-limit.js';
import type { LeaderView } from '../maintain/api.js';
import { leaderView, type RoleSource } from '../maintain/maintain-service.js';
import type { StartLock } from '../store/api.js';
import { DISABLED_RATE_LIMIT, parseTokenBucketOption, type TokenBucketConfig } from '../plugin/ratelimit/token-bucket.js';
import type { ApiServerName, ConnLimitConfig, ServerConfig } from './config/api.js';

/**
 * Wiring helpers of the operating surface: one connection limiter per configured listener, and
 * the cluster roles the maintain API reports.
 */

const PROTOCOL_OF: Record<ApiServerName, string> = {
  'api-http': 'http',
  'service-grpc': 'grpc',
  'config-grpc': 'grpc',
  'service-eureka': 'eureka',
  'xds-v3': 'xds',
  'service-nacos': 'nacos',
  'service-l5': 'l5',
  'prometheus-sd': 'http',
};

export function connSettings(c: ConnLimitConfig): ConnLimitSettings {
  return {
    openConnLimit: c.openConnLimit,
    maxConnPerHost: c.maxConnPerHost,
    maxConnLimit: c.maxConnLimit,
    whiteList: [...c.whiteList],
    purgeCounterInterval: c.purgeCounterInterval,
    purgeCounterExpired: c.purgeCounterExpired,
  };
}

/** A limiter for every `apiservers` entry (Eureka and xDS adapters find theirs by name). */
export function buildConnLimiters(config: ServerConfig, logger: Logger): ConnLimiters {
  const out = new ConnLimiters();
  for (const entry of config.apiservers) {
    out.add(new ConnLimiter(entry.name, PROTOCOL_OF[entry.name], connSettings(entry.option.connLimit), logger));
  }
  return out;
}

/** The start lock (`bootstrap.startInOrder`) as a leader election: held while this node starts. */
export class StartLockRole implements RoleSource {
  private lock: StartLock | undefined;
  private since = 0;
  private changed = 0;

  constructor(
    private readonly key: string,
    private readonly holder: string,
  ) {}

  get electKey(): string {
    return `StartLock:${this.key}`;
  }

  acquired(lock: StartLock): void {
    this.lock = lock;
    this.since = this.changed = Date.now();
  }

  async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    this.changed = Date.now();
    await lock?.release();
  }

  roles(): LeaderView[] {
    if (this.since === 0) return [];
    return [leaderView(this.electKey, this.holder, this.since, this.changed, this.lock !== undefined)];
  }

  async release(electKey: string): Promise<boolean> {
    if (electKey !== this.electKey || !this.lock) return false;
    await this.releaseLock();
    return true;
  }
}

/** The health-check ring: every healthy checker node owns a share of the instances. */
export function healthRingRole(ring: { checkerNodes(): readonly string[] }, startedAt: number): RoleSource {
  return {
    roles: () => ring.checkerNodes().map((node) => leaderView(`HealthCheckRing:${node}`, node, startedAt, Date.now(), true)),
  };
}

/** `plugin.ratelimit` (token-bucket) as configured; DISABLED when absent or switched off. */
export function rateLimitConfig(config: ServerConfig): TokenBucketConfig {
  const entry = config.plugin.ratelimit?.entries[0];
  if (!entry) return DISABLED_RATE_LIMIT;
  if (entry.name !== 'token-bucket') throw new Error(`plugin.ratelimit.name: ${entry.name} is not supported (token-bucket)`);
  try {
    return parseTokenBucketOption(entry.option as Record<string, unknown>, config.confDir);
  } catch (err) {
    throw new Error(`plugin.ratelimit: ${(err as Error).message}`, { cause: err });
  }
}
