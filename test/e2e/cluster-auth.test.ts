/**
 * Auth in cluster mode: two servers sharing MariaDB (127.0.0.1:3306) and Redis (127.0.0.1:6379),
 * as `.ci/run` provides them, with token checks on. The shared daemon YAML turns auth off, so this
 * file switches it on itself (cluster.test.ts stays as it is).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';

const DB = uniqueDatabaseName();
const ADMIN_PASSWORD = 'cluster-pw-1';
const AUTH_OFF = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
const AUTH_ON = `auth:
  user:
    option:
      salt: "k3y-0f-16-bytes!"
  strategy:
    option:
      consoleOpen: true
      clientOpen: true`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const nodes: Daemon[] = [];

before(async () => {
  const yaml = clusterConfigYaml(DB);
  assert.ok(yaml.includes(AUTH_OFF), 'the test daemon config has changed');
  // Started one after the other (and under the start lock): the first one seeds the admin account.
  for (let i = 0; i < 2; i++) {
    nodes.push(await startDaemon({ yaml: yaml.replace(AUTH_OFF, AUTH_ON), env: { POLARIS_ADMIN_PASSWORD: ADMIN_PASSWORD } }));
  }
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
});

test('a user created on node A can log in on node B shortly after', async () => {
  const [a, b] = nodes;
  const admin = await call(a.http, 'POST', '/core/v1/user/login', { name: 'polaris', password: ADMIN_PASSWORD });
  assert.equal(admin.body.code, 200000, admin.text);
  const adminToken = admin.body.loginResponse.token as string;
  // The admin account seeded by node A is the one node B has.
  const adminOnB = await call(b.http, 'POST', '/core/v1/user/login', { name: 'polaris', password: ADMIN_PASSWORD });
  assert.equal(adminOnB.body.loginResponse?.token, adminToken);

  const name = `cu${Date.now().toString(36)}`;
  const created = await call(a.http, 'POST', '/core/v1/users', [{ name, password: 'pass-123', source: 'Polaris' }], {
    'X-Polaris-Token': adminToken,
  });
  assert.equal(created.status, 200, created.text);
  const start = Date.now();
  // Node A's own write is in force at once (read-your-writes).
  const onA = await call(a.http, 'POST', '/core/v1/user/login', { owner: 'polaris', name, password: 'pass-123' });
  assert.equal(onA.body.code, 200000, onA.text);
  let onB;
  for (;;) {
    onB = await call(b.http, 'POST', '/core/v1/user/login', { owner: 'polaris', name, password: 'pass-123' });
    if (onB.body.code === 200000 || Date.now() - start > 5000) break;
    await sleep(20);
  }
  const lag = Date.now() - start;
  assert.equal(onB.body.code, 200000, `not visible on node B after ${lag} ms: ${onB.text}`);
  assert.equal(onB.body.loginResponse.token, onA.body.loginResponse.token);
  assert.equal(onB.body.loginResponse.user_id, created.body.responses[0].user.id);
  // Node B's auth cache reads the shared change feed on a 1 s timer (it has no 100 ms sequence
  // probe like the naming cache), so the lag is spread over 0..~1 s plus a login's latency.
  assert.ok(lag <= 1500, `visible on node B after ${lag} ms`);
});
