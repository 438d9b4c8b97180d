import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SkewCorrectedClock } from './clock.js';

test('a skew-corrected clock follows its reference, not the local clock', async () => {
  const skew = 90 * 60_000;
  const clock = new SkewCorrectedClock(async () => Date.now() - skew);
  assert.ok(Math.abs(clock.now() - Date.now()) < 50, 'uncorrected before the first sync');
  await clock.sync();
  assert.ok(Math.abs(clock.offset() + skew) < 50);
  assert.ok(Math.abs(clock.now() - (Date.now() - skew)) < 50);
  const failing = new SkewCorrectedClock(async () => {
    throw new Error('down');
  });
  await assert.rejects(failing.sync());
  assert.equal(failing.offset(), 0, 'a failed sync keeps the last offset');
});
