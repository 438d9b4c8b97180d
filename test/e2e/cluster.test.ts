/**
 * Cluster mode through real processes: three servers sharing MariaDB (127.0.0.1:3306) and Redis
 * (127.0.0.1:6379), as `.ci/run` provides them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, MAIN, startDaemon, TSX, type Daemon } from '../helpers/daemon.js';
import { discoverOnce, polarisClient, unary } from '../helpers/grpc-client.js';

const DB = uniqueDatabaseName();
const clusterYaml = (clusterId = 'cluster-a') => clusterConfigYaml(DB, clusterId);
const w = (value: unknown) => ({ value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Preloaded into one node: its wall clock (Date) runs 90 minutes ahead of the others. */
const CLOCK_SKEW = 'const realNow = Date.now; const skew = 90 * 60 * 1000; Date.now = () => realNow() + skew;';

const nodes: Daemon[] = [];
const clients: any[] = [];

before(async () => {
  for (let i = 0; i < 3; i++) {
    // One node runs in another time zone with a clock 90 minutes fast: nothing may depend on
    // wall-clock times across nodes.
    const skewed = i === 1;
    const d = await startDaemon({
      yaml: clusterYaml(),
      env: skewed ? { TZ: 'Asia/Kolkata' } : {},
      nodeArgs: skewed ? ['--import', `data:text/javascript,${encodeURIComponent(CLOCK_SKEW)}`] : [],
    });
    nodes.push(d);
    clients.push(polarisClient(d.ports.grpc));
  }
});

after(async () => {
  if (process.env.CLUSTER_DEBUG) for (const n of nodes) console.log(n.ports, n.proc.exitCode, n.output().split("\n").filter((l) => /WARN|ERROR|FATAL|rror/.test(l)).slice(0, 15).join("\n"));
  for (const c of clients) c.close();
  await Promise.all(nodes.map((n) => n.stop()));
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, step = 50): Promise<{ value: T; after: number }> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return { value: v, after: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(step);
  }
}

test('a write acknowledged on one node is visible through Discover on the others within 1 s', async () => {
  const ns = `cl${Date.now()}`;
  const reg = await unary(clients[0], 'RegisterInstance', { service: w('orders'), namespace: w(ns), host: w('10.1.0.1'), port: w(80) });
  assert.equal(reg.code.value, 200000);
  for (const c of clients.slice(1)) {
    const seen = await waitFor(async () => {
      const r = await discoverOnce(c, { type: 'INSTANCE', service: { name: w('orders'), namespace: w(ns) } });
      return (r.instances ?? []).length === 1 ? r : undefined;
    }, 3000);
    assert.ok(seen.after <= 1000, `visible after ${seen.after} ms`);
  }
});

test('beats sent to any node keep an instance healthy everywhere; silence turns it unhealthy everywhere', async () => {
  const ns = `hb${Date.now()}`;
  const inst = {
    service: w('pay'),
    namespace: w(ns),
    host: w('10.2.0.1'),
    port: w(80),
    enable_health_check: w(true),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } },
  };
  const reg = await unary(clients[0], 'RegisterInstance', inst);
  const id = reg.instance.id.value;
  const healthyOn = async (d: Daemon) => (await call(d.http, 'GET', `/naming/v1/instances?id=${id}`)).body.instances?.[0]?.healthy;
  // Beat round-robin through nodes 1 and 2 for 5 s (5 × TTL): it must stay healthy on all nodes.
  for (let i = 0; i < 10; i++) {
    const r = await unary(clients[1 + (i % 2)], 'Heartbeat', { id: w(id) });
    assert.equal(r.code.value, 200000);
    await sleep(500);
  }
  for (const d of nodes) assert.equal(await healthyOn(d), true);
  const down = await waitFor(async () => ((await Promise.all(nodes.map(healthyOn))).every((h) => h === false) ? true : undefined), 12_000, 200);
  assert.ok(down.value);
});

test('a second cluster pointed at the same database with another identity is refused at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polaris-ts-otherc-'));
  const cfg = join(dir, 'other.yaml');
  writeFileSync(cfg, clusterYaml('cluster-b').replaceAll('{{DIR}}', dir).replaceAll('{{HTTP}}', '0').replaceAll('{{GRPC}}', '0'));
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'start', '-c', cfg], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /cluster-a/);
});

test('kill -9 of a node loses nothing acknowledged and its health-check share moves to the others', async () => {
  const ns = `k9${Date.now()}`;
  const victim = nodes[2];
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await unary(clients[2], 'RegisterInstance', {
      service: w('svc'),
      namespace: w(ns),
      host: w('10.3.0.1'),
      port: w(1000 + i),
      enable_health_check: w(true),
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } },
    });
    assert.equal(r.code.value, 200000);
    ids.push(r.instance.id.value);
  }
  await victim.kill9();
  clients[2].close();
  const list = await waitFor(async () => {
    const l = await call(nodes[0].http, 'GET', `/naming/v1/instances?namespace=${ns}&service=svc`);
    return l.body.amount === 12 ? l : undefined;
  }, 3000);
  assert.equal(list.value.body.amount, 12, 'every acknowledged registration survived the kill');
  // Nobody beats: every instance must be marked unhealthy by the surviving nodes, including the
  // ones the dead node was checking (its checker instance leaves the ring after 3 × 2 s).
  const allDown = await waitFor(async () => {
    const l = await call(nodes[0].http, 'GET', `/naming/v1/instances?namespace=${ns}&service=svc`);
    return l.body.instances.every((i: any) => i.healthy === false) ? true : undefined;
  }, 30_000, 500);
  assert.ok(allDown.value);
  nodes.pop();
  clients.pop();
});

test('each node reports its sync lag on /metrics', async () => {
  const r = await fetch(`${nodes[0].http}/metrics`);
  const text = await r.text();
  const lag = /polaris_cache_sync_lag_seconds\{[^}]*cache="naming"[^}]*\} ([0-9.e+-]+)/.exec(text);
  assert.ok(lag, text.slice(0, 500));
  assert.ok(Number(lag[1]) < 5, `lag ${lag[1]} s`);
  assert.match(text, /polaris_cache_store_seq\{[^}]*cache="naming"[^}]*\} \d+/);
});
