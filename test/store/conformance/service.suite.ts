import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import {
  isEpochMs,
  makeInstance,
  makeNamespace,
  makeService,
  uniq,
  withStore,
  withoutTimes,
  type StoreFactory,
} from './fixtures.js';

export function describeServiceSuite(factory: StoreFactory): void {
  describe('service and alias', () => {
    it('get by name or id of an unknown service resolves undefined', () =>
      withStore(factory, async ({ store }) => {
        assert.equal(await store.getService('no-such-ns-x', 'no-such-svc-x'), undefined);
        assert.equal(await store.getServiceById('no-such-id-x'), undefined);
      }));

    it('create then get by name and by id round-trips every field', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'), { exportTo: ['ns-a'], metadata: { team: 'core', 'a.b': 'c' }, platformId: 'p1' });
        await store.createService(svc);
        const byName = await store.getService(svc.namespace, svc.name);
        const byId = await store.getServiceById(svc.id);
        assert.ok(byName && byId);
        assert.deepEqual(withoutTimes(byName), withoutTimes(svc));
        assert.deepEqual(byId, byName);
        assert.ok(isEpochMs(byName.ctime));
        assert.ok(byName.mtime >= byName.ctime);
      }));

    it('a live namespace+name is unique; the same name elsewhere is fine', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        await assert.rejects(store.createService({ ...svc, id: uniq('svc-id') }), { code: Code.ExistedResource });
        await store.createService({ ...svc, id: uniq('svc-id'), namespace: uniq('ns') });
      }));

    it('a live id is unique', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        await assert.rejects(store.createService({ ...svc, name: uniq('svc') }), { code: Code.ExistedResource });
      }));

    it('update changes the attributes and keeps id and ctime', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        const created = await store.getServiceById(svc.id);
        assert.ok(created);
        const changed = { ...svc, comment: 'new', owner: 'o2', ports: '80,443', revision: uniq('rev'), metadata: { x: 'y' } };
        await store.updateService(changed);
        const got = await store.getServiceById(svc.id);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(changed));
        assert.equal(got.ctime, created.ctime);
        assert.ok(got.mtime >= created.mtime);
      }));

    it('update of a missing or deleted service rejects with NotFoundResource', () =>
      withStore(factory, async ({ store }) => {
        await assert.rejects(store.updateService(makeService(uniq('ns'))), { code: Code.NotFoundResource });
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        await store.deleteService(svc.id);
        await assert.rejects(store.updateService(svc), { code: Code.NotFoundResource });
      }));

    it('update onto the name of another live service rejects with ExistedResource', () =>
      withStore(factory, async ({ store }) => {
        const ns = uniq('ns');
        const a = makeService(ns);
        const b = makeService(ns);
        await store.createService(a);
        await store.createService(b);
        await assert.rejects(store.updateService({ ...b, name: a.name }), { code: Code.ExistedResource });
        assert.equal((await store.getServiceById(b.id))?.name, b.name);
      }));

    it('delete resolves true once, then false; the service is gone by name and id', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        assert.equal(await store.deleteService(svc.id), true);
        assert.equal(await store.getService(svc.namespace, svc.name), undefined);
        assert.equal(await store.getServiceById(svc.id), undefined);
        assert.equal(await store.deleteService(svc.id), false);
        assert.equal(await store.deleteService('never-existed-svc-x'), false);
      }));

    it('a deleted name can be created again under a new id', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        await store.deleteService(svc.id);
        const again = { ...svc, id: uniq('svc-id'), comment: 'second life' };
        await store.createService(again);
        const got = await store.getService(svc.namespace, svc.name);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(again));
        assert.equal(await store.getServiceById(svc.id), undefined);
      }));

    it('a deleted id can be created again', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        await store.deleteService(svc.id);
        const again = { ...svc, name: uniq('svc'), comment: 'revived' };
        await store.createService(again);
        assert.deepEqual(withoutTimes((await store.getServiceById(svc.id))!), withoutTimes(again));
        assert.equal(await store.getService(svc.namespace, svc.name), undefined);
      }));

    it('an alias is a service row whose reference is the source id', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const source = makeService(ns.name);
        await store.createService(source);
        assert.equal(await store.countAliasesOf(source.id), 0);
        const alias = makeService(ns.name, { reference: source.id, aliasType: 1, ports: '', comment: 'alias' });
        const alias2 = makeService(uniq('ns'), { reference: source.id, aliasType: 0 });
        await store.createService(alias);
        await store.createService(alias2);
        const got = await store.getService(alias.namespace, alias.name);
        assert.ok(got);
        assert.equal(got.reference, source.id);
        assert.equal(got.aliasType, 1);
        assert.equal(await store.countAliasesOf(source.id), 2);
        assert.equal(await store.countAliasesOf(alias.id), 0);
        await store.deleteService(alias.id);
        assert.equal(await store.countAliasesOf(source.id), 1);
        await assert.rejects(store.createService({ ...alias2, id: uniq('svc-id') }), { code: Code.ExistedResource });
      }));

    it('countInstancesOfService counts live instances only', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const other = makeService(uniq('ns'));
        await store.createService(svc);
        await store.createService(other);
        const list = [makeInstance(svc), makeInstance(svc), makeInstance(svc)];
        await store.upsertInstances([...list, makeInstance(other)]);
        assert.equal(await store.countInstancesOfService(svc.id), 3);
        await store.deleteInstances([list[0].id]);
        assert.equal(await store.countInstancesOfService(svc.id), 2);
        assert.equal(await store.countInstancesOfService('no-such-svc-x'), 0);
      }));
  });
}
