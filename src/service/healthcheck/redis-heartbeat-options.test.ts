import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKvAddr, parseRedisHeartbeatOptions } from './redis-heartbeat-options.js';
import { decodeHeartbeatValue, encodeHeartbeatValue, heartbeatKey } from './redis-heartbeat-store.js';

test('defaults: polaris-server values, 1 h key TTL', () => {
  const { options, warnings } = parseRedisHeartbeatOptions({ kvAddr: '127.0.0.1:6379' });
  assert.deepEqual(options, {
    host: '127.0.0.1',
    port: 6379,
    username: undefined,
    password: undefined,
    db: 0,
    tls: false,
    connectTimeoutMs: 300,
    commandTimeoutMs: 300,
    maxRetry: 2,
    compatible: false,
    keyTtlMs: 3_600_000,
    batchSize: 1000,
  });
  assert.deepEqual(warnings, []);
});

test('polaris-server option names, Go durations, case-insensitive keys', () => {
  const { options, warnings } = parseRedisHeartbeatOptions({
    kvAddr: 'redis.internal:6380',
    kvUser: 'polaris',
    kvPasswd: 'secret',
    DB: 2,
    withTLS: true,
    connectTimeout: '1s',
    msgTimeout: '250ms',
    maxRetry: 0,
    compatible: true,
    poolSize: 200,
    minIdleConns: 30,
    idleTimeout: '120s',
    concurrency: 200,
    minBatchCount: 10,
    waitTime: '50ms',
    keyTtl: '10m',
    batchSize: 500,
    somethingElse: 1,
  });
  assert.equal(options.host, 'redis.internal');
  assert.equal(options.port, 6380);
  assert.equal(options.username, 'polaris');
  assert.equal(options.password, 'secret');
  assert.equal(options.db, 2);
  assert.equal(options.tls, true);
  assert.equal(options.connectTimeoutMs, 1000);
  assert.equal(options.commandTimeoutMs, 250);
  assert.equal(options.maxRetry, 0);
  assert.equal(options.compatible, true);
  assert.equal(options.keyTtlMs, 600_000);
  assert.equal(options.batchSize, 500);
  assert.deepEqual(warnings, ['unknown option somethingElse ignored']);

  // encoding/json matches keys case-insensitively; a bare number is nanoseconds.
  const ci = parseRedisHeartbeatOptions({ KVADDR: 'h:1', db: 4, msgtimeout: 500_000_000, readTimeout: '2s' }).options;
  assert.equal(ci.host, 'h');
  assert.equal(ci.db, 4);
  assert.equal(ci.commandTimeoutMs, 2000, 'readTimeout overrides msgTimeout');
});

test('bad options are rejected with an error naming the option', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{}, /kvAddr is required/],
    [{ kvAddr: '' }, /kvAddr is empty/],
    [{ kvAddr: 'redis://h:6379' }, /kvAddr must be host:port/],
    [{ kvAddr: 'h:99999' }, /kvAddr has an invalid port/],
    [{ kvAddr: 'h:1', kvUser: 'u' }, /kvPasswd is required when kvUser is set/],
    [{ kvAddr: 'h:1', DB: 'x' }, /option DB must be an integer/],
    [{ kvAddr: 'h:1', DB: -1 }, /option DB must be between/],
    [{ kvAddr: 'h:1', compatible: 'yes' }, /option compatible must be true or false/],
    [{ kvAddr: 'h:1', withTLS: 1 }, /option withTLS must be true or false/],
    [{ kvAddr: 'h:1', msgTimeout: 'soon' }, /option msgTimeout must be a duration/],
    [{ kvAddr: 'h:1', connectTimeout: 300 }, /option connectTimeout must be at least 1 ms.*nanoseconds/],
    [{ kvAddr: 'h:1', connectTimeout: '0s' }, /option connectTimeout must be at least 1 ms/],
    [{ kvAddr: 'h:1', keyTtl: '2m' }, /option keyTtl must be at least "3m"/],
    [{ kvAddr: 'h:1', poolSize: 0 }, /option poolSize must be between 1/],
    [{ kvAddr: 'h:1', maxRetry: -1 }, /option maxRetry must be between 0 and 10/],
    [{ kvAddr: 'h:1', deployMode: 'sentinel', addrs: ['a:1'] }, /deployMode "sentinel" is not supported yet/],
    [{ kvAddr: 'h:1', deployMode: 'cluster' }, /deployMode "cluster" is not supported yet/],
    [{ kvAddr: 'h:1', deployMode: 'ckv' }, /deployMode must be "standalone"/],
    [{ kvAddr: 'h:1', Db: 1, db: 2 }, /Db\/db is given 2 times/],
  ];
  for (const [option, re] of bad) {
    assert.throws(() => parseRedisHeartbeatOptions(option), re, JSON.stringify(option));
  }
});

test('kvAddr forms', () => {
  assert.deepEqual(parseKvAddr('10.0.0.1:6379'), { host: '10.0.0.1', port: 6379 });
  assert.deepEqual(parseKvAddr('redis'), { host: 'redis', port: 6379 });
  assert.deepEqual(parseKvAddr('[::1]:7000'), { host: '::1', port: 7000 });
  assert.throws(() => parseKvAddr('::1:7000'), /IPv6/);
});

test('wire format helpers', () => {
  assert.equal(heartbeatKey('abc', false), 'hb_abc');
  assert.equal(heartbeatKey('abc', true), 'abc');
  assert.equal(encodeHeartbeatValue(1_700_000_000_999, '10.0.0.1', false), '1700000000:10.0.0.1|0');
  assert.equal(encodeHeartbeatValue(1_700_000_000_999, '10.0.0.1', true), '1:1700000000:10.0.0.1|0');
  assert.deepEqual(decodeHeartbeatValue('1700000000:10.0.0.1|4', false), {
    lastBeatMs: 1_700_000_000_000,
    serverHost: '10.0.0.1',
    count: 4,
  });
  assert.deepEqual(decodeHeartbeatValue('1700000000:10.0.0.1', false), {
    lastBeatMs: 1_700_000_000_000,
    serverHost: '10.0.0.1',
    count: 0,
  });
  assert.equal(decodeHeartbeatValue('1700000000:10.0.0.1|0', true)?.lastBeatMs, undefined, 'wrong mode is rejected');
  assert.equal(decodeHeartbeatValue('garbage', false), undefined);
  assert.equal(decodeHeartbeatValue('12x:h|0', false), undefined);
  assert.equal(decodeHeartbeatValue('1:h|z', false), undefined);
});
