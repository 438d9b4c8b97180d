/**
 * Throughput of the heartbeatRedis store against a real Redis: put / get / delete of N ids per call
 * (the checker's batch shape), repeated, after a warm-up.
 *
 *   node --import tsx bench/heartbeat-redis.bench.ts [ids=10000] [rounds=20] [kvAddr=127.0.0.1:6379]
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createRedisHeartbeatStore } from '../src/service/healthcheck/redis-heartbeat-store.js';

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 20);
const KV_ADDR = process.argv[4] ?? '127.0.0.1:6379';

const store = createRedisHeartbeatStore({ kvAddr: KV_ADDR }, { logger: pino({ level: 'silent' }), serverHost: '10.0.0.1' });
await store.waitConnected();

const run = randomBytes(4).toString('hex');
const ids = Array.from({ length: N }, (_, i) => `bench-${run}-${i.toString(16).padStart(8, '0')}`);

async function measure(label: string, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const times: number[] = [];
  const trips = store.stats().roundTrips;
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p50 = times[Math.floor(times.length / 2)] as number;
  const max = times[times.length - 1] as number;
  const perSec = (N / mean) * 1000;
  console.log(
    `${label.padEnd(8)} ${N} ids/call: mean ${mean.toFixed(1)} ms, p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms` +
      ` → ${Math.round(perSec).toLocaleString('en-US')} ids/s, ${(store.stats().roundTrips - trips) / ROUNDS} round trip(s)/call`,
  );
}

let tick = Date.now();
await measure('put', () => store.put(ids.map((id) => ({ id, lastBeatMs: (tick += 1) }))));
await measure('get', async () => {
  const got = await store.get(ids);
  if (got.size !== N) throw new Error(`expected ${N} records, got ${got.size}`);
});
await measure('delete', () => store.delete(ids));
await store.close();
