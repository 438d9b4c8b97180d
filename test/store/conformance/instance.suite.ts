import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Instance } from '../../../src/common/model/naming.js';
import { isEpochMs, makeInstance, makeService, sleep, uniq, withStore, withoutTimes, type StoreFactory } from './fixtures.js';

function byId(list: Instance[]): Map<string, Instance> {
  return new Map(list.map((i) => [i.id, i]));
}

export function describeInstanceSuite(factory: StoreFactory): void {
  describe('instance', () => {
    it('get of unknown ids resolves undefined / skips them', () =>
      withStore(factory, async ({ store }) => {
        assert.equal(await store.getInstance('no-such-ins-x'), undefined);
        assert.deepEqual(await store.getInstances([]), []);
        assert.deepEqual(await store.getInstances(['no-such-ins-x', 'no-such-ins-y']), []);
        assert.deepEqual(await store.listInstancesOfService('no-such-svc-x'), []);
      }));

    it('upsert then get round-trips every field, with and without a health check', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const a = makeInstance(svc, {
          vpcId: 'vpc-1',
          priority: 3,
          weight: 0,
          isolate: true,
          healthy: false,
          logicSet: 'set-a',
          metadata: { 'k.1': 'v1', empty: '' },
          location: { region: 'south', zone: 'sz', campus: 'c9' },
        });
        const b = makeInstance(svc, { enableHealthCheck: false, healthCheck: null, metadata: {}, port: 65535 });
        await store.upsertInstances([a, b]);
        const gotA = await store.getInstance(a.id);
        const gotB = await store.getInstance(b.id);
        assert.ok(gotA && gotB);
        assert.deepEqual(withoutTimes(gotA), withoutTimes(a));
        assert.deepEqual(withoutTimes(gotB), withoutTimes(b));
        assert.ok(isEpochMs(gotA.ctime));
        assert.ok(gotA.mtime >= gotA.ctime);
        const many = byId(await store.getInstances([a.id, b.id, 'no-such-ins-x']));
        assert.equal(many.size, 2);
        assert.deepEqual(many.get(a.id), gotA);
      }));

    it('upsert of an existing instance replaces it and keeps ctime', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const ins = makeInstance(svc);
        await store.upsertInstances([ins]);
        const first = await store.getInstance(ins.id);
        assert.ok(first);
        await sleep(5);
        const changed = { ...ins, weight: 7, metadata: { v: '2' }, healthCheck: null, revision: uniq('rev'), ctime: 1, mtime: 1 };
        await store.upsertInstances([changed]);
        const got = await store.getInstance(ins.id);
        assert.ok(got);
        assert.deepEqual(withoutTimes(got), withoutTimes(changed));
        assert.equal(got.ctime, first.ctime);
        assert.ok(got.mtime >= first.mtime);
      }));

    it('listInstancesOfService returns the live instances of that service only', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const other = makeService(uniq('ns'));
        const mine = [makeInstance(svc), makeInstance(svc), makeInstance(svc)];
        await store.upsertInstances([...mine, makeInstance(other)]);
        await store.deleteInstances([mine[2].id]);
        const listed = await store.listInstancesOfService(svc.id);
        assert.deepEqual([...byId(listed).keys()].sort(), [mine[0].id, mine[1].id].sort());
      }));

    it('delete resolves exactly the ids that were live', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const [a, b, c] = [makeInstance(svc), makeInstance(svc), makeInstance(svc)];
        await store.upsertInstances([a, b, c]);
        assert.deepEqual(await store.deleteInstances([a.id]), [a.id]);
        const second = await store.deleteInstances([a.id, b.id, 'no-such-ins-x', c.id]);
        assert.deepEqual([...second].sort(), [b.id, c.id].sort());
        assert.deepEqual(await store.deleteInstances([a.id, b.id]), []);
        assert.deepEqual(await store.deleteInstances([]), []);
        assert.equal(await store.getInstance(a.id), undefined);
        assert.deepEqual(await store.getInstances([a.id, b.id, c.id]), []);
      }));

    it('a deleted instance comes back on upsert, as a new registration', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const ins = makeInstance(svc);
        await store.upsertInstances([ins]);
        await store.deleteInstances([ins.id]);
        const again = { ...ins, host: '10.9.9.9', revision: uniq('rev') };
        await store.upsertInstances([again]);
        assert.deepEqual(withoutTimes((await store.getInstance(ins.id))!), withoutTimes(again));
        assert.equal(await store.countInstancesOfService(svc.id), 1);
      }));

    it('setInstancesHealth flips health and revision of live instances and skips the rest', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const [a, b, gone] = [makeInstance(svc), makeInstance(svc, { healthy: false }), makeInstance(svc)];
        await store.upsertInstances([a, b, gone]);
        await store.deleteInstances([gone.id]);
        const before = await store.getInstance(a.id);
        assert.ok(before);
        const ra = uniq('rev');
        const rb = uniq('rev');
        await store.setInstancesHealth([
          { id: a.id, healthy: false, revision: ra },
          { id: b.id, healthy: true, revision: rb },
          { id: gone.id, healthy: true, revision: uniq('rev') },
          { id: 'no-such-ins-x', healthy: true, revision: uniq('rev') },
        ]);
        await store.setInstancesHealth([]);
        const gotA = await store.getInstance(a.id);
        const gotB = await store.getInstance(b.id);
        assert.ok(gotA && gotB);
        assert.deepEqual(withoutTimes(gotA), withoutTimes({ ...a, healthy: false, revision: ra }));
        assert.deepEqual(withoutTimes(gotB), withoutTimes({ ...b, healthy: true, revision: rb }));
        assert.equal(gotA.ctime, before.ctime);
        assert.ok(gotA.mtime >= before.mtime);
        assert.equal(await store.getInstance(gone.id), undefined, 'a health change must not revive a deleted instance');
      }));

    it('upserts 1,000 instances in one call', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        const list = Array.from({ length: 1000 }, (_, i) => makeInstance(svc, { port: 10_000 + i }));
        await store.upsertInstances(list);
        assert.equal(await store.countInstancesOfService(svc.id), 1000);
        const got = await store.getInstances(list.map((i) => i.id));
        assert.equal(got.length, 1000);
        assert.deepEqual(withoutTimes(byId(got).get(list[999].id)!), withoutTimes(list[999]));
      }));
  });
}
