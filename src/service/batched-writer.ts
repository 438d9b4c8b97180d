import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { Instance as WireInstance } from '../common/api/gen/wire.js';
import type { ItemResult } from '../common/errors/batch.js';
import type { Lifecycle, RequestContext } from '../common/lifecycle.js';
import type { Store } from '../store/api.js';
import { BatchController, type BatchConfig } from './batch/batch-controller.js';
import type { InstanceWriter } from './client-ops.js';
import type { DefaultInstanceOps } from './instance-ops.js';
import type { InstanceKey } from './instance-write.js';

type RegisterReq = { ctx: RequestContext; item: { req: WireInstance; key: InstanceKey } };

/**
 * SDK registrations and deregistrations through batch controllers (naming.batch.register /
 * deregister): concurrent calls coalesce into one store transaction, each caller gets its own answer.
 */
export class BatchedInstanceWriter implements InstanceWriter, Lifecycle {
  private readonly registers: BatchController<RegisterReq, ItemResult<WireInstance>>;
  private readonly deregisters: BatchController<string, void>;
  private readonly registerObservers = new Set<(ms: number) => void>();

  constructor(
    deps: { store: Store; cache: NamingReader; instances: DefaultInstanceOps; logger: Logger },
    config: { register: BatchConfig; deregister: BatchConfig },
  ) {
    this.registers = new BatchController<RegisterReq, ItemResult<WireInstance>>(
      {
        name: 'register',
        key: (r) => r.item.key.id,
        logger: deps.logger,
        onAnswered: (ms) => {
          for (const fn of this.registerObservers) fn(ms);
        },
        handler: async (reqs) => deps.instances.upsert(reqs[0].ctx, reqs.map((r) => r.item)),
      },
      config.register,
    );
    this.deregisters = new BatchController<string, void>(
      {
        name: 'deregister',
        key: (id) => id,
        duplicates: 'merge',
        logger: deps.logger,
        handler: async (ids) => {
          await deps.store.deleteInstances(ids);
          await deps.cache.waitFor(await deps.store.currentSeq());
          return ids.map(() => undefined);
        },
      },
      config.deregister,
    );
  }

  register(ctx: RequestContext, item: { req: WireInstance; key: InstanceKey }): Promise<ItemResult<WireInstance>> {
    return this.registers.submit({ ctx, item });
  }

  deregister(ctx: RequestContext, id: string): Promise<void> {
    return this.deregisters.submit(id);
  }

  /** Batched registrations: ms from submission to answer, told per registration (metrics). */
  observeRegisterCost(fn: (ms: number) => void): () => void {
    this.registerObservers.add(fn);
    return () => this.registerObservers.delete(fn);
  }

  /** Registrations dropped since start for waiting past the register batch's task life. */
  droppedRegisters(): number {
    return this.registers.stats().dropped;
  }

  /** Requests waiting in each batch queue (metrics). */
  queued(): { register: number; deregister: number } {
    return { register: this.registers.stats().queued, deregister: this.deregisters.stats().queued };
  }

  async start(): Promise<void> {
    await this.registers.start();
    await this.deregisters.start();
  }

  async stop(): Promise<void> {
    await this.registers.stop();
    await this.deregisters.stop();
  }
}
