/**
 * Readiness follows the cluster store: a node whose MySQL is unreachable answers 503 on /readyz
 * (liveness stays 200, so the orchestrator does not restart it) and is ready again once the store
 * is back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';

const DB = uniqueDatabaseName();
const dbProxy = new FlakyProxy('127.0.0.1', 3306);
let d: Daemon;

before(async () => {
  await dbProxy.start();
  d = await startDaemon({ yaml: clusterConfigYaml(DB).replace('dbAddr: 127.0.0.1:3306', `dbAddr: 127.0.0.1:${dbProxy.port}`) });
});

after(async () => {
  await dbProxy.up();
  await d?.stop();
  await dbProxy.down();
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
});

async function until(path: string, status: number, deadlineMs: number): Promise<any> {
  const end = Date.now() + deadlineMs;
  let last: any;
  while (Date.now() < end) {
    last = await call(d.http, 'GET', path);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${path} stayed ${last?.status}: ${last?.text}`);
}

test('readiness flips to 503 while the store is unreachable and back to 200 after', async () => {
  assert.equal((await call(d.http, 'GET', '/readyz')).status, 200);
  await dbProxy.down();
  const down = await until('/readyz', 503, 30_000);
  assert.equal(down.body.status, 'DOWN');
  assert.equal(down.body.checks.store.ok, false);
  assert.equal((await call(d.http, 'GET', '/healthz')).status, 200, 'liveness does not depend on the store');
  await dbProxy.up();
  const up = await until('/readyz', 200, 30_000);
  assert.equal(up.body.checks.store.ok, true);
});
