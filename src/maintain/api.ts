import type { RequestContext } from '../common/lifecycle.js';
import type { HostConnStat } from '../common/conn-limit.js';

/**
 * The maintain module's front door: health for orchestrators and the `/maintain/v1` operations
 * (polaris `admin/api.go`). Answers are the plain JSON shapes polaris writes (PascalCase keys where
 * polaris has them); failures throw MaintainError (HTTP 400 + text in the adapter).
 */

export interface HealthCheckResult {
  ok: boolean;
  detail?: string;
}

export interface HealthReport {
  status: 'UP' | 'DOWN';
  checks: Record<string, HealthCheckResult>;
}

export interface HealthProbe {
  liveness(): HealthReport;
  readiness(): Promise<HealthReport>;
}

/** A refused maintain operation: the adapter writes `status` with `message` as plain text. */
export class MaintainError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'MaintainError';
  }
}

export interface ConnCountView {
  Protocol: string;
  Total: number;
  Host: Record<string, number>;
}

export interface ConnStatsView {
  Protocol: string;
  ActiveConnTotal: number;
  StatsTotal: number;
  StatsSize: number;
  /** polaris-ts: connections refused by the limit since start. */
  RefusedTotal: number;
  Stats: HostConnStat[];
}

export interface ConnCloseRequest {
  Protocol?: string;
  Host?: string;
  Port?: number;
  Amount?: number;
}

/** An instance named by id or by its tetrad (`/instance/clean`, `/instance/heartbeat`). */
export interface InstanceKey {
  id?: string;
  service?: string;
  namespace?: string;
  host?: string;
  port?: number;
  vpc_id?: string;
}

export interface HeartbeatView {
  id: string;
  /** Last beat, epoch seconds (0 when the checker holds none). */
  lastHeartbeatSec: number;
  exist: boolean;
}

export interface LeaderView {
  ElectKey: string;
  Host: string;
  Ctime: number;
  CreateTime: string;
  Mtime: number;
  ModifyTime: string;
  Valid: boolean;
}

export interface LogLevelView {
  Name: string;
  Level: string;
}

export interface MaintainOps {
  connections(protocol: string, host?: string): ConnCountView;
  connStats(protocol: string, host?: string, amount?: number): ConnStatsView;
  closeConnections(reqs: readonly ConnCloseRequest[]): number;
  /** A memory-reducing collection (polaris: debug.FreeOSMemory); one at a time. */
  freeMemory(): Promise<void>;
  /** Hard-deletes one soft-deleted instance; resolves its id and whether a row went away. */
  cleanInstance(ctx: RequestContext, key: InstanceKey): Promise<{ id: string; removed: boolean }>;
  batchCleanInstances(batchSize: number): Promise<number>;
  lastHeartbeat(key: InstanceKey): Promise<HeartbeatView>;
  logLevels(): LogLevelView[];
  /** Applies at once; throws MaintainError on an unknown scope or level. */
  setLogLevel(scope: string, level: string): void;
  leaders(): LeaderView[];
  releaseLeader(electKey: string): Promise<void>;
  cmdbInfo(): unknown[];
  serverFunctions(): Array<{ Name: string; Functions: string[] }>;
  pprofEnabled(): boolean;
  setPprof(enable: boolean): void;
}
