import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import type { StoreTx } from '../../../src/store/api.js';
import { makeClient, makeInstance, makeNamespace, makeService, withStore, type StoreFactory } from './fixtures.js';

export function describeTxSuite(factory: StoreFactory): void {
  describe('transaction', () => {
    it('commits when fn resolves and resolves its value', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        const ins = makeInstance(svc);
        const out = await store.transaction(async (tx) => {
          await tx.createNamespace(ns);
          await tx.createService(svc);
          await tx.upsertInstances([ins]);
          return 42;
        });
        assert.equal(out, 42);
        assert.ok(await store.getNamespace(ns.name));
        assert.ok(await store.getServiceById(svc.id));
        assert.ok(await store.getInstance(ins.id));
      }));

    it('rolls back every write when fn rejects, and rejects with fn’s error', () =>
      withStore(factory, async ({ store }) => {
        const keep = makeNamespace();
        await store.createNamespace(keep);
        const svcKeep = makeService(keep.name);
        await store.createService(svcKeep);
        const since = await store.currentSeq();
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        const ins = makeInstance(svc);
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.createNamespace(ns);
            await tx.createService(svc);
            await tx.upsertInstances([ins]);
            await tx.updateNamespace({ ...keep, comment: 'must not stick' });
            await tx.deleteService(svcKeep.id);
            await tx.upsertClients([makeClient()]);
            throw boom;
          }),
          (err) => err === boom,
        );
        assert.equal(await store.getNamespace(ns.name), undefined);
        assert.equal(await store.getServiceById(svc.id), undefined);
        assert.equal(await store.getInstance(ins.id), undefined);
        assert.equal((await store.getNamespace(keep.name))?.comment, keep.comment);
        assert.ok(await store.getServiceById(svcKeep.id));
        const changes = await store.readChanges(since);
        const names = changes.namespaces.map((v) => v.value.name);
        assert.ok(!names.includes(ns.name) && !names.includes(keep.name));
        assert.ok(!changes.services.some((v) => v.value.id === svc.id || v.value.id === svcKeep.id));
        assert.ok(!changes.instances.some((v) => v.value.id === ins.id));
        // The store is usable afterwards.
        await store.createNamespace(ns);
        assert.ok(await store.getNamespace(ns.name));
      }));

    it('all writes of one transaction share one new sequence value', () =>
      withStore(factory, async ({ store }) => {
        const since = await store.currentSeq();
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        const ins = [makeInstance(svc), makeInstance(svc)];
        const client = makeClient();
        await store.transaction(async (tx) => {
          await tx.createNamespace(ns);
          await tx.createService(svc);
          await tx.upsertInstances([ins[0]]);
          await tx.upsertInstances([ins[1]]);
          await tx.upsertClients([client]);
        });
        const changes = await store.readChanges(since);
        const seqs = new Set<number>([
          ...changes.namespaces.filter((v) => v.value.name === ns.name).map((v) => v.seq),
          ...changes.services.filter((v) => v.value.id === svc.id).map((v) => v.seq),
          ...changes.instances.filter((v) => v.value.serviceId === svc.id).map((v) => v.seq),
          ...changes.clients.filter((v) => v.value.id === client.id).map((v) => v.seq),
        ]);
        assert.equal(changes.instances.filter((v) => v.value.serviceId === svc.id).length, 2);
        assert.equal(seqs.size, 1, `seqs ${[...seqs].join(',')}`);
        const [seq] = [...seqs];
        assert.ok(seq > since);
        assert.ok(changes.seq >= seq);
      }));

    it('sees its own writes; others see them only after commit', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let insideSaw: unknown;
        const pending = store.transaction(async (tx) => {
          await tx.createNamespace(ns);
          insideSaw = await tx.getNamespace(ns.name);
          await gate;
        });
        // Let the transaction reach the gate.
        for (let i = 0; i < 400 && insideSaw === undefined; i++) await new Promise((r) => setTimeout(r, 5));
        assert.ok(insideSaw, 'the transaction reads its own write');
        assert.equal(await store.getNamespace(ns.name), undefined, 'uncommitted data is invisible outside');
        release();
        await pending;
        assert.ok(await store.getNamespace(ns.name));
      }));

    it('a failed statement (duplicate) can be caught inside the transaction, which still commits', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const svc = makeService(ns.name);
        await store.transaction(async (tx) => {
          await assert.rejects(tx.createNamespace(ns), { code: Code.ExistedResource });
          await tx.createService(svc);
        });
        assert.ok(await store.getServiceById(svc.id));
      }));

    it('the handle is unusable once the transaction settled', () =>
      withStore(factory, async ({ store }) => {
        let leaked: StoreTx | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        assert.ok(leaked);
        await assert.rejects(leaked.createNamespace(makeNamespace()));
      }));

    it('concurrent transactions are isolated from each other', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const svc = makeService(ns.name);
        // Each transaction creates the service only if it is absent: exactly one may succeed.
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () =>
            store.transaction(async (tx) => {
              if (await tx.getService(svc.namespace, svc.name)) return 'skipped';
              await tx.createService(svc);
              return 'created';
            }),
          ),
        );
        const created = results.filter((r) => r.status === 'fulfilled' && r.value === 'created').length;
        const dup = results.filter(
          (r) => r.status === 'rejected' && (r.reason as { code?: number }).code === Code.ExistedResource,
        ).length;
        assert.equal(created, 1);
        assert.equal(created + dup + results.filter((r) => r.status === 'fulfilled' && r.value === 'skipped').length, 10);
      }));
  });
}
