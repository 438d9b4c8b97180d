import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { NamingCache } from '../../src/cache/naming-cache.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeInstance, makeNamespace, makeService } from '../store/conformance/fixtures.js';

/**
 * How the naming cache keeps instances: equal parts shared between the instances of a service,
 * per-service instance lists that are snapshots, and no sharing that lets one instance's change
 * show through another.
 */

const logger = pino({ level: 'silent' });
let dir: string;
let store: SqliteStore;
let cache: NamingCache;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polaris-naming-cache-'));
  store = SqliteStore.open({ path: join(dir, 'p.db') });
  cache = new NamingCache({ store, logger }, { intervalMs: 60_000 });
  await cache.start();
});
after(async () => {
  await cache.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function synced(): Promise<void> {
  await cache.waitFor(await store.currentSeq());
}

describe('naming cache instance representation', () => {
  it('instances of a service share equal strings, locations, health checks and metadata', async () => {
    await store.createNamespace(makeNamespace({ name: 'mem' }));
    const svc = makeService('mem', { name: 'shared' });
    await store.createService(svc);
    const common = { protocol: 'grpc', version: '1.0.0', location: { region: 'r1', zone: 'z1', campus: 'c1' }, healthCheck: { type: 1, ttl: 10 } };
    const list = [0, 1, 2, 3].map((i) =>
      makeInstance(svc, { id: `mem-${i}`, host: `10.0.0.${i}`, port: 80, ...common, metadata: { env: 'prod', zone: i % 2 === 0 ? 'a' : 'b' } }),
    );
    await store.upsertInstances(list);
    await synced();
    const got = list.map((i) => cache.instance(i.id)!);
    for (const g of got) {
      assert.equal(g.location, got[0].location);
      assert.equal(g.healthCheck, got[0].healthCheck);
      assert.deepEqual(g.location, common.location);
      assert.deepEqual(g.healthCheck, common.healthCheck);
    }
    assert.equal(got[2].metadata, got[0].metadata, 'equal metadata is one object');
    assert.equal(got[3].metadata, got[1].metadata);
    assert.notEqual(got[1].metadata, got[0].metadata);
    assert.deepEqual(got[0].metadata, { env: 'prod', zone: 'a' });
    assert.deepEqual(got[1].metadata, { env: 'prod', zone: 'b' });

    // A change of one instance's metadata leaves the others alone.
    await store.upsertInstances([{ ...list[0], metadata: { env: 'test', zone: 'a' } }]);
    await synced();
    assert.deepEqual(cache.instance('mem-0')!.metadata, { env: 'test', zone: 'a' });
    assert.deepEqual(cache.instance('mem-2')!.metadata, { env: 'prod', zone: 'a' });
  });

  it('a service instance list is a snapshot the cache never alters', async () => {
    const svc = makeService('mem', { name: 'snap' });
    await store.createService(svc);
    await store.upsertInstances([makeInstance(svc, { id: 'snap-1', host: '10.1.0.1', port: 80 })]);
    await synced();
    const before = cache.instancesOf(svc.id);
    assert.equal(cache.instancesOf(svc.id), before, 'unchanged service: the same list');
    assert.deepEqual(before.map((i) => i.id), ['snap-1']);
    await store.upsertInstances([makeInstance(svc, { id: 'snap-2', host: '10.1.0.2', port: 80 })]);
    await synced();
    assert.deepEqual(before.map((i) => i.id), ['snap-1'], 'the old snapshot is untouched');
    assert.deepEqual(cache.instancesOf(svc.id).map((i) => i.id).sort(), ['snap-1', 'snap-2']);
    await store.deleteInstances(['snap-1', 'snap-2']);
    await synced();
    assert.deepEqual([...cache.instancesOf(svc.id)], []);
  });
});
