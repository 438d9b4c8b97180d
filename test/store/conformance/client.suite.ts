import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '../../../src/common/model/naming.js';
import type { Versioned } from '../../../src/store/api.js';
import { isEpochMs, makeClient, withStore, withoutTimes, type StoreFactory } from './fixtures.js';

function find(list: Versioned<Client>[], id: string): Versioned<Client> | undefined {
  return list.find((v) => v.value.id === id);
}

/** Clients have no getter in the contract: they are read through the change feed. */
export function describeClientSuite(factory: StoreFactory): void {
  describe('client', () => {
    it('upsert makes clients visible in a full load with every field', () =>
      withStore(factory, async ({ store }) => {
        const a = makeClient();
        const b = makeClient({ stat: [], type: 2, location: { region: '', zone: '', campus: '' } });
        await store.upsertClients([a, b]);
        const full = await store.readChanges(0);
        const va = find(full.clients, a.id);
        const vb = find(full.clients, b.id);
        assert.ok(va && vb);
        assert.equal(va.deleted, false);
        assert.deepEqual(withoutTimes(va.value), withoutTimes(a));
        assert.deepEqual(withoutTimes(vb.value), withoutTimes(b));
        assert.ok(isEpochMs(va.value.ctime));
      }));

    it('upsert of an existing client replaces it and keeps ctime', () =>
      withStore(factory, async ({ store }) => {
        const c = makeClient();
        await store.upsertClients([c]);
        const first = find((await store.readChanges(0)).clients, c.id);
        assert.ok(first);
        const changed = { ...c, version: '2.0.0', stat: [] };
        await store.upsertClients([changed]);
        const after = find((await store.readChanges(first.seq)).clients, c.id);
        assert.ok(after);
        assert.ok(after.seq > first.seq);
        assert.deepEqual(withoutTimes(after.value), withoutTimes(changed));
        assert.equal(after.value.ctime, first.value.ctime);
      }));

    it('delete leaves a tombstone in the incremental feed and drops the client from a full load', () =>
      withStore(factory, async ({ store }) => {
        const [a, b] = [makeClient(), makeClient()];
        await store.upsertClients([a, b]);
        const since = await store.currentSeq();
        await store.deleteClients([a.id, 'no-such-client-x']);
        await store.deleteClients([]);
        const inc = await store.readChanges(since);
        const tomb = find(inc.clients, a.id);
        assert.ok(tomb);
        assert.equal(tomb.deleted, true);
        assert.equal(tomb.value.host, a.host);
        assert.equal(find(inc.clients, b.id), undefined);
        const full = await store.readChanges(0);
        assert.equal(find(full.clients, a.id), undefined);
        assert.ok(find(full.clients, b.id));
      }));

    it('a deleted client comes back on upsert', () =>
      withStore(factory, async ({ store }) => {
        const c = makeClient();
        await store.upsertClients([c]);
        await store.deleteClients([c.id]);
        await store.upsertClients([c]);
        const v = find((await store.readChanges(0)).clients, c.id);
        assert.ok(v);
        assert.equal(v.deleted, false);
      }));
  });
}
