import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Lifecycle } from '../common/lifecycle.js';
import type { Instance } from '../common/model/naming.js';
import { systemClock, type Clock } from '../common/timewheel/clock.js';
import { newId } from '../common/utils/ids.js';
import type { Store } from '../store/api.js';
import { BatchController, type BatchConfig } from './batch/batch-controller.js';
import type { HeartbeatSink } from './client-ops.js';
import { HealthChecker, type HealthChange } from './healthcheck/health-checker.js';
import type { HeartbeatStore } from './healthcheck/heartbeat-store.js';

/** Beats an unknown instance id may send before it is answered 400202 (polaris: more than 3). */
const UNKNOWN_BEATS_ALLOWED = 3;
const UNKNOWN_TRACK_LIMIT = 100_000;

export interface HealthServiceConfig {
  slotNum: number;
  minCheckIntervalMs: number;
  maxCheckIntervalMs: number;
  /** healthcheck.batch.heartbeat: how health flips are written. */
  batch: BatchConfig;
}

/**
 * Connects the health checker to the naming data: tracks instances with health checks as the
 * cache sees them, records beats, and writes health flips through the heartbeat batch controller.
 */
export class HealthService implements HeartbeatSink, Lifecycle {
  private readonly checker: HealthChecker;
  private readonly writes: BatchController<HealthChange, void>;
  private readonly unknownBeats = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: { store: Store; cache: NamingReader; heartbeats: HeartbeatStore; logger: Logger; clock?: Clock },
    config: HealthServiceConfig,
  ) {
    this.writes = new BatchController<HealthChange, void>(
      {
        name: 'heartbeat',
        key: (c) => c.id,
        duplicates: 'merge',
        logger: deps.logger,
        handler: async (changes) => {
          await deps.store.setInstancesHealth(changes.map((c) => ({ id: c.id, healthy: c.healthy, revision: newId() })));
          await deps.cache.waitFor(await deps.store.currentSeq());
          return changes.map(() => undefined);
        },
      },
      config.batch,
    );
    this.checker = new HealthChecker(
      {
        clock: deps.clock ?? systemClock,
        store: deps.heartbeats,
        logger: deps.logger,
        instances: {
          get: (id) => {
            const inst = deps.cache.instance(id);
            return inst
              ? { id, healthy: inst.healthy, enableHealthCheck: inst.enableHealthCheck, ttlSec: inst.healthCheck?.ttl ?? 5, isolate: inst.isolate }
              : undefined;
          },
        },
        onHealthChange: async (changes) => {
          await Promise.all(changes.map((c) => this.writes.submit(c)));
          deps.logger.info({ unhealthy: changes.filter((c) => !c.healthy).length, healthy: changes.filter((c) => c.healthy).length }, 'health status changed');
        },
      },
      { slotNum: config.slotNum, minCheckIntervalMs: config.minCheckIntervalMs, maxCheckIntervalMs: config.maxCheckIntervalMs },
    );
  }

  async start(): Promise<void> {
    await this.writes.start();
    for (const inst of this.deps.cache.instances()) if (inst.enableHealthCheck) this.checker.track(toChecked(inst), 'load');
    this.unsubscribe = this.deps.cache.onChange((change) => {
      for (const inst of change.upsertedInstances) {
        if (!inst.enableHealthCheck) {
          if (this.checker.isTracked(inst.id)) this.checker.untrack(inst.id);
          continue;
        }
        this.checker.track(toChecked(inst), this.checker.isTracked(inst.id) ? 'load' : 'register');
        this.unknownBeats.delete(inst.id);
      }
      for (const inst of change.deletedInstances) this.checker.untrack(inst.id);
    });
    await this.checker.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.checker.stop();
    await this.writes.stop();
  }

  async beat(instanceId: string): Promise<boolean> {
    const inst = this.deps.cache.instance(instanceId);
    if (!inst) {
      const n = (this.unknownBeats.get(instanceId) ?? 0) + 1;
      if (this.unknownBeats.size >= UNKNOWN_TRACK_LIMIT) this.unknownBeats.clear();
      this.unknownBeats.set(instanceId, n);
      if (n > UNKNOWN_BEATS_ALLOWED) return false;
    } else {
      this.unknownBeats.delete(instanceId);
    }
    await this.checker.heartbeat(instanceId, inst?.healthCheck?.ttl);
    return true;
  }

  trackedCount(): number {
    return this.checker.trackedCount();
  }
}

function toChecked(inst: Instance) {
  return { id: inst.id, healthy: inst.healthy, enableHealthCheck: inst.enableHealthCheck, ttlSec: inst.healthCheck?.ttl ?? 5, isolate: inst.isolate };
}
