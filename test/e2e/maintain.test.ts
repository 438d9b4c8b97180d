/**
 * The operating surface through the running daemon: orchestrator probes and the whole
 * `/maintain/v1` table, with console auth on (admin only) and the real gRPC client for the
 * connection views.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { authOnYaml, loginToken } from '../helpers/ops.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

const PASSWORD = 'maint-Pass-1';
const w = (value: unknown) => ({ value });

let d: Daemon;
let token = '';
let grpc: any;
const h = () => ({ 'X-Polaris-Token': token });

before(async () => {
  d = await startDaemon({ yaml: authOnYaml(), env: { POLARIS_ADMIN_PASSWORD: PASSWORD } });
  token = await loginToken(d.http, PASSWORD);
  grpc = polarisClient(d.ports.grpc);
});

after(async () => {
  grpc?.close();
  await d?.stop();
});

describe('health probes', () => {
  test('liveness and readiness answer 200 with their checks once started, without a token', async () => {
    const live = await call(d.http, 'GET', '/healthz');
    assert.equal(live.status, 200);
    assert.equal(live.body.status, 'UP');
    const ready = await call(d.http, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.body.status, 'UP');
    assert.equal(ready.body.checks.store.ok, true);
    assert.equal(ready.body.checks.startup.ok, true);
    assert.equal(ready.body.checks['cache:naming'].ok, true);
  });
});

describe('/maintain/v1 with console auth on', () => {
  test('every route refuses a caller without a token', async () => {
    for (const [method, path] of [
      ['GET', '/maintain/v1/apiserver/conn?protocol=grpc'],
      ['GET', '/maintain/v1/log/outputlevel'],
      ['GET', '/maintain/v1/leaders'],
      ['POST', '/maintain/v1/instance/batchclean'],
      ['POST', '/maintain/v1/pprof/enable'],
      ['GET', '/maintain/v1/server/functions'],
    ]) {
      const r = await call(d.http, method, path, method === 'POST' ? {} : undefined);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status}`);
      assert.notEqual(r.headers.get('x-polaris-code'), null, `${method} ${path}`);
    }
  });

  test('connection counts and stats see a gRPC client, and closing its connections drops them', async () => {
    await unary(grpc, 'ReportClient', { host: w('127.0.0.1'), version: w('1.0') });
    const conn = await call(d.http, 'GET', '/maintain/v1/apiserver/conn?protocol=service-grpc', undefined, h());
    assert.equal(conn.status, 200, conn.text);
    assert.equal(conn.body.Protocol, 'service-grpc');
    assert.ok(conn.body.Total >= 1);
    assert.ok(conn.body.Host['127.0.0.1'] >= 1);

    const stats = await call(d.http, 'GET', '/maintain/v1/apiserver/conn/stats?protocol=grpc&host=127.0.0.1', undefined, h());
    assert.equal(stats.status, 200, stats.text);
    assert.ok(stats.body.ActiveConnTotal >= 1);
    assert.equal(stats.body.Stats[0].Host, '127.0.0.1');

    const closed = await call(d.http, 'POST', '/maintain/v1/apiserver/conn/close', [{ Protocol: 'service-grpc', Host: '127.0.0.1' }], h());
    assert.equal(closed.status, 200, closed.text);
    for (let i = 0; i < 50; i++) {
      const after = await call(d.http, 'GET', '/maintain/v1/apiserver/conn?protocol=service-grpc', undefined, h());
      if (after.body.Total === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('gRPC connections were not closed');
  });

  test('bad connection requests are plain-text 400s', async () => {
    const noProto = await call(d.http, 'GET', '/maintain/v1/apiserver/conn', undefined, h());
    assert.equal(noProto.status, 400);
    const unknown = await call(d.http, 'GET', '/maintain/v1/apiserver/conn?protocol=nope', undefined, h());
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /not found the protocol/);
    const close = await call(d.http, 'POST', '/maintain/v1/apiserver/conn/close', [{ Protocol: 'grpc' }], h());
    assert.equal(close.status, 400);
  });

  test('log levels: set one scope and it applies at once; bad scope or level is 400', async () => {
    const set = await call(d.http, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'naming', level: 'debug' }, h());
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body, 'ok');
    const list = await call(d.http, 'GET', '/maintain/v1/log/outputlevel', undefined, h());
    assert.deepEqual(list.body.find((l: any) => l.Name === 'naming'), { Name: 'naming', Level: 'debug' });
    // At once: the apiserver scope's debug access-log lines appear for the very next request.
    const accessLog = () => {
      try {
        return readFileSync(join(d.dir, 'log', 'runtime', 'polaris-apiserver.log'), 'utf8');
      } catch {
        return '';
      }
    };
    const marker = `/naming/v1/services?name=marker${Date.now()}`;
    await call(d.http, 'GET', marker);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!accessLog().includes(marker), 'no debug access line at info');
    assert.equal((await call(d.http, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'apiserver', level: 'debug' }, h())).status, 200);
    await call(d.http, 'GET', marker);
    for (let i = 0; i < 30 && !accessLog().includes(marker); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(accessLog().includes(marker), 'the debug access line is written after the change');
    assert.equal((await call(d.http, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'nope', level: 'debug' }, h())).status, 400);
    assert.equal((await call(d.http, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'naming', level: 'loud' }, h())).status, 400);
  });

  test('heartbeat lookup by id and by tetrad sees a beat', async () => {
    const inst = { service: w('hb-svc'), namespace: w('default'), host: w('10.9.0.1'), port: w(8080), enable_health_check: w(true), health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } } };
    const reg = await unary(grpc, 'RegisterInstance', inst);
    const id = reg.instance.id.value;
    for (let i = 0; i < 50; i++) {
      const beat = await unary(grpc, 'Heartbeat', inst);
      if (beat.code.value === 200000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const byId = await call(d.http, 'GET', `/maintain/v1/instance/heartbeat?id=${id}`, undefined, h());
    assert.equal(byId.status, 200, byId.text);
    assert.equal(byId.body.exist, true);
    assert.ok(Math.abs(byId.body.lastHeartbeatSec - Date.now() / 1000) < 30);
    const byKey = await call(d.http, 'GET', '/maintain/v1/instance/heartbeat?service=hb-svc&namespace=default&host=10.9.0.1&port=8080', undefined, h());
    assert.equal(byKey.body.id, id);
    const missing = await call(d.http, 'GET', '/maintain/v1/instance/heartbeat?service=hb-svc', undefined, h());
    assert.equal(missing.status, 400);
  });

  test('instance clean hard-deletes a deregistered instance; batchclean answers rows_affected', async () => {
    const inst = { service: w('clean-svc'), namespace: w('default'), host: w('10.9.0.2'), port: w(1) };
    const reg = await unary(grpc, 'RegisterInstance', inst);
    const id = reg.instance.id.value;
    await unary(grpc, 'DeregisterInstance', inst);
    const db = new Database(join(d.dir, 'polaris.db'), { readonly: true });
    const rows = () => (db.prepare('SELECT count(*) AS n FROM instance WHERE id = ?').get(id) as { n: number }).n;
    const tombstones = () => (db.prepare('SELECT count(*) AS n FROM instance WHERE id = ? AND deleted = 1').get(id) as { n: number }).n;
    for (let i = 0; i < 100 && tombstones() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(tombstones(), 1, 'the tombstone is kept until cleaned');
    const clean = await call(d.http, 'POST', '/maintain/v1/instance/clean', { id }, h());
    assert.equal(clean.status, 200, clean.text);
    assert.equal(clean.body.code, 200000);
    assert.equal(clean.body.instance.id, id);
    assert.equal(rows(), 0, 'the tombstone is gone');
    db.close();
    const batch = await call(d.http, 'POST', '/maintain/v1/instance/batchclean', { batch_size: 100 }, h());
    assert.equal(batch.status, 200, batch.text);
    assert.equal(typeof batch.body.rows_affected, 'number');
    assert.equal((await call(d.http, 'POST', '/maintain/v1/instance/batchclean', { batch_size: 0 }, h())).status, 400);
  });

  test('leaders report the start lock (released) and the health-check ring', async () => {
    const r = await call(d.http, 'GET', '/maintain/v1/leaders', undefined, h());
    assert.equal(r.status, 200, r.text);
    const lock = r.body.find((l: any) => l.ElectKey === 'StartLock:sz');
    assert.ok(lock, r.text);
    assert.equal(lock.Valid, false);
    assert.ok(r.body.some((l: any) => l.ElectKey.startsWith('HealthCheckRing:') && l.Valid));
    const rel = await call(d.http, 'POST', '/maintain/v1/leaders/release', { electKey: 'StartLock:sz' }, h());
    assert.equal(rel.status, 400);
  });

  test('cmdb info, report clients, server functions, memory free and the pprof toggle', async () => {
    const cmdb = await call(d.http, 'GET', '/maintain/v1/cmdb/info', undefined, h());
    assert.deepEqual(cmdb.body, []);
    const clients = await call(d.http, 'GET', '/maintain/v1/report/clients', undefined, h());
    assert.equal(clients.body.Code, 200000);
    const fns = await call(d.http, 'GET', '/maintain/v1/server/functions', undefined, h());
    const service = fns.body.find((g: any) => g.Name === 'Service');
    assert.ok(service.Functions.includes('CreateServices'), fns.text);
    assert.equal((await call(d.http, 'POST', '/maintain/v1/memory/free', undefined, h())).status, 200);
    assert.equal((await call(d.http, 'POST', '/maintain/v1/pprof/enable', { enable: true }, h())).body, 'ok');
    assert.equal((await call(d.http, 'POST', '/maintain/v1/pprof/enable', { enable: 'yes' }, h())).status, 400);
  });
});
