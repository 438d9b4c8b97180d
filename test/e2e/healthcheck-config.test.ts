import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { HEARTBEAT_KEY_PREFIX } from '../../src/service/healthcheck/redis-heartbeat-store.js';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { discoverOnce, polarisClient, unary } from '../helpers/grpc-client.js';

/**
 * A heartbeat config turns the health check on, as in polaris (issue 15 §1): older SDKs and the
 * console send `health_check {type: HEARTBEAT, heartbeat {ttl}}` without `enable_health_check`.
 * On the real clock, through the running daemon, with both heartbeat stores: such an instance
 * turns unhealthy 3×TTL after its last beat (or its registration), no earlier and at most 2 s
 * later, and healthy again on the next beat; an instance without any health-check config (or with
 * the check explicitly off) is never flipped.
 */

const REDIS_CHECKER = '  checkers:\n    - name: heartbeatRedis\n      option:\n        kvAddr: 127.0.0.1:6379\n        msgTimeout: 500ms';
const LATE_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const w = (value: unknown) => ({ value });
const u = () => `hc${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

interface Node {
  label: string;
  d: Daemon;
  client: any;
}

async function listed(node: Node, id: string): Promise<any> {
  const r = await call(node.d.http, 'GET', `/naming/v1/instances?id=${id}`);
  assert.equal(r.body.code, 200000, r.text);
  assert.equal(r.body.instances.length, 1, `instance ${id} is listed`);
  return r.body.instances[0];
}

/** Polls every 100 ms until the instance's health is `want`; resolves the time it was seen so. */
async function seenHealthy(node: Node, id: string, want: boolean, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const inst = await listed(node, id);
    const now = Date.now();
    if (inst.healthy === want) return now;
    if (now > deadline) assert.fail(`instance ${id} not ${want ? 'healthy' : 'unhealthy'} within ${withinMs} ms`);
    await sleep(100);
  }
}

/** Asserts the flip to unhealthy came no earlier than 3×TTL and at most LATE_MS later than `from`. */
async function expectExpiry(node: Node, id: string, ttlSec: number, from: number, what: string): Promise<void> {
  const seen = await seenHealthy(node, id, false, 3 * ttlSec * 1000 + LATE_MS + 3000);
  const after = seen - from;
  assert.ok(after >= 3 * ttlSec * 1000, `${what}: unhealthy ${after} ms after the last beat, before 3×TTL`);
  assert.ok(after <= 3 * ttlSec * 1000 + LATE_MS, `${what}: unhealthy ${after} ms after the last beat, later than 3×TTL + 2 s`);
  lateness.push(`${node.label} ${what}: +${after - 3 * ttlSec * 1000} ms`);
}

/** How long after 3×TTL each flip was seen (reported as test diagnostics). */
const lateness: string[] = [];

async function grpcRegister(node: Node, ns: string, host: string, extra: Record<string, unknown>): Promise<string> {
  const reg = await unary(node.client, 'RegisterInstance', { service: w('hb'), namespace: w(ns), host: w(host), port: w(8080), ...extra });
  assert.equal(reg.code.value, 200000, JSON.stringify(reg));
  return reg.instance.id.value;
}

async function httpRegister(node: Node, ns: string, host: string, extra: Record<string, unknown>): Promise<string> {
  const r = await call(node.d.http, 'POST', '/v1/RegisterInstance', { service: 'hb', namespace: ns, host, port: 8080, ...extra });
  assert.equal(r.body.code, 200000, r.text);
  return r.body.instance.id;
}

async function grpcBeat(node: Node, id: string): Promise<void> {
  assert.equal((await unary(node.client, 'Heartbeat', { id: w(id) })).code.value, 200000);
}

async function httpBeat(node: Node, id: string): Promise<void> {
  assert.equal((await call(node.d.http, 'POST', '/v1/Heartbeat', { id })).body.code, 200000);
}

/** The whole scenario against one daemon; the cases run side by side on the real clock. */
async function scenario(node: Node): Promise<void> {
  const ns = u();
  const started = Date.now();
  // Never flipped: no health-check config at all (would expire after 3×5 s if it were checked),
  // and a heartbeat block with the check explicitly off (would expire after 3 s).
  const plainGrpc = await grpcRegister(node, ns, '10.0.0.1', {});
  const plainHttp = await httpRegister(node, ns, '10.0.0.2', {});
  const off = await grpcRegister(node, ns, '10.0.0.3', {
    enable_health_check: w(false),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } },
  });
  await grpcBeat(node, plainGrpc);

  const cases: Promise<void>[] = [];

  // gRPC, heartbeat block only, TTL 2, never a beat: unhealthy 6 s after registration.
  cases.push(
    (async () => {
      const from = Date.now();
      const id = await grpcRegister(node, ns, '10.1.0.1', { health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(2) } } });
      const inst = await listed(node, id);
      assert.equal(inst.enableHealthCheck, true, 'stored with the check on');
      assert.equal(inst.healthCheck.heartbeat.ttl, 2);
      assert.equal(inst.healthy, true);
      await expectExpiry(node, id, 2, from, 'gRPC, no beat');
      const disc = await discoverOnce(node.client, { type: 'INSTANCE', service: { name: w('hb'), namespace: w(ns) } });
      const mine = disc.instances.find((i: any) => i.id.value === id);
      assert.equal(mine.healthy.value ?? false, false, 'Discover shows it unhealthy');
      assert.equal(mine.enable_health_check.value, true);
      await grpcBeat(node, id);
      await seenHealthy(node, id, true, LATE_MS);
    })(),
  );

  // gRPC, heartbeat block only, TTL 1, one beat then silence: unhealthy 3 s after the beat.
  cases.push(
    (async () => {
      const id = await grpcRegister(node, ns, '10.1.0.2', { health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } } });
      await sleep(1500);
      const beat = Date.now();
      await grpcBeat(node, id);
      await expectExpiry(node, id, 1, beat, 'gRPC, one beat');
      await grpcBeat(node, id);
      await seenHealthy(node, id, true, LATE_MS);
      // And it is still checked after coming back.
      const again = Date.now();
      await grpcBeat(node, id);
      await expectExpiry(node, id, 1, again, 'gRPC, after recovery');
    })(),
  );

  // HTTP, `healthCheck` without `enableHealthCheck`, TTL 2: answered with the check on, one beat.
  cases.push(
    (async () => {
      const id = await httpRegister(node, ns, '10.2.0.1', { healthCheck: { type: 'HEARTBEAT', heartbeat: { ttl: 2 } } });
      const inst = await listed(node, id);
      assert.equal(inst.enableHealthCheck, true);
      assert.deepEqual(inst.healthCheck, { type: 'HEARTBEAT', heartbeat: { ttl: 2 } });
      const beat = Date.now();
      await httpBeat(node, id);
      await expectExpiry(node, id, 2, beat, 'HTTP, one beat');
      await httpBeat(node, id);
      await seenHealthy(node, id, true, LATE_MS);
    })(),
  );

  // HTTP, TTL outside 1..60 is stored as 5 (console route and client route).
  cases.push(
    (async () => {
      const r = await call(node.d.http, 'POST', '/naming/v1/instances', [
        { service: 'hb', namespace: ns, host: '10.3.0.1', port: 1, health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 99 } } },
        { service: 'hb', namespace: ns, host: '10.3.0.2', port: 1, health_check: { heartbeat: {} } },
      ]);
      assert.equal(r.body.code, 200000, r.text);
      for (const item of r.body.responses) {
        const inst = await listed(node, item.instance.id);
        assert.equal(inst.enableHealthCheck, true);
        assert.equal(inst.healthCheck.heartbeat.ttl, 5);
      }
    })(),
  );

  await Promise.all(cases);

  // Long enough for a 5 s default TTL to have expired the instances that must never be checked.
  await sleep(Math.max(0, started + 3 * 5 * 1000 + LATE_MS - Date.now()));
  for (const id of [plainGrpc, plainHttp, off]) {
    const inst = await listed(node, id);
    assert.equal(inst.healthy, true, `${id} without a health check stays healthy`);
    assert.equal(inst.enableHealthCheck, false);
    assert.equal(inst.healthCheck, null);
  }
}

const nodes: Record<'memory' | 'redis', Node | undefined> = { memory: undefined, redis: undefined };

before(async () => {
  const [memory, redis] = await Promise.all([
    startDaemon(),
    startDaemon({ yaml: defaultYaml().replace('  checkers:\n    - name: heartbeatMemory', REDIS_CHECKER) }),
  ]);
  nodes.memory = { label: 'memory', d: memory, client: polarisClient(memory.ports.grpc) };
  nodes.redis = { label: 'redis', d: redis, client: polarisClient(redis.ports.grpc) };
});

after(async () => {
  for (const n of Object.values(nodes)) {
    n?.client.close();
    await n?.d.stop();
  }
});

describe('health checks from a heartbeat config', { concurrency: 2 }, () => {
  test('heartbeatMemory', { timeout: 120_000 }, async () => scenario(nodes.memory!));
  test('heartbeatRedis', { timeout: 120_000 }, async () => {
    // The beats really go through Redis: a beat leaves the instance's key there.
    const node = nodes.redis!;
    const id = await grpcRegister(node, u(), '10.9.0.1', { health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } } });
    await grpcBeat(node, id);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    try {
      await redis.connect();
      assert.equal(await redis.exists(`${HEARTBEAT_KEY_PREFIX}${id}`), 1, 'the beat is stored in Redis');
    } finally {
      redis.disconnect();
    }
    await scenario(node);
  });
});

after(() => console.log(`# flips seen after 3×TTL: ${lateness.join('; ')}`));
