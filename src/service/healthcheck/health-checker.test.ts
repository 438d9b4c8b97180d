import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { ManualClock, manualTicker } from '../../common/timewheel/clock.js';
import {
  HealthChecker,
  type CheckedInstance,
  type HealthChange,
  type HealthCheckerConfig,
} from './health-checker.js';
import { MemoryHeartbeatStore } from './memory-heartbeat-store.js';
import type { HeartbeatRecord, HeartbeatStore } from './heartbeat-store.js';

const S = 1000;
const CONFIG: HealthCheckerConfig = { slotNum: 30, minCheckIntervalMs: 1 * S, maxCheckIntervalMs: 30 * S };

/** A checker over a fake instance cache that applies delivered flips (unless `applyFlips` is false). */
function setup(opts: { start?: number; config?: Partial<HealthCheckerConfig>; store?: HeartbeatStore; applyFlips?: boolean } = {}) {
  const clock = new ManualClock(opts.start ?? 0);
  const store = opts.store ?? new MemoryHeartbeatStore();
  const cache = new Map<string, CheckedInstance>();
  const deliveries: HealthChange[][] = [];
  let failDeliveries = 0;
  const checker = new HealthChecker(
    {
      clock,
      store,
      instances: { get: (id) => cache.get(id) },
      onHealthChange: async (changes) => {
        if (failDeliveries > 0) {
          failDeliveries--;
          throw new Error('store down');
        }
        deliveries.push(changes);
        if (opts.applyFlips !== false) {
          for (const c of changes) {
            const inst = cache.get(c.id);
            if (inst) cache.set(c.id, { ...inst, healthy: c.healthy });
          }
        }
      },
      logger: pino({ level: 'silent' }),
      ticker: manualTicker,
    },
    { ...CONFIG, ...opts.config },
  );
  const register = (id: string, ttlSec = 5, healthy = true): CheckedInstance => {
    const inst = { id, healthy, enableHealthCheck: true, ttlSec };
    cache.set(id, inst);
    checker.track(inst);
    return inst;
  };
  /** Moves the clock to `ms` one second at a time, running the checker at each step. */
  const runUntil = async (ms: number): Promise<void> => {
    while (clock.now() < ms) {
      clock.set(Math.min(ms, clock.now() + S));
      await checker.tick();
    }
  };
  const flips = (): HealthChange[] => deliveries.flat();
  return {
    clock, store, cache, checker, deliveries, register, runUntil, flips,
    failNextDeliveries: (n: number) => (failDeliveries = n),
  };
}

