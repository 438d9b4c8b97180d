import type { ConnLimiter, ConnLimiters } from '../common/conn-limit.js';
import type { RequestContext } from '../common/lifecycle.js';
import { instanceId } from '../common/utils/ids.js';
import {
  MaintainError,
  type ConnCloseRequest,
  type ConnCountView,
  type ConnStatsView,
  type HeartbeatView,
  type InstanceKey,
  type LeaderView,
  type LogLevelView,
  type MaintainOps,
} from './api.js';
import type { MemoryReclaimer } from './memory-reclaim.js';

/** A cluster role this node holds or held (the start lock, the health-check ring, …). */
export interface RoleSource {
  roles(): LeaderView[];
  /** Releases the role named `electKey`; false when this node holds no such role. */
  release?(electKey: string): Promise<boolean>;
}

export interface MaintainDeps {
  limiters: ConnLimiters;
  logLevels: {
    levels(): Array<{ scope: string; level: string }>;
    /** Throws with a readable message on an unknown scope or level. */
    setLevel(scope: string, level: string): void;
  };
  tombstones: {
    /** Hard-deletes the tombstone of one instance this node's cache has applied; resolves rows removed. */
    purgeInstance(id: string): Promise<number>;
    /** Hard-deletes tombstones older than `olderThanMs` this node's cache has applied. */
    purgeOlderThan(olderThanMs: number): Promise<number>;
  };
  heartbeats?: { get(ids: readonly string[]): Promise<Map<string, { lastBeatMs: number }>> };
  roles: RoleSource[];
  serverFunctions: () => Array<{ Name: string; Functions: string[] }>;
  /** The `enablePprof` start value; the maintain toggle changes it at run time. */
  pprof: boolean;
  memory: Pick<MemoryReclaimer, 'reclaim'>;
}

/** polaris' batchclean horizon: only tombstones older than 10 minutes go. */
const BATCH_CLEAN_AGE_MS = 10 * 60_000;

function resolveId(key: InstanceKey): string {
  if (key.id) return key.id;
  if (!key.service || !key.namespace || !key.host || key.port === undefined || !Number.isFinite(Number(key.port))) {
    throw new MaintainError('instance id or service, namespace, host and port are required');
  }
  return instanceId(key.namespace, key.service, key.host, Number(key.port), key.vpc_id ?? '');
}

/** The `/maintain/v1` operations (polaris `admin.AdminOperateServer`). */
export class MaintainService implements MaintainOps {
  private pprof: boolean;

  constructor(private readonly deps: MaintainDeps) {
    this.pprof = deps.pprof;
  }

  private limiter(protocol: string): ConnLimiter {
    if (!protocol) throw new MaintainError('protocol is required');
    const l = this.deps.limiters.find(protocol);
    if (!l) throw new MaintainError(`not found the protocol: ${protocol}`);
    return l;
  }

  connections(protocol: string, host?: string): ConnCountView {
    const l = this.limiter(protocol);
    const { total, hosts } = l.counts(host || undefined);
    return { Protocol: l.name, Total: total, Host: hosts };
  }

  connStats(protocol: string, host?: string, amount?: number): ConnStatsView {
    const l = this.limiter(protocol);
    const s = l.stats(host || undefined, amount);
    return {
      Protocol: l.name,
      ActiveConnTotal: s.active,
      StatsTotal: l.trackedHosts(),
      StatsSize: s.stats.length,
      RefusedTotal: s.refused,
      Stats: s.stats,
    };
  }

  closeConnections(reqs: readonly ConnCloseRequest[]): number {
    for (const r of reqs) {
      if (!r.Protocol || !r.Host) throw new MaintainError('Protocol and Host are required');
      this.limiter(r.Protocol);
    }
    let n = 0;
    for (const r of reqs) n += this.limiter(r.Protocol as string).close(r.Host as string, r.Port, r.Amount);
    return n;
  }

  async freeMemory(): Promise<void> {
    await this.deps.memory.reclaim('request');
  }

  async cleanInstance(_ctx: RequestContext, key: InstanceKey): Promise<{ id: string; removed: boolean }> {
    const id = resolveId(key);
    const n = await this.deps.tombstones.purgeInstance(id);
    return { id, removed: n > 0 };
  }

  async batchCleanInstances(batchSize: number): Promise<number> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new MaintainError('batch_size must be a positive integer');
    return this.deps.tombstones.purgeOlderThan(BATCH_CLEAN_AGE_MS);
  }

  async lastHeartbeat(key: InstanceKey): Promise<HeartbeatView> {
    const id = resolveId(key);
    const records = this.deps.heartbeats ? await this.deps.heartbeats.get([id]) : new Map<string, { lastBeatMs: number }>();
    const r = records.get(id);
    return { id, lastHeartbeatSec: r ? Math.floor(r.lastBeatMs / 1000) : 0, exist: r !== undefined };
  }

  logLevels(): LogLevelView[] {
    return this.deps.logLevels.levels().map((l) => ({ Name: l.scope, Level: l.level }));
  }

  setLogLevel(scope: string, level: string): void {
    try {
      this.deps.logLevels.setLevel(scope, level);
    } catch (err) {
      throw new MaintainError(err instanceof Error ? err.message : String(err));
    }
  }

  leaders(): LeaderView[] {
    return this.deps.roles.flatMap((r) => r.roles());
  }

  async releaseLeader(electKey: string): Promise<void> {
    if (!electKey) throw new MaintainError('electKey is required');
    for (const r of this.deps.roles) if (r.release && (await r.release(electKey))) return;
    throw new MaintainError(`this node holds no leader election ${electKey}`);
  }

  cmdbInfo(): unknown[] {
    // No CMDB plugin is configured in this server: the location table is empty.
    return [];
  }

  serverFunctions(): Array<{ Name: string; Functions: string[] }> {
    return this.deps.serverFunctions();
  }

  pprofEnabled(): boolean {
    return this.pprof;
  }

  setPprof(enable: boolean): void {
    this.pprof = enable;
  }
}

/** A role in polaris' leader-election shape. */
export function leaderView(electKey: string, host: string, since: number, changed: number, valid: boolean): LeaderView {
  return {
    ElectKey: electKey,
    Host: host,
    Ctime: Math.floor(since / 1000),
    CreateTime: new Date(since).toISOString(),
    Mtime: Math.floor(changed / 1000),
    ModifyTime: new Date(changed).toISOString(),
    Valid: valid,
  };
}
