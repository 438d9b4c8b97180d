import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckerRing } from './checker-ring.js';

const ids = Array.from({ length: 3000 }, (_, i) => `instance-${i}`);

test('every id has exactly one owner, spread over the nodes', () => {
  const ring = new CheckerRing(['a:1', 'b:1', 'c:1']);
  const counts = new Map<string, number>();
  for (const id of ids) {
    const o = ring.ownerOf(id) as string;
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  assert.equal(counts.size, 3);
  for (const c of counts.values()) assert.ok(c > 600 && c < 1400, `share ${c} of 3000`);
  assert.equal(new CheckerRing([]).ownerOf('x'), undefined);
});

test('a node leaving moves only its own share', () => {
  const three = new CheckerRing(['a:1', 'b:1', 'c:1']);
  const two = new CheckerRing(['a:1', 'c:1']);
  for (const id of ids) {
    const before = three.ownerOf(id);
    if (before !== 'b:1') assert.equal(two.ownerOf(id), before);
    else assert.notEqual(two.ownerOf(id), 'b:1');
  }
});

test('node order does not matter', () => {
  const x = new CheckerRing(['b:1', 'a:1']);
  const y = new CheckerRing(['a:1', 'b:1', 'a:1']);
  for (const id of ids.slice(0, 200)) assert.equal(x.ownerOf(id), y.ownerOf(id));
});
