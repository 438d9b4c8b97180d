import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSeqProbe } from './feed-follower.js';

test('a shared sequence probe answers calls close together with one query, and retries after a failure', async () => {
  let queries = 0;
  let fail = false;
  const probe = sharedSeqProbe(async () => {
    queries++;
    if (fail) throw new Error('down');
    return queries;
  }, 50);
  const answers = await Promise.all([probe(), probe(), probe(), probe()]);
  assert.deepEqual(answers, [1, 1, 1, 1]);
  assert.equal(queries, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await probe(), 2, 'a later call queries again');
  await new Promise((r) => setTimeout(r, 60));
  fail = true;
  await assert.rejects(probe());
  fail = false;
  assert.equal(await probe(), 4, 'a failed query is not reused');
});
