import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Instance, Namespace, Service } from '../../../src/common/model/naming.js';
import type { ChangeSet, Store, Versioned } from '../../../src/store/api.js';
import { makeInstance, makeNamespace, makeService, uniq, withStore, type StoreFactory } from './fixtures.js';

/** Every row of a change set lies in (since, changes.seq]. */
function assertWithin(changes: ChangeSet, since: number): void {
  const all: Versioned<unknown>[] = [...changes.namespaces, ...changes.services, ...changes.instances, ...changes.clients];
  for (const v of all) {
    assert.ok(v.seq > since && v.seq <= changes.seq, `row seq ${v.seq} outside (${since}, ${changes.seq}]`);
  }
}

/** Applies versioned rows in seq order to a map, the way a cache would. */
function apply<T>(into: Map<string, T>, rows: Versioned<T>[], key: (v: T) => string): void {
  for (const v of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (v.deleted) into.delete(key(v.value));
    else into.set(key(v.value), v.value);
  }
}

export function describeChangeFeedSuite(factory: StoreFactory): void {
  describe('change feed', () => {
    it('the sequence only grows, and each write is stamped above the previous one', () =>
      withStore(factory, async ({ store }) => {
        const s0 = await store.currentSeq();
        const ns = makeNamespace();
        await store.createNamespace(ns);
        const s1 = await store.currentSeq();
        await store.updateNamespace({ ...ns, comment: 'x' });
        const s2 = await store.currentSeq();
        assert.ok(s0 < s1 && s1 < s2, `${s0} < ${s1} < ${s2}`);
        const changes = await store.readChanges(s0);
        assertWithin(changes, s0);
        assert.ok(changes.seq >= s2);
        const mine = changes.namespaces.filter((v) => v.value.name === ns.name);
        assert.equal(mine.length, 1, 'a row appears once, in its latest state');
        assert.equal(mine[0].value.comment, 'x');
        assert.ok(mine[0].seq > s1);
        assert.equal((await store.readChanges(changes.seq)).namespaces.filter((v) => v.value.name === ns.name).length, 0);
      }));

    it('a full load (since = 0) has every live row and no tombstone', () =>
      withStore(factory, async ({ store }) => {
        const [keep, drop] = [makeNamespace(), makeNamespace()];
        const svc = makeService(keep.name);
        const gone = makeService(keep.name);
        const [i1, i2] = [makeInstance(svc), makeInstance(svc)];
        await store.createNamespace(keep);
        await store.createNamespace(drop);
        await store.createService(svc);
        await store.createService(gone);
        await store.upsertInstances([i1, i2]);
        await store.deleteNamespace(drop.name);
        await store.deleteService(gone.id);
        await store.deleteInstances([i2.id]);
        const full = await store.readChanges(0);
        assert.ok(full.seq >= 1);
        assertWithin(full, 0);
        for (const v of [...full.namespaces, ...full.services, ...full.instances, ...full.clients]) {
          assert.equal(v.deleted, false);
        }
        const nsNames = full.namespaces.map((v) => v.value.name);
        assert.ok(nsNames.includes(keep.name) && !nsNames.includes(drop.name));
        const svcIds = full.services.map((v) => v.value.id);
        assert.ok(svcIds.includes(svc.id) && !svcIds.includes(gone.id));
        const insIds = full.instances.map((v) => v.value.id);
        assert.ok(insIds.includes(i1.id) && !insIds.includes(i2.id));
      }));

    it('an incremental read has tombstones carrying the deleted value', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        const ins = makeInstance(svc);
        await store.createNamespace(ns);
        await store.createService(svc);
        await store.upsertInstances([ins]);
        const since = await store.currentSeq();
        await store.deleteInstances([ins.id]);
        await store.deleteService(svc.id);
        await store.deleteNamespace(ns.name);
        const inc = await store.readChanges(since);
        assertWithin(inc, since);
        const tIns = inc.instances.find((v) => v.value.id === ins.id);
        const tSvc = inc.services.find((v) => v.value.id === svc.id);
        const tNs = inc.namespaces.find((v) => v.value.name === ns.name);
        assert.ok(tIns && tSvc && tNs);
        assert.ok(tIns.deleted && tSvc.deleted && tNs.deleted);
        assert.equal(tIns.value.serviceId, svc.id, 'an instance tombstone still names its service');
        assert.equal(tSvc.value.name, svc.name);
        assert.ok(tIns.seq < tSvc.seq && tSvc.seq < tNs.seq);
      }));

    it('delete then re-create between two reads: applying in seq order ends in the newest state', () =>
      withStore(factory, async ({ store }) => {
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        await store.createNamespace(ns);
        await store.createService(svc);
        const full = await store.readChanges(0);
        const nsMap = new Map<string, Namespace>();
        const svcById = new Map<string, Service>();
        apply(nsMap, full.namespaces, (v) => v.name);
        apply(svcById, full.services, (v) => v.id);

        await store.deleteNamespace(ns.name);
        await store.deleteService(svc.id);
        await store.createNamespace({ ...ns, comment: 'reborn' });
        const reborn = { ...svc, id: uniq('svc-id'), comment: 'reborn' };
        await store.createService(reborn);

        const inc = await store.readChanges(full.seq);
        apply(nsMap, inc.namespaces, (v) => v.name);
        apply(svcById, inc.services, (v) => v.id);
        assert.equal(nsMap.get(ns.name)?.comment, 'reborn');
        assert.equal(svcById.has(svc.id), false);
        const named = [...svcById.values()].filter((s) => s.namespace === svc.namespace && s.name === svc.name);
        assert.deepEqual(named.map((s) => s.id), [reborn.id]);
      }));

    it('separate transactions get distinct sequence values', () =>
      withStore(factory, async ({ store }) => {
        const since = await store.currentSeq();
        const list = Array.from({ length: 10 }, () => makeNamespace());
        await Promise.all(list.map((ns) => store.createNamespace(ns)));
        const changes = await store.readChanges(since);
        const mine = changes.namespaces.filter((v) => list.some((ns) => ns.name === v.value.name));
        assert.equal(mine.length, 10);
        assert.equal(new Set(mine.map((v) => v.seq)).size, 10);
      }));

    it('reading incrementally during a burst of 500 concurrent writes misses nothing', () =>
      withStore(factory, async ({ store }) => {
        const svc = makeService(uniq('ns'));
        await store.createService(svc);
        const base = await store.readChanges(0);
        const seen = new Map<string, Instance>();
        apply(seen, base.instances.filter((v) => v.value.serviceId === svc.id), (v) => v.id);
        let since = base.seq;

        const live: string[] = [];
        const dropped: string[] = [];
        let done = false;
        const writes = Array.from({ length: 500 }, (_, i) => {
          const ins = makeInstance(svc, { port: 20_000 + i });
          if (i % 5 === 4) {
            dropped.push(ins.id);
            return (async () => {
              await store.upsertInstances([ins]);
              await store.deleteInstances([ins.id]);
            })();
          }
          live.push(ins.id);
          return store.upsertInstances([ins]);
        });
        const burst = Promise.all(writes).finally(() => {
          done = true;
        });

        let reads = 0;
        const read = async (): Promise<void> => {
          const cs = await store.readChanges(since);
          assert.ok(cs.seq >= since, 'the snapshot sequence never goes back');
          assertWithin(cs, since);
          apply(seen, cs.instances.filter((v) => v.value.serviceId === svc.id), (v) => v.id);
          since = cs.seq;
          reads++;
        };
        while (!done) {
          await read();
          await new Promise((r) => setImmediate(r));
        }
        await burst;
        await read();

        assert.deepEqual([...seen.keys()].sort(), [...live].sort());
        assert.ok(dropped.every((id) => !seen.has(id)));
        const full = await store.readChanges(0);
        const fullIds = full.instances.filter((v) => v.value.serviceId === svc.id).map((v) => v.value.id);
        assert.deepEqual(fullIds.sort(), [...live].sort());
        assert.ok(reads >= 2);
      }));

    it('a peer store on the same data shares the sequence and the feed', async (t) => {
      await withStore(factory, async (h) => {
        if (!h.openPeer) {
          t.skip(`${factory.name}: no openPeer`);
          return;
        }
        const peer: Store = await h.openPeer();
        try {
          const since = await h.store.currentSeq();
          const ns = makeNamespace();
          await peer.createNamespace(ns);
          const changes = await h.store.readChanges(since);
          assert.ok(changes.namespaces.some((v) => v.value.name === ns.name));
          assert.ok((await h.store.getNamespace(ns.name)) !== undefined);
          await h.store.updateNamespace({ ...ns, comment: 'from the first' });
          assert.ok((await peer.currentSeq()) > changes.seq);
          assert.equal((await peer.getNamespace(ns.name))?.comment, 'from the first');
        } finally {
          await peer.close();
        }
      });
    });
  });
}