test('an instance without beats turns unhealthy at 3×TTL after its last beat, not before, and only once', async () => {
  const h = setup();
  await h.checker.start();
  h.register('a', 5);
  for (let t = 1; t <= 10; t++) {
    await h.runUntil(t * S);
    await h.checker.heartbeat('a', 5);
  }
  await h.runUntil(24_999);
  assert.deepEqual(h.flips(), [], 'still healthy just before last beat + 15 s');
  await h.runUntil(25 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
  assert.equal(h.cache.get('a')!.healthy, false, 'it stays registered, marked unhealthy');
  await h.runUntil(200 * S);
  assert.equal(h.flips().length, 1, 'marked once');
  assert.ok(h.checker.isTracked('a'), 'a dead instance keeps being watched');
});

test('a flip is not resent while the instance cache has not caught up', async () => {
  const h = setup({ applyFlips: false });
  await h.checker.start();
  h.register('a', 2);
  await h.runUntil(60 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
});

test('an unhealthy instance turns healthy on its next beat, at once', async () => {
  const h = setup();
  await h.checker.start();
  h.register('a', 1);
  await h.runUntil(3 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
  await h.checker.heartbeat('a', 1);
  await h.checker.tick(); // no time passes: only flushes the delivery
  assert.deepEqual(h.flips(), [
    { id: 'a', healthy: false },
    { id: 'a', healthy: true },
  ]);
  await h.checker.heartbeat('a', 1);
  await h.checker.tick();
  assert.equal(h.flips().length, 2, 'further beats change nothing');
});

test('an unhealthy instance whose beats reach the store through another node is turned healthy by a check', async () => {
  const store = new MemoryHeartbeatStore();
  const h = setup({ store });
  await h.checker.start();
  h.register('a', 5);
  await h.runUntil(15 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
  await store.put([{ id: 'a', lastBeatMs: 16 * S }]); // written by a peer
  await h.runUntil(21 * S);
  assert.deepEqual(h.flips().at(-1), { id: 'a', healthy: true });
});

test('a just-registered instance counts as having beaten at registration', async () => {
  const h = setup({ start: 100 * S });
  await h.checker.start();
  await h.runUntil(200 * S);
  // Registration reached the checker; the instance cache has not loaded it yet.
  h.checker.track({ id: 'a', healthy: true, enableHealthCheck: true, ttlSec: 5 });
  await h.checker.heartbeat('a', 5); // the first beat right after register is accepted
  await h.runUntil(201 * S);
  h.cache.set('a', { id: 'a', healthy: true, enableHealthCheck: true, ttlSec: 5 });
  await h.runUntil(214_999);
  assert.deepEqual(h.flips(), [], 'not before 3×TTL after the beat at 200 s');
  await h.runUntil(215 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);

  // Without any beat: protected for 3×TTL from registration.
  h.register('b', 5); // at 215 s
  await h.runUntil(229_999);
  assert.equal(h.flips().length, 1);
  await h.runUntil(230 * S);
  assert.deepEqual(h.flips().at(-1), { id: 'b', healthy: false });
});

test('a beat before the instance is known is accepted, and the id is forgotten if it never shows up', async () => {
  const h = setup();
  await h.checker.start();
  await h.checker.heartbeat('ghost', 5);
  assert.equal(h.checker.trackedCount(), 1);
  assert.equal((h.store as MemoryHeartbeatStore).size(), 1);
  await h.runUntil(14 * S);
  assert.equal(h.checker.trackedCount(), 1);
  await h.runUntil(16 * S);
  assert.equal(h.checker.trackedCount(), 0);
  assert.equal((h.store as MemoryHeartbeatStore).size(), 0);
  assert.deepEqual(h.flips(), []);
});

test('restart protection: nothing turns unhealthy for 3×TTL after start, dead instances are caught after', async () => {
  const store = new MemoryHeartbeatStore();
  // Beats written before the restart (long ago for "dead", recent for "alive").
  await store.put([
    { id: 'dead', lastBeatMs: 1_000 * S },
    { id: 'alive', lastBeatMs: 1_999 * S },
  ]);
  const h = setup({ start: 2_000 * S, store });
  // The cache loads everything, then the checker starts a bit later.
  h.register('dead', 5);
  h.register('alive', 5);
  h.register('slow', 20);
  h.register('already-down', 5, false);
  await h.runUntil(2_003 * S);
  await h.checker.start(); // startedAt = 2003 s
  for (let t = 2_004; t <= 2_063; t++) {
    await h.runUntil(t * S);
    if (t % 5 === 0) await h.checker.heartbeat('alive', 5);
    if (t === 2_017) assert.deepEqual(h.flips(), [], 'nothing before start + 15 s');
    if (t === 2_062) assert.equal(h.flips().length, 1, 'TTL 20 is protected for 60 s');
  }
  const flips = h.flips();
  assert.deepEqual(flips.slice(0, 1), [{ id: 'dead', healthy: false }]);
  assert.ok(!flips.some((f) => f.id === 'alive'), 'a beating instance stays healthy');
  assert.ok(!flips.some((f) => f.id === 'already-down'), 'protection never turns an instance healthy');
  assert.deepEqual(flips.find((f) => f.id === 'slow'), { id: 'slow', healthy: false }, 'caught at start + 60 s');
  assert.equal(flips.length, 2);
});

test('the dead instance is marked exactly at start + 3×TTL', async () => {
  const h = setup({ start: 50 * S });
  h.register('dead', 5);
  await h.checker.start();
  await h.runUntil(64 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(65 * S);
  assert.deepEqual(h.flips(), [{ id: 'dead', healthy: false }]);
});

test('startupGraceMs holds every verdict until it has passed', async () => {
  const h = setup({ config: { startupGraceMs: 60 * S } });
  h.register('dead', 1);
  await h.checker.start();
  await h.runUntil(59 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(60 * S);
  assert.deepEqual(h.flips(), [{ id: 'dead', healthy: false }]);
});

test('untrack releases the record, the wheel entry, pending work and the store record', async () => {
  const store = new MemoryHeartbeatStore();
  const h = setup({ store });
  await h.checker.start();
  for (let i = 0; i < 100; i++) {
    h.register(`i${i}`);
    void h.checker.heartbeat(`i${i}`);
  }
  await h.checker.tick();
  assert.equal(store.size(), 100);
  assert.equal(h.checker.stats().scheduledChecks, 100);
  for (let i = 0; i < 100; i++) {
    h.checker.untrack(`i${i}`);
    h.cache.delete(`i${i}`);
  }
  await h.checker.tick();
  assert.equal(h.checker.trackedCount(), 0);
  assert.equal(store.size(), 0);
  const { tickLagMs: _lag, ...counts } = h.checker.stats();
  assert.deepEqual(counts, {
    tracked: 0,
    scheduledChecks: 0,
    dueChecks: 0,
    pendingBeatWrites: 0,
    pendingDeletes: 0,
    pendingChanges: 0,
  });
  await h.runUntil(100 * S);
  assert.deepEqual(h.flips(), [], 'a deregistered instance is never marked');
});

test('a beat racing a deregistration does not resurrect the store record after untrack', async () => {
  const store = new MemoryHeartbeatStore();
  const h = setup({ store });
  await h.checker.start();
  h.register('a');
  const beat = h.checker.heartbeat('a');
  h.checker.untrack('a');
  await beat;
  await h.checker.tick();
  assert.equal(store.size(), 0);
  assert.equal(h.checker.trackedCount(), 0);
});

test('instances without health check are neither tracked nor stored', async () => {
  const store = new MemoryHeartbeatStore();
  const h = setup({ store });
  await h.checker.start();
  h.cache.set('plain', { id: 'plain', healthy: true, enableHealthCheck: false, ttlSec: 5 });
  await h.checker.heartbeat('plain', 5);
  h.checker.track(h.cache.get('plain')!);
  assert.equal(h.checker.trackedCount(), 0);
  assert.equal(store.size(), 0);

  // Health check switched off by a re-registration: the next check drops it.
  h.register('x', 5);
  h.cache.set('x', { id: 'x', healthy: true, enableHealthCheck: false, ttlSec: 5 });
  await h.runUntil(16 * S);
  assert.equal(h.checker.trackedCount(), 0);
  assert.deepEqual(h.flips(), []);
});

test('flips of one tick are coalesced into one delivery', async () => {
  const h = setup();
  await h.checker.start();
  for (let i = 0; i < 500; i++) h.register(`i${i}`, 5);
  await h.runUntil(15 * S);
  assert.equal(h.deliveries.length, 1);
  assert.equal(h.deliveries[0].length, 500);
  assert.ok(h.deliveries[0].every((c) => c.healthy === false));
});

test('a failed delivery is retried by the next check', async () => {
  const h = setup();
  await h.checker.start();
  h.register('a', 1);
  h.failNextDeliveries(1);
  await h.runUntil(3 * S);
  assert.deepEqual(h.flips(), []);
  assert.equal(h.cache.get('a')!.healthy, true);
  await h.runUntil(4 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
});

test('a failing heartbeat store answers HeartbeatException to the caller', async () => {
  const broken: HeartbeatStore = {
    name: 'broken',
    put: async () => {
      throw new Error('connection refused');
    },
    get: async () => new Map<string, HeartbeatRecord>(),
    delete: async () => {},
  };
  const h = setup({ store: broken });
  await h.checker.start();
  h.register('a');
  await assert.rejects(h.checker.heartbeat('a'), (err: unknown) => {
    assert.ok(err instanceof PolarisError);
    assert.equal(err.code, Code.HeartbeatException);
    return true;
  });
  // The local beat still protects the instance from a false expiry.
  await h.runUntil(14 * S);
  assert.deepEqual(h.flips(), []);
});

test('a store that cannot be read delays verdicts instead of guessing', async () => {
  let down = true;
  const mem = new MemoryHeartbeatStore();
  const flaky: HeartbeatStore = {
    name: 'flaky',
    put: (r) => mem.put(r),
    get: async (ids) => {
      if (down) throw new Error('timeout');
      return mem.get(ids);
    },
    delete: (ids) => mem.delete(ids),
  };
  const h = setup({ store: flaky });
  await h.checker.start();
  h.register('a', 1);
  await h.runUntil(10 * S);
  assert.deepEqual(h.flips(), []);
  down = false;
  // The store works again at 11 s: 'a' (never beat) is only marked one expire window (3 s) later.
  await h.runUntil(13 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(14 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
});

/** A store shared with "peer" nodes whose reads and writes fail while `down` is set. */
function outageStore() {
  const shared = new MemoryHeartbeatStore();
  const state = { down: false, readsDown: false, writesDown: false, calls: { get: 0, put: 0 } };
  const fail = (what: 'read' | 'write'): boolean => state.down || (what === 'read' ? state.readsDown : state.writesDown);
  const store: HeartbeatStore = {
    name: 'outage',
    put: async (r) => {
      state.calls.put++;
      if (fail('write')) throw new Error('ECONNREFUSED');
      await shared.put(r);
    },
    get: async (ids) => {
      state.calls.get++;
      if (fail('read')) throw new Error('ECONNREFUSED');
      return shared.get(ids);
    },
    delete: async (ids) => {
      if (fail('write')) throw new Error('ECONNREFUSED');
      await shared.delete(ids);
    },
  };
  /** A beat received by another node: written straight to the shared store, unless it is down. */
  const peerBeat = async (id: string, ms: number): Promise<void> => {
    if (!fail('write')) await shared.put([{ id, lastBeatMs: ms }]);
  };
  return { store, shared, state, peerBeat };
}

test('store outage: no verdicts while down, no mass expiry for 3×TTL after it is back, dead instances caught after', async () => {
  const o = outageStore();
  const h = setup({ store: o.store });
  await h.checker.start();
  const n = 200;
  for (let i = 0; i < n; i++) h.register(`i${i}`, 5);
  h.register('dead', 5); // never beats at all
  // Every instance beats every 5 s through peer nodes.
  const peersBeat = async (): Promise<void> => {
    for (let i = 0; i < n; i++) await o.peerBeat(`i${i}`, h.clock.now());
  };
  for (let t = 0; t < 60; t += 5) {
    await h.runUntil(t * S);
    await peersBeat();
  }
  assert.deepEqual(h.flips(), [{ id: 'dead', healthy: false }], 'only the silent instance');

  // Redis dies at 60 s for a minute; the peers' beats are lost.
  o.state.down = true;
  for (let t = 60; t < 120; t += 5) {
    await h.runUntil(t * S);
    await peersBeat();
  }
  await h.runUntil(120 * S);
  assert.equal(h.flips().length, 1, 'a failing read decides nothing');
  assert.ok(o.state.calls.get > 0);

  // Back at 120 s. The stored beats are a minute old, but nothing expires for one window (15 s).
  o.state.down = false;
  const recoveredAt = 121 * S; // first successful read: the next 1 s tick
  for (let t = 120; t < 150; t += 5) {
    await h.runUntil(t * S);
    if (t >= 125) await peersBeat(); // clients resume beating a little after the recovery
  }
  await h.runUntil(recoveredAt + 15 * S - 1);
  assert.equal(h.flips().length, 1, 'no mass expiry right after the recovery');
  await h.runUntil(recoveredAt + 15 * S + S);
  assert.equal(h.flips().length, 1, 'live instances (beating again) stay healthy');

  // A new instance that never beats is caught as usual, while the others keep beating.
  h.register('x', 5); // counts as a beat at registration (~137 s)
  for (let t = 140; t <= 160; t += 5) {
    await h.runUntil(t * S);
    await peersBeat();
  }
  assert.deepEqual(h.flips().slice(1), [{ id: 'x', healthy: false }]);
});

test('store outage: an instance already dead before the outage is marked one window after the recovery', async () => {
  const o = outageStore();
  const h = setup({ store: o.store, start: 1000 * S });
  await h.checker.start();
  h.register('a', 5);
  await o.peerBeat('a', 1000 * S);
  // Redis goes down before 'a' would expire (15 s) and stays down 30 s.
  await h.runUntil(1010 * S);
  o.state.down = true;
  await h.runUntil(1040 * S);
  assert.deepEqual(h.flips(), []);
  o.state.down = false;
  await h.runUntil(1041 * S); // recovery observed here
  await h.runUntil(1055 * S);
  assert.deepEqual(h.flips(), [], 'recovery counts as a beat');
  await h.runUntil(1057 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
});

test('store outage: failing writes (e.g. a read-only replica) also open a grace window once they work again', async () => {
  const o = outageStore();
  const h = setup({ store: o.store });
  await h.checker.start();
  h.register('local', 5);
  h.register('remote', 5);
  await o.peerBeat('remote', 0);
  o.state.writesDown = true;
  // 'local' beats through this node: the beat is answered with an error but still protects it.
  for (let t = 1; t <= 40; t++) {
    await h.runUntil(t * S);
    if (t % 5 === 0) {
      await assert.rejects(h.checker.heartbeat('local', 5), (e: unknown) => e instanceof PolarisError);
      await o.peerBeat('remote', t * S); // lost: the write fails
    }
  }
  assert.deepEqual(h.flips(), [], 'reads still work, but lost writes must not expire anyone');
  o.state.writesDown = false;
  await h.checker.heartbeat('local', 5); // first successful write at 40 s
  await h.runUntil(54 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(60 * S);
  assert.deepEqual(
    h.flips().map((f) => `${f.id}:${f.healthy}`).sort(),
    ['local:false', 'remote:false'],
    'both stopped beating: marked one window after the writes work again',
  );
});

test('a shorter TTL from a re-registration moves the next check earlier', async () => {
  const h = setup();
  await h.checker.start();
  h.register('a', 60); // first check at max interval (30 s)
  await h.runUntil(1 * S);
  h.register('a', 1); // re-registered at 1 s with TTL 1
  await h.runUntil(3 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(4 * S);
  assert.deepEqual(h.flips(), [{ id: 'a', healthy: false }]);
});

test('100k tracked instances: each heartbeat is O(1) and one put carries them all', async (t) => {
  let puts = 0;
  const mem = new MemoryHeartbeatStore();
  const counting: HeartbeatStore = {
    name: 'counting',
    put: (r) => {
      puts++;
      return mem.put(r);
    },
    get: (ids) => mem.get(ids),
    delete: (ids) => mem.delete(ids),
  };
  const h = setup({ store: counting });
  await h.checker.start();
  const n = 100_000;
  for (let i = 0; i < n; i++) h.register(`ins-${i}`, 5);

  await h.runUntil(10 * S);
  const begin = process.hrtime.bigint();
  const beats: Promise<void>[] = [];
  for (let i = 0; i < n; i++) beats.push(h.checker.heartbeat(`ins-${i}`, 5));
  const beatNs = process.hrtime.bigint() - begin;
  await Promise.all(beats);
  t.diagnostic(`100k heartbeats: ${(Number(beatNs) / 1e6).toFixed(1)} ms (${(Number(beatNs) / n).toFixed(0)} ns/beat)`);
  assert.equal(puts, 1, 'beats of one turn are written in one batch');
  assert.equal(mem.size(), n);
  assert.equal(h.checker.stats().scheduledChecks, n, 'one wheel entry per instance, beats add none');

  const checkBegin = process.hrtime.bigint();
  await h.runUntil(24 * S);
  assert.deepEqual(h.flips(), []);
  await h.runUntil(25 * S);
  t.diagnostic(`checks 10 s → 25 s: ${(Number(process.hrtime.bigint() - checkBegin) / 1e6).toFixed(1)} ms`);
  const flips = h.flips();
  assert.equal(flips.length, n);
  assert.equal(new Set(flips.map((f) => f.id)).size, n);
  assert.ok(h.deliveries.length <= Math.ceil(n / 1000), 'delivered in batches');
});

test('start()/stop(): the ticker drives checks and stop waits for in-flight work', async () => {
  const clock = new ManualClock(0);
  let onTick: (() => void) | undefined;
  let stopped = false;
  const delivered: HealthChange[] = [];
  const checker = new HealthChecker(
    {
      clock,
      store: new MemoryHeartbeatStore(),
      instances: { get: (id) => ({ id, healthy: true, enableHealthCheck: true, ttlSec: 1 }) },
      onHealthChange: async (c) => {
        await new Promise((r) => setImmediate(r));
        delivered.push(...c);
      },
      logger: pino({ level: 'silent' }),
      ticker: {
        start(ms, fn) {
          assert.equal(ms, 1000);
          onTick = fn;
          return () => (stopped = true);
        },
      },
    },
    CONFIG,
  );
  checker.track({ id: 'a', healthy: true, enableHealthCheck: true, ttlSec: 1 });
  await checker.start();
  clock.set(3 * S);
  onTick!();
  await checker.stop();
  assert.equal(stopped, true);
  assert.deepEqual(delivered, [{ id: 'a', healthy: false }]);
});

test('rejects an invalid config', () => {
  const deps = {
    clock: new ManualClock(),
    store: new MemoryHeartbeatStore(),
    instances: { get: () => undefined },
    onHealthChange: () => {},
    logger: pino({ level: 'silent' }),
  };
  assert.throws(() => new HealthChecker(deps, { slotNum: 30, minCheckIntervalMs: 0, maxCheckIntervalMs: 1 }), RangeError);
  assert.throws(() => new HealthChecker(deps, { slotNum: 30, minCheckIntervalMs: 5, maxCheckIntervalMs: 1 }), RangeError);
  assert.throws(() => new HealthChecker(deps, { slotNum: 0, minCheckIntervalMs: 1, maxCheckIntervalMs: 1 }), RangeError);
});

test('a re-registration restarts the protection window; a cache reload does not', async () => {
  const h = setup();
  await h.checker.start();
  h.register('re', 5);
  h.register('loaded', 5);
  await h.runUntil(10 * S);
  h.checker.track(h.cache.get('re')!, 'register');
  h.checker.track(h.cache.get('loaded')!, 'load');
  await h.runUntil(15 * S);
  assert.deepEqual(h.flips(), [{ id: 'loaded', healthy: false }]);
  await h.runUntil(24_999);
  assert.equal(h.flips().length, 1);
  await h.runUntil(25 * S);
  assert.deepEqual(h.flips().at(-1), { id: 're', healthy: false });
});
