import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import { LoginThrottle } from './login-throttle.js';

test('five free failures, then doubling blocks per account and address; success clears', () => {
  let now = 1_000_000;
  const t = new LoginThrottle(() => now);
  for (let i = 0; i < 4; i++) {
    t.check('polaris', '1.1.1.1');
    t.failed('polaris', '1.1.1.1');
  }
  t.check('polaris', '1.1.1.1');
  t.failed('polaris', '1.1.1.1'); // 5th failure: blocked 1 s
  assert.throws(() => t.check('polaris', '1.1.1.1'), (e: unknown) => e instanceof PolarisError && e.code === Code.IPRateLimit);
  t.check('polaris', '2.2.2.2'); // another address is not affected
  now += 1001;
  t.check('polaris', '1.1.1.1');
  t.failed('polaris', '1.1.1.1'); // 6th: blocked 2 s
  now += 1500;
  assert.throws(() => t.check('polaris', '1.1.1.1'));
  now += 600;
  t.check('polaris', '1.1.1.1');
  t.succeeded('polaris', '1.1.1.1');
  t.failed('polaris', '1.1.1.1');
  t.check('polaris', '1.1.1.1'); // counting starts again after a success
});
