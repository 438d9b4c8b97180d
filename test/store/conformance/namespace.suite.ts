import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import { isEpochMs, makeNamespace, makeService, withStore, withoutTimes, type StoreFactory } from './fixtures.js';

export function describeNamespaceSuite(factory: StoreFactory): void {
  describe('namespace', () => {
    it('get of an unknown name resolves undefined', () =>
      withStore(factory, async ({ store }) => {
        assert.equal(await store.getNamespace('no-such-namespace-x'), undefined);
      }));

    it('create then get round-trips every field; the store sets ctime and mtime', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace({ serviceExportTo: ['a', 'b'], metadata: { k: 'v', 'x.y': '1' } });
        await store.createNamespace(ns);
        const got = await store.getNamespace(ns.name);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(ns));
        assert.ok(isEpochMs(got.ctime), `ctime ${got.ctime}`);
        assert.ok(got.mtime >= got.ctime);
      }));

    it('create of a live name rejects with ExistedResource', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        await assert.rejects(store.createNamespace({ ...ns, comment: 'other' }), { code: Code.ExistedResource });
        assert.equal((await store.getNamespace(ns.name))?.comment, ns.comment);
      }));

    it('update changes the attributes and keeps ctime', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const created = await store.getNamespace(ns.name);
        assert.ok(created);
        const changed = { ...ns, comment: 'changed', owner: 'someone', serviceExportTo: ['z'], metadata: { a: 'b' } };
        await store.updateNamespace(changed);
        const got = await store.getNamespace(ns.name);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(changed));
        assert.equal(got.ctime, created.ctime);
        assert.ok(got.mtime >= created.mtime);
      }));

    it('update of a missing namespace rejects with NotFoundResource', () =>
      withStore(factory, async ({ store }) => {
        await assert.rejects(store.updateNamespace(makeNamespace()), { code: Code.NotFoundResource });
      }));

    it('delete resolves true once, then false; the namespace is gone', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        assert.equal(await store.deleteNamespace(ns.name), true);
        assert.equal(await store.getNamespace(ns.name), undefined);
        assert.equal(await store.deleteNamespace(ns.name), false);
        assert.equal(await store.deleteNamespace('never-existed-ns-x'), false);
        await assert.rejects(store.updateNamespace(ns), { code: Code.NotFoundResource });
      }));

    it('a deleted name can be created again with new attributes', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        await store.deleteNamespace(ns.name);
        const again = { ...ns, comment: 'second life', metadata: { life: '2' } };
        await store.createNamespace(again);
        const got = await store.getNamespace(ns.name);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(again));
        await assert.rejects(store.createNamespace(again), { code: Code.ExistedResource });
      }));

    it('countServicesInNamespace counts live services (aliases included) only', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        assert.equal(await store.countServicesInNamespace(ns.name), 0);
        const a = makeService(ns.name);
        const b = makeService(ns.name);
        await store.createService(a);
        await store.createService(b);
        await store.createService(makeService(ns.name, { reference: a.id, aliasType: 0 }));
        await store.createService(makeService(makeNamespace().name));
        assert.equal(await store.countServicesInNamespace(ns.name), 3);
        await store.deleteService(b.id);
        assert.equal(await store.countServicesInNamespace(ns.name), 2);
      }));

    it('delete does not check for contents', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const svc = makeService(ns.name);
        await store.createService(svc);
        assert.equal(await store.deleteNamespace(ns.name), true);
        assert.equal((await store.getServiceById(svc.id))?.id, svc.id);
      }));
  });
}
