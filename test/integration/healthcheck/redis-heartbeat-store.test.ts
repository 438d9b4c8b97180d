/**
 * heartbeatRedis against a real Redis: the shared server on 127.0.0.1:6379 for the format and
 * scale tests, and a private `redis-server` child on a free port for the outage tests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { freePort } from '../../helpers/ports.js';
import {
  createRedisHeartbeatStore,
  decodeHeartbeatValue,
  type RedisHeartbeatStore,
} from '../../../src/service/healthcheck/redis-heartbeat-store.js';

const ADDR = '127.0.0.1:6379';
const logger = pino({ level: 'silent' });

/** Ids unique to this run, so parallel runs on the shared Redis never collide. */
const RUN = randomBytes(6).toString('hex');
const id = (name: string): string => `polaris-ts-test-${RUN}-${name}`;

const stores: RedisHeartbeatStore[] = [];
function newStore(option: Record<string, unknown> = {}, serverHost = '10.0.0.1'): RedisHeartbeatStore {
  const s = createRedisHeartbeatStore({ kvAddr: ADDR, ...option }, { logger, serverHost });
  stores.push(s);
  return s;
}

let raw: Redis;
before(async () => {
  raw = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  await raw.connect();
});
after(async () => {
  // Remove whatever this run wrote (keys also expire on their own).
  const keys = [...(await raw.keys(`*polaris-ts-test-${RUN}-*`))];
  for (let i = 0; i < keys.length; i += 1000) await raw.del(...keys.slice(i, i + 1000));
  await Promise.all(stores.map((s) => s.close()));
  raw.disconnect();
});

