/**
 * Eureka in cluster mode: two servers sharing MariaDB (127.0.0.1:3306) and Redis heartbeats
 * (127.0.0.1:6379). What one node's Eureka clients write, the other's see; renewals sent to either
 * node keep the lease alive.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { eu, instanceBody, JSON_HEADERS, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

const DB = uniqueDatabaseName();
const nodes: EurekaDaemon[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  for (let i = 0; i < 2; i++) nodes.push(await startEurekaDaemon({ yamlBase: clusterConfigYaml(DB) }));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
});

async function hosts(node: EurekaDaemon, app: string): Promise<string[]> {
  const r = await eu(node.eureka, 'GET', `/eureka/apps/${app}`, { headers: { accept: 'application/json' } });
  return r.status === 200 ? r.json.application.instance.map((i: any) => `${i.hostName}/${i.status}`) : [];
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('register on one node, read, renew, override and cancel on the other', async () => {
  const [a, b] = nodes;
  const app = `CL${Date.now().toString(36)}`.toUpperCase();
  const id = `10.30.0.1:${app.toLowerCase()}:80`;
  const r = await eu(a.eureka, 'POST', `/eureka/apps/${app}`, { body: instanceBody(app, '10.30.0.1', 80), headers: JSON_HEADERS });
  assert.equal(r.status, 204);
  await until('node B to show the app', async () => (await hosts(b, app)).length === 1);
  assert.equal((await eu(b.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);

  assert.equal((await eu(b.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=OUT_OF_SERVICE`)).status, 200);
  await until('node A to show the override', async () => (await hosts(a, app))[0] === '10.30.0.1/OUT_OF_SERVICE');

  assert.equal((await eu(b.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 200);
  await until('node A to drop the instance', async () => (await hosts(a, app)).length === 0);
  assert.equal((await eu(a.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 404);
});

test('renewals sent to the other node keep a short lease alive; without them it expires on both', async () => {
  const [a, b] = nodes;
  const app = `LE${Date.now().toString(36)}`.toUpperCase();
  const id = `10.30.0.2:${app.toLowerCase()}:81`;
  const body = instanceBody(app, '10.30.0.2', 81, { leaseInfo: { renewalIntervalInSecs: 1, durationInSecs: 3 } });
  assert.equal((await eu(a.eureka, 'POST', `/eureka/apps/${app}`, { body, headers: JSON_HEADERS })).status, 204);
  await until('node B to show the app', async () => (await hosts(b, app)).length === 1);
  for (let i = 0; i < 12; i++) {
    assert.equal((await eu(b.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
    await sleep(500);
  }
  assert.deepEqual(await hosts(a, app), ['10.30.0.2/UP'], 'renewed through node B for twice the lease');
  await until('the lease to expire on A', async () => (await hosts(a, app)).length === 0, 30_000);
  await until('the lease to expire on B', async () => (await hosts(b, app)).length === 0);
});
