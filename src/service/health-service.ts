import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Lifecycle } from '../common/lifecycle.js';
import type { Instance } from '../common/model/naming.js';
import { systemClock, type Clock } from '../common/timewheel/clock.js';
import { newId } from '../common/utils/ids.js';
import type { Store } from '../store/api.js';
import { BatchController, type BatchConfig } from './batch/batch-controller.js';
import type { HeartbeatSink } from './client-ops.js';
import { CheckerRing } from './healthcheck/checker-ring.js';
import { HealthChecker, type HealthChange, type HealthCheckerStats } from './healthcheck/health-checker.js';
import type { HeartbeatStore } from './healthcheck/heartbeat-store.js';

/**
 * Metadata key on this cluster's own checker instances naming the node that registered them, so a
 * node registering several ports still counts once on the ring.
 */
export const NODE_ID_KEY = 'polaris_node_id';

/**
 * Beats an unknown instance id is answered 200000 before 400202 (the id may still be on its way
 * through a cache). polaris keeps a per-id count of such beats and refuses once the count of
 * beats already seen exceeds 3: the first four pass, the fifth is refused.
 */
const UNKNOWN_BEATS_ALLOWED = 4;
const UNKNOWN_TRACK_LIMIT = 100_000;
/**
 * Tick of the check wheel. A check runs at most two ticks after it is due (deadline rounded up to
 * a tick, then the next tick of the loop), so a quarter second keeps an instance's flip within
 * ~0.5 s of 3×TTL after its last beat; a 1 s tick let it slip by 2 s and more.
 */
const CHECK_TICK_MS = 250;

export interface HealthServiceConfig {
  /** healthcheck.service: the service whose instances are this cluster's checker nodes. */
  checkerService: { namespace: string; name: string };
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
  private ring = new CheckerRing([]);
  private self: string | undefined;

  constructor(
    private readonly deps: { store: Store; cache: NamingReader; heartbeats: HeartbeatStore; logger: Logger; clock?: Clock },
    private readonly config: HealthServiceConfig,
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
        owns: (id) => this.owns(id),
        onHealthChange: async (changes) => {
          await Promise.all(changes.map((c) => this.writes.submit(c)));
          deps.logger.info({ unhealthy: changes.filter((c) => !c.healthy).length, healthy: changes.filter((c) => c.healthy).length }, 'health status changed');
        },
      },
      {
        slotNum: config.slotNum,
        minCheckIntervalMs: config.minCheckIntervalMs,
        maxCheckIntervalMs: config.maxCheckIntervalMs,
        tickMs: CHECK_TICK_MS,
      },
    );
  }

  async start(): Promise<void> {
    await this.writes.start();
    for (const inst of this.deps.cache.instances()) if (inst.enableHealthCheck) this.checker.track(toChecked(inst), 'load');
    this.rebuildRing();
    this.unsubscribe = this.deps.cache.onChange((change) => {
      const checker = this.checkerServiceId();
      if (checker && change.services.has(checker)) this.rebuildRing();
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

  /**
   * This node's identity on the checker ring (the NODE_ID_KEY metadata of its own instances). Until it
   * is set, or while the ring does not contain it, this node checks everything.
   */
  setSelf(nodeId: string): void {
    this.self = nodeId;
    this.rebuildRing();
  }

  /** The nodes currently sharing the checks. */
  checkerNodes(): readonly string[] {
    return this.ring.nodes;
  }

  private checkerServiceId(): string | undefined {
    const { namespace, name } = this.config.checkerService;
    return this.deps.cache.service(namespace, name)?.id;
  }

  /** Healthy, non-isolated checker instances form the ring (polaris's rule). */
  private rebuildRing(): void {
    const id = this.checkerServiceId();
    const nodes: string[] = [];
    if (id) {
      for (const i of this.deps.cache.instancesOf(id)) {
        if (i.healthy && !i.isolate) nodes.push(i.metadata[NODE_ID_KEY] ?? `${i.host}:${i.port}`);
      }
    }
    const before = this.ring.nodes.join(',');
    this.ring = new CheckerRing(nodes);
    if (this.ring.nodes.join(',') !== before) this.deps.logger.info({ nodes: this.ring.nodes }, 'health-check ring changed');
  }

  private owns(instanceId: string): boolean {
    if (!this.self || !this.ring.nodes.includes(this.self)) return true;
    // The checker nodes' own instances are checked by every node: a dead node cannot check itself.
    const inst = this.deps.cache.instance(instanceId);
    const checker = this.checkerServiceId();
    if (inst && checker && inst.serviceId === checker) return true;
    return this.ring.ownerOf(instanceId) === this.self;
  }

  trackedCount(): number {
    return this.checker.trackedCount();
  }

  /** The checker's backlog and lag (metrics). */
  stats(): HealthCheckerStats {
    return this.checker.stats();
  }
}

function toChecked(inst: Instance) {
  return { id: inst.id, healthy: inst.healthy, enableHealthCheck: inst.enableHealthCheck, ttlSec: inst.healthCheck?.ttl ?? 5, isolate: inst.isolate };
}