describe('heartbeatRedis on the shared Redis', () => {
  test('put / get / delete round trip', async () => {
    const store = newStore();
    await store.waitConnected();
    assert.equal(store.name, 'heartbeatRedis');
    const t = 1_750_000_000_123;
    await store.put([
      { id: id('a'), lastBeatMs: t },
      { id: id('b'), lastBeatMs: t + 5000 },
    ]);
    const got = await store.get([id('a'), id('b'), id('missing')]);
    assert.deepEqual(
      [...got.values()],
      [
        { id: id('a'), lastBeatMs: 1_750_000_000_000 }, // whole seconds, as upstream
        { id: id('b'), lastBeatMs: 1_750_000_005_000 },
      ],
    );
    assert.equal(got.has(id('missing')), false, 'unknown ids are absent');
    await store.put([{ id: id('a'), lastBeatMs: t + 60_000 }]);
    assert.equal((await store.get([id('a')])).get(id('a'))?.lastBeatMs, 1_750_000_060_000, 'last write wins');
    await store.delete([id('a'), id('never-written')]);
    assert.deepEqual([...(await store.get([id('a'), id('b')])).keys()], [id('b')]);
    assert.deepEqual(await store.get([]), new Map());
    await store.put([]);
    await store.delete([]);
  });

  test('wire format: key hb_<id>, value "<timeSec>:<serverHost>|<count>", and every key expires', async () => {
    const store = newStore({}, '192.168.7.9');
    await store.waitConnected();
    await store.put([{ id: id('fmt'), lastBeatMs: 1_700_000_000_999 }]);
    assert.equal(await raw.get(`hb_${id('fmt')}`), '1700000000:192.168.7.9|0');
    assert.equal(await raw.exists(id('fmt')), 0, 'no unprefixed key');
    const pttl = await raw.pttl(`hb_${id('fmt')}`);
    assert.ok(pttl > 3_500_000 && pttl <= 3_600_000, `default keyTtl is 1 h, PTTL ${pttl}`);

    // A beat written by a polaris-server node (same format) is read back.
    await raw.set(`hb_${id('go')}`, '1700000123:10.1.1.1|0', 'EX', 60);
    assert.equal((await store.get([id('go')])).get(id('go'))?.lastBeatMs, 1_700_000_123_000);

    // Malformed values are ignored (absent), not fatal for the batch.
    await raw.set(`hb_${id('junk')}`, 'not-a-beat', 'EX', 60);
    const got = await store.get([id('junk'), id('go')]);
    assert.deepEqual([...got.keys()], [id('go')]);
  });

  test('compatible mode: key <id>, value "1:<timeSec>:<serverHost>|<count>"; keyTtl option', async () => {
    const store = newStore({ compatible: true, keyTtl: '5m' }, '10.9.8.7');
    await store.waitConnected();
    await store.put([{ id: id('compat'), lastBeatMs: 1_700_000_001_500 }]);
    assert.equal(await raw.get(id('compat')), '1:1700000001:10.9.8.7|0');
    assert.equal(await raw.exists(`hb_${id('compat')}`), 0);
    const pttl = await raw.pttl(id('compat'));
    assert.ok(pttl > 290_000 && pttl <= 300_000, `keyTtl 5m, PTTL ${pttl}`);
    assert.equal((await store.get([id('compat')])).get(id('compat'))?.lastBeatMs, 1_700_000_001_000);
    assert.deepEqual(decodeHeartbeatValue('1:1700000001:10.9.8.7|3', true), {
      lastBeatMs: 1_700_000_001_000,
      serverHost: '10.9.8.7',
      count: 3,
    });
  });

  test('10k records: put and get in one round trip each, every key with a TTL', async (t) => {
    const store = newStore();
    await store.waitConnected();
    const n = 10_000;
    const now = Date.now();
    const records = Array.from({ length: n }, (_, i) => ({ id: id(`bulk-${i}`), lastBeatMs: now - (i % 50) * 1000 }));
    const ids = records.map((r) => r.id);

    let trips = store.stats().roundTrips;
    let start = performance.now();
    await store.put(records);
    const putMs = performance.now() - start;
    const putTrips = store.stats().roundTrips - trips;

    trips = store.stats().roundTrips;
    start = performance.now();
    const got = await store.get(ids);
    const getMs = performance.now() - start;
    const getTrips = store.stats().roundTrips - trips;

    t.diagnostic(`10k put: ${putMs.toFixed(1)} ms in ${putTrips} round trip(s); 10k get: ${getMs.toFixed(1)} ms in ${getTrips} round trip(s) (10 MGETs)`);
    assert.equal(putTrips, 1);
    assert.equal(getTrips, 1);
    assert.equal(got.size, n);
    for (const r of records) assert.equal(got.get(r.id)?.lastBeatMs, Math.floor(r.lastBeatMs / 1000) * 1000);

    // Every key has an expiry (sampled through one pipeline).
    const sample = ids.filter((_, i) => i % 97 === 0).map((i) => `hb_${i}`);
    const pttls = (await raw.pipeline(sample.map((k) => ['pttl', k])).exec())!.map(([, v]) => v as number);
    assert.ok(pttls.every((p) => p > 0), 'PTTL > 0 for every sampled key');

    start = performance.now();
    await store.delete(ids);
    t.diagnostic(`10k delete: ${(performance.now() - start).toFixed(1)} ms`);
    assert.equal((await store.get(ids)).size, 0);
  });

  test('a second node sees the beats written by the first, and the latest write wins', async () => {
    const nodeA = newStore({}, '10.0.0.1');
    const nodeB = newStore({}, '10.0.0.2');
    await Promise.all([nodeA.waitConnected(), nodeB.waitConnected()]);
    await nodeA.put([{ id: id('shared'), lastBeatMs: 1_700_000_010_000 }]);
    assert.equal((await nodeB.get([id('shared')])).get(id('shared'))?.lastBeatMs, 1_700_000_010_000);
    await nodeB.put([{ id: id('shared'), lastBeatMs: 1_700_000_015_000 }]);
    assert.equal((await nodeA.get([id('shared')])).get(id('shared'))?.lastBeatMs, 1_700_000_015_000);
    assert.equal(await raw.get(`hb_${id('shared')}`), '1700000015:10.0.0.2|0');
    await nodeA.delete([id('shared')]);
    assert.equal((await nodeB.get([id('shared')])).size, 0);
  });

  test('the DB option selects the database', async () => {
    const store = newStore({ DB: 3 });
    await store.waitConnected();
    await store.put([{ id: id('db3'), lastBeatMs: 1_700_000_000_000 }]);
    assert.equal(await raw.exists(`hb_${id('db3')}`), 0, 'not in DB 0');
    const db3 = new Redis({ host: '127.0.0.1', port: 6379, db: 3, lazyConnect: true });
    try {
      await db3.connect();
      assert.equal(await db3.get(`hb_${id('db3')}`), '1700000000:10.0.0.1|0');
      await db3.del(`hb_${id('db3')}`);
    } finally {
      db3.disconnect();
    }
  });

  test('close(): later calls reject', async () => {
    const store = createRedisHeartbeatStore({ kvAddr: ADDR }, { logger, serverHost: '10.0.0.1' });
    await store.waitConnected();
    await store.close();
    await assert.rejects(store.get([id('x')]), /closed/);
    await assert.rejects(store.put([{ id: id('x'), lastBeatMs: 1 }]), /closed/);
    await store.close(); // idempotent
  });
});

// ---------------------------------------------------------------- outage (private redis-server)

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port }, () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Time a promise takes to settle, and whether it rejected. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; rejected: boolean; error?: unknown }> {
  const start = performance.now();
  try {
    await p;
    return { ms: performance.now() - start, rejected: false };
  } catch (error) {
    return { ms: performance.now() - start, rejected: true, error };
  }
}

