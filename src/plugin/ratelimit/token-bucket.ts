import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import type { ApiRateLimit } from '../api.js';

/**
 * polaris' `token-bucket` rate-limit plugin: a bucket per client IP (`ip-limit`), per API
 * (`api-limit`, rules named and bound to `METHOD:/path` or gRPC method names) and per service
 * (`instance-limit`, keyed by `namespace/service` of the calls that name one). `bucket` is the
 * burst, `rate` the tokens added per second. Keys live in an LRU of `resource-cache-amount`.
 */

export interface BucketSpec {
  open: boolean;
  bucket: number;
  rate: number;
}

export interface TokenBucketConfig {
  enable: boolean;
  ip: { open: boolean; global: BucketSpec; cacheAmount: number; whiteList: string[] };
  api: { open: boolean; rules: Map<string, BucketSpec>; apis: Map<string, string> };
  service: { open: boolean; global: BucketSpec; cacheAmount: number };
}

const OFF: BucketSpec = { open: false, bucket: 0, rate: 0 };

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

function bucketOf(v: unknown, defaults: BucketSpec): BucketSpec {
  const o = obj(v);
  return { open: bool(o.open, defaults.open), bucket: num(o.bucket, defaults.bucket), rate: num(o.rate, defaults.rate) };
}

/**
 * Reads `plugin.ratelimit.option`: the v1.12 inline form (`ip-limit`, `api-limit`,
 * `instance-limit`) or HEAD's `rule-file` holding the same keys (relative to the config directory).
 * `enable` defaults to true when inline rules are given (v1.12 had no switch), false otherwise.
 */
export function parseTokenBucketOption(option: Raw, confDir: string): TokenBucketConfig {
  let rules: Raw = option;
  const file = option['rule-file'];
  const inline = 'ip-limit' in option || 'api-limit' in option || 'instance-limit' in option;
  const enable = bool(option.enable, inline);
  if (enable && typeof file === 'string' && file !== '' && !inline) {
    const path = isAbsolute(file) ? file : join(confDir, file);
    rules = obj(parse(readFileSync(path, 'utf8')));
  }
  const ip = obj(rules['ip-limit']);
  const api = obj(rules['api-limit']);
  const inst = obj(rules['instance-limit']);
  const ruleMap = new Map<string, BucketSpec>();
  for (const r of Array.isArray(api.rules) ? api.rules : []) {
    const o = obj(r);
    if (typeof o.name === 'string') ruleMap.set(o.name, bucketOf(o.limit, { open: true, bucket: 0, rate: 0 }));
  }
  const apis = new Map<string, string>();
  for (const a of Array.isArray(api.apis) ? api.apis : []) {
    const o = obj(a);
    if (typeof o.name === 'string' && typeof o.rule === 'string') apis.set(o.name, o.rule);
  }
  const white = ip['white-list'];
  return {
    enable,
    ip: {
      open: bool(ip.open, false),
      global: bucketOf(ip.global, { open: true, bucket: 300, rate: 200 }),
      cacheAmount: num(ip['resource-cache-amount'], 1024),
      whiteList: (Array.isArray(white) ? white : typeof white === 'string' ? white.split(',') : []).map(String).map((s) => s.trim()),
    },
    api: { open: bool(api.open, false), rules: ruleMap, apis },
    service: {
      open: bool(inst.open, false),
      global: bucketOf(inst.global, { open: true, bucket: 200, rate: 100 }),
      cacheAmount: num(inst['resource-cache-amount'], 1024),
    },
  };
}

class Bucket {
  private tokens: number;
  private last: number;

  constructor(private readonly spec: BucketSpec, now: number) {
    this.tokens = spec.bucket;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.spec.bucket, this.tokens + ((now - this.last) / 1000) * this.spec.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Buckets by key, least recently used dropped beyond `max`. */
class BucketLru {
  private readonly map = new Map<string, Bucket>();

  constructor(private readonly max: number) {}

  take(key: string, spec: BucketSpec, now: number): boolean {
    let b = this.map.get(key);
    if (b) this.map.delete(key);
    else b = new Bucket(spec, now);
    this.map.set(key, b);
    if (this.map.size > Math.max(1, this.max)) this.map.delete(this.map.keys().next().value as string);
    return b.take(now);
  }
}

export class TokenBucketRateLimit implements ApiRateLimit {
  private config!: TokenBucketConfig;
  private ips!: BucketLru;
  private services!: BucketLru;
  private apis!: BucketLru;
  private white!: Set<string>;

  constructor(
    config: TokenBucketConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.update(config);
  }

  /** Reload: new rules start with full buckets. */
  update(config: TokenBucketConfig): void {
    this.config = config;
    this.ips = new BucketLru(config.ip.cacheAmount);
    this.services = new BucketLru(config.service.cacheAmount);
    this.apis = new BucketLru(config.api.rules.size + 1);
    this.white = new Set(config.ip.whiteList);
  }

  enabled(): boolean {
    return this.config.enable;
  }

  check(call: { ip: string; api: string; service?: string }): PolarisCode | undefined {
    const c = this.config;
    if (!c.enable) return undefined;
    const now = this.now();
    if (c.ip.open && c.ip.global.open && !this.white.has(call.ip) && !this.ips.take(call.ip, c.ip.global, now)) {
      this.log.debug({ ip: call.ip, api: call.api }, 'call refused by the per-IP rate limit');
      return Code.IPRateLimit;
    }
    if (c.api.open) {
      const ruleName = c.api.apis.get(call.api);
      const rule = ruleName === undefined ? undefined : c.api.rules.get(ruleName);
      if (ruleName !== undefined && rule?.open && !this.apis.take(ruleName, rule, now)) {
        this.log.debug({ api: call.api, rule: ruleName }, 'call refused by the per-API rate limit');
        return Code.APIRateLimit;
      }
    }
    return call.service ? this.takeService(call.service, call.api, now) : undefined;
  }

  limitsServices(): boolean {
    const c = this.config;
    return c.enable && c.service.open && c.service.global.open;
  }

  checkService(call: { api: string; service: string }): PolarisCode | undefined {
    return this.config.enable ? this.takeService(call.service, call.api, this.now()) : undefined;
  }

  private takeService(service: string, api: string, now: number): PolarisCode | undefined {
    const c = this.config.service;
    if (!c.open || !c.global.open || this.services.take(service, c.global, now)) return undefined;
    this.log.debug({ service, api }, 'call refused by the per-service rate limit');
    return Code.InstanceTooManyRequests;
  }
}

export const DISABLED_RATE_LIMIT: TokenBucketConfig = {
  enable: false,
  ip: { open: false, global: OFF, cacheAmount: 1, whiteList: [] },
  api: { open: false, rules: new Map(), apis: new Map() },
  service: { open: false, global: OFF, cacheAmount: 1 },
};
