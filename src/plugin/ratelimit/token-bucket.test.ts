import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Code } from '../../common/errors/codes.js';
import { serviceKeysOf } from '../api.js';
import { parseTokenBucketOption, TokenBucketRateLimit } from './token-bucket.js';

const log = pino({ level: 'silent' });

function limiter(option: Record<string, unknown>) {
  let now = 1_000_000;
  const l = new TokenBucketRateLimit(parseTokenBucketOption(option, '/'), log, () => now);
  return { l, tick: (ms: number) => (now += ms) };
}

test('per IP: a burst of `bucket` calls, then `rate` per second; white-listed IPs pass', () => {
  const { l, tick } = limiter({ 'ip-limit': { open: true, global: { open: true, bucket: 2, rate: 1 }, 'white-list': ['10.0.0.9'] } });
  const call = (ip: string) => l.check({ ip, api: 'GET:/x' });
  assert.equal(call('10.0.0.1'), undefined);
  assert.equal(call('10.0.0.1'), undefined);
  assert.equal(call('10.0.0.1'), Code.IPRateLimit);
  assert.equal(call('10.0.0.2'), undefined, 'buckets are per IP');
  for (let i = 0; i < 5; i++) assert.equal(call('10.0.0.9'), undefined);
  tick(1000);
  assert.equal(call('10.0.0.1'), undefined, 'one token back after a second');
  assert.equal(call('10.0.0.1'), Code.IPRateLimit);
});

test('per API: named rules bound to APIs; other APIs are free', () => {
  const { l } = limiter({
    'api-limit': {
      open: true,
      rules: [{ name: 'store-write', limit: { open: true, bucket: 1, rate: 1 } }],
      apis: [{ name: 'RegisterInstance', rule: 'store-write' }, { name: 'POST:/naming/v1/services', rule: 'store-write' }],
    },
  });
  assert.equal(l.check({ ip: 'a', api: 'RegisterInstance' }), undefined);
  assert.equal(l.check({ ip: 'b', api: 'POST:/naming/v1/services' }), Code.APIRateLimit, 'APIs sharing a rule share its bucket');
  assert.equal(l.check({ ip: 'a', api: 'Discover' }), undefined);
});

test('per service: calls naming a service share its bucket; off when enable is false', () => {
  const { l } = limiter({ 'instance-limit': { open: true, global: { bucket: 1, rate: 1 } } });
  assert.equal(l.check({ ip: 'a', api: 'Heartbeat', service: 'ns/s1' }), undefined);
  assert.equal(l.check({ ip: 'b', api: 'Heartbeat', service: 'ns/s1' }), Code.InstanceTooManyRequests);
  assert.equal(l.check({ ip: 'b', api: 'Heartbeat', service: 'ns/s2' }), undefined);
  const off = limiter({ enable: false, 'ip-limit': { open: true, global: { bucket: 0, rate: 0 } } });
  assert.equal(off.l.check({ ip: 'a', api: 'x' }), undefined);
});

test('checkService takes from the same per-service bucket as check; limitsServices says when it is on', () => {
  const { l } = limiter({ 'instance-limit': { open: true, global: { bucket: 1, rate: 1 } } });
  assert.equal(l.limitsServices(), true);
  assert.equal(l.checkService({ api: 'POST:/v1/RegisterInstance', service: 'ns/s1' }), undefined);
  assert.equal(l.check({ ip: 'a', api: 'DeregisterInstance', service: 'ns/s1' }), Code.InstanceTooManyRequests);
  assert.equal(limiter({ 'ip-limit': { open: true } }).l.limitsServices(), false);
});

test('serviceKeysOf: an object or list body (raw JSON text too) and the query, each service once', () => {
  assert.deepEqual(serviceKeysOf('{"service":"a","namespace":"n"}', {}), ['n/a']);
  assert.deepEqual(serviceKeysOf([{ service: 'a', namespace: 'n' }, { service: 'a', namespace: 'n' }, { service: 'b' }], { service: 'c', namespace: 'n' }), [
    'n/a',
    '/b',
    'n/c',
  ]);
  assert.deepEqual(serviceKeysOf('{"service": ', undefined), [], 'malformed JSON names nothing');
  assert.deepEqual(serviceKeysOf(Buffer.from('x'), {}), []);
});
