import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { TombstonePurge } from './tombstone-purge.js';

test('purges tombstones older than the horizon and already read by the cache, nothing else', async () => {
  const store = SqliteStore.open({ path: join(mkdtempSync(join(tmpdir(), 'polaris-purge-')), 'p.db') });
  try {
    const now = Date.now();
    const ns = { name: 'gone', comment: '', owner: '', token: 't', serviceExportTo: [], metadata: {}, ctime: now, mtime: now };
    await store.createNamespace(ns);
    await store.createNamespace({ ...ns, name: 'kept' });
    await store.deleteNamespace('gone');
    const seqAfterDelete = await store.currentSeq();
    let cacheSeq = 0;
    const job = new TombstonePurge(
      { logger: pino({ level: 'silent' }), sources: [{ name: 'naming', purge: (a, b) => store.purgeTombstones(a, b), cacheSeq: () => cacheSeq }] },
      { olderThanMs: 0, intervalMs: 60_000 },
    );
    assert.deepEqual(await job.runOnce(), { naming: 0 }, 'the cache has not read the delete yet');
    cacheSeq = seqAfterDelete + 1;
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await job.runOnce(), { naming: 1 });
    const changes = await store.readChanges(1);
    assert.ok(!changes.namespaces.some((r) => r.value.name === 'gone'), 'the tombstone is gone');
    assert.ok(await store.getNamespace('kept'), 'live rows stay');
  } finally {
    await store.close();
  }
});
