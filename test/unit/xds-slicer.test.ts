/**
 * The xDS loop slicer: queued work runs in later loop turns, in order, in slices that let timers
 * and sockets in between; one task's exception does not stop the others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoopSlicer } from '../../src/apiserver/xdsserverv3/slicer.js';

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('posted tasks run after the current turn, in order; a throwing one reports and the rest go on', async () => {
  const slicer = new LoopSlicer(5);
  const ran: number[] = [];
  const errors: unknown[] = [];
  for (let i = 0; i < 5; i++) {
    slicer.post(
      () => {
        if (i === 2) throw new Error('task 2 failed');
        ran.push(i);
      },
      (err) => errors.push(err),
    );
  }
  assert.deepEqual(ran, [], 'nothing runs in the turn that posted');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ran, [0, 1, 3, 4]);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /task 2 failed/);
});

test('a long queue of posted work yields to timers between slices', async () => {
  const slicer = new LoopSlicer(5);
  let done = 0;
  for (let i = 0; i < 40; i++) slicer.post(() => (busy(1), done++), (err) => assert.fail(String(err)));
  // A timer due at once fires after the first slice, long before the 40 ms of work are through.
  const doneWhenTimerFired = await new Promise<number>((r) => setTimeout(() => r(done), 0));
  assert.ok(doneWhenTimerFired < 40, `the timer waited for all the work (${doneWhenTimerFired} tasks done)`);
  await new Promise<void>((r) => slicer.post(r, (err) => assert.fail(String(err))));
  assert.equal(done, 40);
});
