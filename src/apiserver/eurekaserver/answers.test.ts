import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationsDoc, encode, encodeApps, infosOf } from './answers.js';
import type { Entry } from './registry.js';

const entry = (app: string, id: string, status: string): Entry => ({
  info: { instanceId: id, app, status, port: { $: 80, '@enabled': 'true' }, metadata: { a: '<&>' } },
  rev: id,
});

test('the fragment-cached full registry encodes exactly like the generic encoder, and again after reuse', () => {
  const a = [entry('A', '1', 'UP'), entry('A', '2', 'DOWN')];
  const bc = [entry('B&C', '3', 'UP')];
  const apps = new Map([
    ['A', new Map(a.map((e) => [e.info.instanceId, e]))],
    ['B&C', new Map(bc.map((e) => [e.info.instanceId, e]))],
  ]);
  // App A is made of two services (names differing only in case), as the registry groups them.
  const groups = new Map([
    ['A', [{ revision: 'r1', entries: [a[0]] }, { revision: 'r2', entries: [a[1]] }]],
    ['B&C', [{ revision: 'r3', entries: bc }]],
  ]);
  for (const json of [true, false]) {
    for (let round = 0; round < 2; round++) {
      const fast = encodeApps({ version: 7, hash: 'DOWN_1_UP_2_', apps, groups }, json);
      const slow = encode(applicationsDoc(7, infosOf(apps), 'DOWN_1_UP_2_'), json);
      assert.equal(fast.body.toString(), slow.body.toString(), `json=${json} round=${round}`);
      assert.equal(fast.type, slow.type);
    }
  }
});
