import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wildcardMatcher } from './wildcard.js';
import { instanceId } from './ids.js';

test('wildcards: prefix, suffix, contains, exact', () => {
  assert.equal(wildcardMatcher('ab*')('abc'), true);
  assert.equal(wildcardMatcher('ab*')('cab'), false);
  assert.equal(wildcardMatcher('*bc')('abc'), true);
  assert.equal(wildcardMatcher('*bc')('bcd'), false);
  assert.equal(wildcardMatcher('*b*')('abc'), true);
  assert.equal(wildcardMatcher('abc')('abc'), true);
  assert.equal(wildcardMatcher('abc')('abcd'), false);
  assert.equal(wildcardMatcher('AB*', true)('abx'), true);
});

test('instance id is the sha1 of the namespace##service##host##port tetrad', () => {
  // sha1("demo-ns##echo-server##10.0.0.11##8080")
  assert.equal(instanceId("demo-ns", "echo-server", "10.0.0.11", 8080), "e13e8a6f25addf6bf752d5f7730c084789d9cd44");
  assert.notEqual(instanceId('a', 'b', 'h', 1), instanceId('a', 'b', 'h', 1, 'vpc'));
});
