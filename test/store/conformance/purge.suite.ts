import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeSet } from '../../../src/store/api.js';
import { makeClient, makeInstance, makeNamespace, makeService, sleep, withStore, type StoreFactory } from './fixtures.js';

function ids(cs: ChangeSet): Set<string> {
  return new Set([
    ...cs.namespaces.map((v) => v.value.name),
    ...cs.services.map((v) => v.value.id),
    ...cs.instances.map((v) => v.value.id),
    ...cs.clients.map((v) => v.value.id),
  ]);
}

export function describePurgeSuite(factory: StoreFactory): void {
  describe('purge tombstones', () => {
    it('hard-deletes old tombstones below the given seq and keeps live rows', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const keepNs = makeNamespace();
        const svc = makeService(keepNs.name);
        const [ins, keepIns] = [makeInstance(svc), makeInstance(svc)];
        const client = makeClient();
        await store.createNamespace(ns);
        await store.createNamespace(keepNs);
        await store.createService(svc);
        await store.upsertInstances([ins, keepIns]);
        await store.upsertClients([client]);
        const since = await store.currentSeq();
        await store.deleteNamespace(ns.name);
        await store.deleteInstances([ins.id]);
        await store.deleteClients([client.id]);
        const before = ids(await store.readChanges(since));
        assert.ok(before.has(ns.name) && before.has(ins.id) && before.has(client.id));

        await sleep(5);
        const purged = await store.purgeTombstones(0, (await store.currentSeq()) + 1);
        assert.ok(purged >= 3, `purged ${purged}`);
        const after = ids(await store.readChanges(since));
        assert.ok(!after.has(ns.name) && !after.has(ins.id) && !after.has(client.id));
        assert.ok(await store.getNamespace(keepNs.name));
        assert.ok(await store.getServiceById(svc.id));
        assert.ok(await store.getInstance(keepIns.id));
        // Purged names and ids can be used again.
        await store.createNamespace(ns);
        await store.upsertInstances([ins]);
        assert.ok(await store.getInstance(ins.id));
      }));

    it('keeps tombstones at or above belowSeq', () =>
      withStore(factory, async ({ store }) => {
        const [a, b] = [makeNamespace(), makeNamespace()];
        await store.createNamespace(a);
        await store.createNamespace(b);
        const since = await store.currentSeq();
        await store.deleteNamespace(a.name);
        const afterA = await store.currentSeq();
        await store.deleteNamespace(b.name);
        await sleep(5);
        await store.purgeTombstones(0, afterA + 1);
        const left = ids(await store.readChanges(since));
        assert.ok(!left.has(a.name), 'the older tombstone is gone');
        assert.ok(left.has(b.name), 'the tombstone at or above belowSeq stays');
      }));

    it('keeps tombstones younger than olderThanMs', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const since = await store.currentSeq();
        await store.deleteNamespace(ns.name);
        await store.purgeTombstones(60 * 60_000, (await store.currentSeq()) + 1);
        assert.ok(ids(await store.readChanges(since)).has(ns.name));
      }));

    it('purgeInstanceTombstone removes only that instance, only once deleted and below belowSeq', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        await store.createNamespace(ns);
        await store.createService(svc);
        const [gone, other, live] = [makeInstance(svc), makeInstance(svc), makeInstance(svc)];
        await store.upsertInstances([gone, other, live]);
        const since = await store.currentSeq();
        assert.equal(await store.purgeInstanceTombstone(live.id, since + 1), 0, 'a live instance is never purged');
        await store.deleteInstances([gone.id, other.id]);
        const seq = await store.currentSeq();
        assert.equal(await store.purgeInstanceTombstone(gone.id, seq), 0, 'at belowSeq it stays');
        assert.equal(await store.purgeInstanceTombstone(gone.id, seq + 1), 1);
        const left = ids(await store.readChanges(since));
        assert.ok(!left.has(gone.id), 'the tombstone is gone');
        assert.ok(left.has(other.id), 'other tombstones stay');
        assert.ok(await store.getInstance(live.id));
      }));
  });
}
