import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAP_GROWING_FLAG, heapGrowingFlag } from './heap-policy.js';

test('the daemon sets a 30 % old-generation growing factor by default', () => {
  assert.equal(HEAP_GROWING_FLAG, '--heap-growing-percent=30');
  assert.equal(heapGrowingFlag([], undefined), HEAP_GROWING_FLAG);
  assert.equal(heapGrowingFlag(['--import', 'tsx', '--max-old-space-size=512'], '--enable-source-maps'), HEAP_GROWING_FLAG);
});

test('a growing factor chosen on the node command line or in NODE_OPTIONS wins', () => {
  assert.equal(heapGrowingFlag(['--heap-growing-percent=100'], undefined), null);
  assert.equal(heapGrowingFlag(['--heap_growing_percent=50'], ''), null);
  assert.equal(heapGrowingFlag([], '--enable-source-maps --heap-growing-percent=0'), null);
});
