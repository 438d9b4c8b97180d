import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GrayLabel } from '../common/model/config.js';
import { matchGray } from './gray-match.js';

const label = (type: string, value: string, key = 'CLIENT_IP'): GrayLabel => ({ key, type, value, valueType: 'TEXT' });

test('gray rules: every label must match the client label of its key', () => {
  const ip = { CLIENT_IP: '10.0.0.5', env: 'dev' };
  assert.equal(matchGray([label('EXACT', '10.0.0.5')], ip), true);
  assert.equal(matchGray([label('EXACT', '10.0.0.6')], ip), false);
  assert.equal(matchGray([label('EXACT', '10.0.0.5'), label('EXACT', 'prod', 'env')], ip), false);
  assert.equal(matchGray([label('EXACT', 'x', 'missing')], ip), false);
  assert.equal(matchGray([label('REGEX', '^10\\.0\\.0\\.[0-9]$')], ip), true);
  assert.equal(matchGray([label('REGEX', '(')], ip), false);
  assert.equal(matchGray([label('NOT_EQUALS', '10.0.0.6')], ip), true);
  assert.equal(matchGray([label('IN', '10.0.0.4, 10.0.0.5')], ip), true);
  assert.equal(matchGray([label('NOT_IN', '10.0.0.4,10.0.0.5')], ip), false);
  assert.equal(matchGray([label('RANGE', '1~9', 'n')], { n: '5' }), true);
  assert.equal(matchGray([label('RANGE', '1~9', 'n')], { n: '10' }), false);
  assert.equal(matchGray([label('EXACT', '*')], ip), true);
  assert.equal(matchGray([], ip), false);
});
