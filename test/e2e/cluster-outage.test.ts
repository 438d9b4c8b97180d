/**
 * Cluster mode through outages: two servers reach MariaDB and Redis through TCP proxies the test
 * takes down and brings back, while an SDK keeps beating.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';
import { discoverOnce, polarisClient, unary } from '../helpers/grpc-client.js';

const DB = uniqueDatabaseName();
const w = (value: unknown) => ({ value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dbProxy = new FlakyProxy('127.0.0.1', 3306);
const redisProxy = new FlakyProxy('127.0.0.1', 6379);
const nodes: Daemon[] = [];
const clients: any[] = [];

before(async () => {
  await dbProxy.start();
  await redisProxy.start();
  const yaml = clusterConfigYaml(DB)
    .replace('dbAddr: 127.0.0.1:3306', `dbAddr: 127.0.0.1:${dbProxy.port}`)
    .replace('kvAddr: 127.0.0.1:6379', `kvAddr: 127.0.0.1:${redisProxy.port}`);
  for (let i = 0; i < 2; i++) {
    const d = await startDaemon({ yaml });
    nodes.push(d);
    clients.push(polarisClient(d.ports.grpc));
  }
});

after(async () => {
  for (const c of clients) c.close();
  await dbProxy.up();
  await redisProxy.up();
  await Promise.all(nodes.map((n) => n.stop()));
  await dbProxy.down();
  await redisProxy.down();
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
});

test('a Redis outage under beats marks nothing unhealthy, during it or after it', async () => {
  const ns = `ro${Date.now()}`;
  const reg = await unary(clients[0], 'RegisterInstance', {
    service: w('svc'),
    namespace: w(ns),
    host: w('10.7.0.1'),
    port: w(1),
    enable_health_check: w(true),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } },
  });
  const id = reg.instance.id.value;
  let beating = true;
  const beats = (async () => {
    while (beating) {
      await unary(clients[1], 'Heartbeat', { id: w(id) }).catch(() => undefined);
      await sleep(300);
    }
  })();
  const unhealthySeen: number[] = [];
  const watch = async (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const l = await call(nodes[0].http, 'GET', `/naming/v1/instances?id=${id}`);
      if (l.body.instances?.[0]?.healthy === false) unhealthySeen.push(Date.now());
      await sleep(250);
    }
  };
  await watch(2000);
  await redisProxy.down();
  await watch(5000); // more than 3 × TTL without a readable beat
  await redisProxy.up();
  await watch(5000);
  beating = false;
  await beats;
  assert.deepEqual(unhealthySeen, [], 'the instance never showed as unhealthy');
});

test('a MariaDB outage: writes fail with a store error, reads go on from the cache, then all converges', async () => {
  const ns = `mo${Date.now()}`;
  const first = await unary(clients[0], 'RegisterInstance', { service: w('svc'), namespace: w(ns), host: w('10.8.0.1'), port: w(1) });
  assert.equal(first.code.value, 200000);
  await sleep(500);
  await dbProxy.down();
  try {
    const failed = await unary(clients[0], 'RegisterInstance', { service: w('svc'), namespace: w(ns), host: w('10.8.0.1'), port: w(2) });
    assert.equal(Math.floor(failed.code.value / 1000), 500, `answered ${failed.code.value}`);
    const disc = await discoverOnce(clients[1], { type: 'INSTANCE', service: { name: w('svc'), namespace: w(ns) } });
    assert.equal(disc.code.value, 200000, 'Discover is served from the cache during the outage');
    assert.equal(disc.instances.length, 1);
  } finally {
    await dbProxy.up();
  }
  let ok = false;
  for (let i = 0; i < 40 && !ok; i++) {
    const r = await unary(clients[0], 'RegisterInstance', { service: w('svc'), namespace: w(ns), host: w('10.8.0.1'), port: w(3) });
    ok = r.code.value === 200000;
    if (!ok) await sleep(250);
  }
  assert.ok(ok, 'writes work again once the database is back');
  let seen = 0;
  for (let i = 0; i < 40 && seen !== 2; i++) {
    const disc = await discoverOnce(clients[1], { type: 'INSTANCE', service: { name: w('svc'), namespace: w(ns) } });
    seen = (disc.instances ?? []).length;
    if (seen !== 2) await sleep(100);
  }
  assert.equal(seen, 2, 'the other node caught up: the failed write left nothing behind');
});
