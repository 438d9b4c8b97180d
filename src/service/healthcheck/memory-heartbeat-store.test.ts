import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryHeartbeatStore } from './memory-heartbeat-store.js';

test('heartbeatMemory: put overwrites, get returns only known ids, delete releases memory', async () => {
  const store = new MemoryHeartbeatStore();
  assert.equal(store.name, 'heartbeatMemory');
  await store.put([
    { id: 'a', lastBeatMs: 1 },
    { id: 'b', lastBeatMs: 2 },
  ]);
  await store.put([{ id: 'a', lastBeatMs: 3 }]);
  const got = await store.get(['a', 'b', 'missing']);
  assert.deepEqual([...got.entries()], [
    ['a', { id: 'a', lastBeatMs: 3 }],
    ['b', { id: 'b', lastBeatMs: 2 }],
  ]);
  await store.delete(['a', 'missing']);
  assert.equal(store.size(), 1);
  assert.deepEqual([...(await store.get(['a'])).keys()], []);
  await store.delete(['b']);
  assert.equal(store.size(), 0);
});
