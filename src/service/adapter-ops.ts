import type { NamingReader } from '../cache/api.js';
import type { Instance as WireInstance } from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Store } from '../store/api.js';
import type { AdapterOps, InstancePatch } from './api.js';
import { instanceToDiscoverWire } from './convert.js';
import { applyInstanceUpdate } from './instance-write.js';

/** The calls protocol adapters with their own registry view need (see AdapterOps). */
export class DefaultAdapterOps implements AdapterOps {
  constructor(private readonly deps: { store: Store; cache: NamingReader }) {}

  async getInstance(ctx: RequestContext, id: string): Promise<WireInstance | undefined> {
    const inst = this.deps.cache.instance(id);
    return inst ? instanceToDiscoverWire(inst) : undefined;
  }

  async patchInstance(ctx: RequestContext, id: string, patch: InstancePatch): Promise<ItemResult<WireInstance>> {
    try {
      const changed = await this.deps.store.transaction(async (tx) => {
        const [cur] = await tx.getInstances([id]);
        if (!cur) throw new PolarisError(Code.NotFoundInstance, id);
        const metadata = { ...cur.metadata, ...(patch.setMetadata ?? {}) };
        for (const k of patch.removeMetadata ?? []) delete metadata[k];
        const next = applyInstanceUpdate(cur, { isolate: patch.isolate, metadata }, Date.now());
        if (next) await tx.upsertInstances([next]);
        return next !== undefined;
      });
      if (!changed) return ok({ id }, Code.NoNeedUpdate);
      await this.deps.cache.waitFor(await this.deps.store.currentSeq());
      return ok({ id });
    } catch (err) {
      return failed(err, { id });
    }
  }

  onInstancesChange(listener: (namespaces: ReadonlySet<string>) => void): () => void {
    return this.deps.cache.onChange((change) => {
      const namespaces = new Set<string>();
      for (const i of change.upsertedInstances) namespaces.add(i.namespace);
      for (const i of change.deletedInstances) namespaces.add(i.namespace);
      for (const id of change.services) {
        const svc = this.deps.cache.serviceById(id);
        namespaces.add(svc ? svc.namespace : '*');
      }
      if (namespaces.size > 0) listener(namespaces);
    });
  }
}