describe('heartbeatRedis outage (private redis-server)', () => {
  let port: number;
  let child: ChildProcess | undefined;

  before(async () => {
    port = await freePort();
    child = await startRedis(port);
  });
  after(async () => {
    if (child) await stopRedis(child);
  });

  test('killed Redis: get/put/delete reject fast; restarted: the same store works again', async (t) => {
    const store = createRedisHeartbeatStore(
      { kvAddr: `127.0.0.1:${port}`, connectTimeout: '300ms', msgTimeout: '300ms' },
      { logger, serverHost: '10.0.0.1' },
    );
    stores.push(store);
    await store.waitConnected();
    await store.put([{ id: 'before', lastBeatMs: 1_700_000_000_000 }]);
    assert.equal((await store.get(['before'])).size, 1);

    await stopRedis(child!);
    child = undefined;
    const results = [
      await timed(store.get(['before'])),
      await timed(store.put([{ id: 'during', lastBeatMs: 1_700_000_001_000 }])),
      await timed(store.delete(['before'])),
    ];
    // Calls made a bit later, while ioredis is backing off between reconnects.
    await new Promise((r) => setTimeout(r, 500));
    results.push(await timed(store.get(['before'])), await timed(store.put([{ id: 'x', lastBeatMs: 1 }])));
    t.diagnostic(`while down: ${results.map((r) => `${r.ms.toFixed(0)} ms`).join(', ')}`);
    for (const r of results) {
      assert.equal(r.rejected, true);
      // connectTimeout (300 ms) + retries of writes (2 × 30 ms) at most; usually immediate.
      assert.ok(r.ms < 1000, `rejected within the timeout, took ${r.ms.toFixed(0)} ms`);
    }
    assert.equal(store.isAvailable(), false);

    child = await startRedis(port);
    const start = performance.now();
    for (;;) {
      const r = await timed(store.get(['before']));
      if (!r.rejected) break;
      assert.ok(performance.now() - start < 10_000, 'store reconnects within 10 s');
      await new Promise((res) => setTimeout(res, 50));
    }
    t.diagnostic(`usable again ${(performance.now() - start).toFixed(0)} ms after the restart`);
    await store.put([{ id: 'after', lastBeatMs: 1_700_000_002_000 }]);
    const got = await store.get(['after', 'before', 'during']);
    assert.deepEqual([...got.keys()], ['after'], 'fresh server (no persistence); nothing replayed from the outage');
  });

  test('a hung Redis (SIGSTOP): calls reject after msgTimeout instead of hanging; SIGCONT: works again', async (t) => {
    if (!child) child = await startRedis(port);
    const store = createRedisHeartbeatStore(
      { kvAddr: `127.0.0.1:${port}`, msgTimeout: '200ms', maxRetry: 1 },
      { logger, serverHost: '10.0.0.1' },
    );
    stores.push(store);
    await store.waitConnected();
    await store.put([{ id: 'h', lastBeatMs: 1_700_000_000_000 }]);
    child.kill('SIGSTOP');
    try {
      const get = await timed(store.get(['h']));
      const put = await timed(store.put([{ id: 'h', lastBeatMs: 1_700_000_009_000 }]));
      t.diagnostic(`hung: get rejected after ${get.ms.toFixed(0)} ms, put (1 retry) after ${put.ms.toFixed(0)} ms`);
      assert.equal(get.rejected, true);
      assert.match(String(get.error), /timed out/i);
      assert.ok(get.ms >= 150 && get.ms < 1000, `get bounded by msgTimeout, took ${get.ms.toFixed(0)} ms`);
      assert.equal(put.rejected, true);
      assert.ok(put.ms < 1500, `put bounded by 2 × msgTimeout + backoff, took ${put.ms.toFixed(0)} ms`);
      // Still silent after the socket timeout (2 s): the connection is dropped, calls fail at once.
      const start = performance.now();
      while (store.isAvailable()) {
        assert.ok(performance.now() - start < 5000, 'hung connection dropped');
        await new Promise((r) => setTimeout(r, 50));
      }
      const fast = await timed(store.get(['h']));
      t.diagnostic(`hung connection dropped after ${(performance.now() - start + get.ms + put.ms).toFixed(0)} ms; then get rejected in ${fast.ms.toFixed(0)} ms`);
      assert.equal(fast.rejected, true);
      assert.ok(fast.ms < 1000);
    } finally {
      child.kill('SIGCONT');
    }
    await store.waitConnected(10_000);
    await store.put([{ id: 'h2', lastBeatMs: 1_700_000_020_000 }]);
    const got = await store.get(['h2', 'h']);
    assert.equal(got.get('h2')?.lastBeatMs, 1_700_000_020_000);
    assert.ok(got.has('h'));
  });

  test('Redis down at start: calls reject, then the store connects on its own', async () => {
    const downPort = await freePort();
    const store = createRedisHeartbeatStore({ kvAddr: `127.0.0.1:${downPort}` }, { logger, serverHost: '10.0.0.1' });
    stores.push(store);
    const r = await timed(store.get(['a']));
    assert.equal(r.rejected, true);
    assert.ok(r.ms < 1000);
    await assert.rejects(store.waitConnected(300), /not reachable/);
    const late = await startRedis(downPort);
    try {
      await store.waitConnected(10_000);
      await store.put([{ id: 'a', lastBeatMs: 1_700_000_000_000 }]);
      assert.equal((await store.get(['a'])).size, 1);
    } finally {
      await stopRedis(late);
    }
  });
});
