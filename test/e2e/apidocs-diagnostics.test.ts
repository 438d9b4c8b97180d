/**
 * enableSwagger and enablePprof through the running daemon: the OpenAPI document covers the mounted
 * routes and only them, the page renders from it, and the admin-only diagnostics write a CPU
 * profile and a heap snapshot that DevTools can open; both surfaces are off by default.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { authOnYaml, loginToken } from '../helpers/ops.js';

const PASSWORD = 'diag-Pass-1';
let d: Daemon;
let plainDaemon: Daemon;
let token = '';
const h = () => ({ 'X-Polaris-Token': token });

before(async () => {
  const yaml = authOnYaml().replace('      listenPort: {{HTTP}}\n', '      listenPort: {{HTTP}}\n      enableSwagger: true\n');
  d = await startDaemon({ yaml, env: { POLARIS_ADMIN_PASSWORD: PASSWORD } });
  token = await loginToken(d.http, PASSWORD);
  plainDaemon = await startDaemon({ yaml: defaultYaml() });
});

after(async () => {
  await d?.stop();
  await plainDaemon?.stop();
});

describe('OpenAPI document', () => {
  test('served as OpenAPI 3 with typed bodies and answers; every documented path is a mounted route', async () => {
    const r = await call(d.http, 'GET', '/apidocs.json');
    assert.equal(r.status, 200);
    const doc = r.body;
    assert.equal(doc.openapi, '3.0.3');
    assert.equal(doc.components.securitySchemes.api_key.name, 'X-Polaris-Token');
    const post = doc.paths['/naming/v1/instances'].post;
    assert.deepEqual(post.requestBody.content['application/json'].schema, { type: 'array', items: { $ref: '#/components/schemas/v1.Instance' } });
    assert.equal(post.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/v1.BatchWriteResponse');
    assert.ok(doc.components.schemas['v1.Instance'].properties.host);
    for (const p of ['/maintain/v1/leaders', '/healthz', '/metrics', '/apidocs.json', '/v1/RegisterInstance', '/core/v1/namespaces']) {
      assert.ok(doc.paths[p], `${p} is documented`);
    }
    // Reverse check: a documented path answers a wrong method with 405 (route exists), never 404.
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      const wrong = ['get', 'post', 'put', 'delete'].find((m) => !(m in ops));
      if (!wrong) continue;
      const res = await fetch(d.http + path, { method: wrong.toUpperCase() });
      assert.equal(res.status, 405, `${wrong} ${path}`);
    }
  });

  test('the page renders the document; both are absent without enableSwagger', async () => {
    const page = await call(d.http, 'GET', '/apidocs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /apidocs\.json/);
    assert.equal((await call(plainDaemon.http, 'GET', '/apidocs.json')).status, 404);
  });
});

describe('diagnostics', () => {
  test('off by default; the maintain toggle turns them on; admin only', async () => {
    assert.equal((await call(d.http, 'GET', '/debug/pprof/heap', undefined, h())).status, 404);
    assert.equal((await call(d.http, 'POST', '/maintain/v1/pprof/enable', { enable: true }, h())).status, 200);
    const anonymous = await call(d.http, 'GET', '/debug/pprof/profile?seconds=1');
    assert.ok(anonymous.status >= 400 && anonymous.status < 500 && anonymous.status !== 404, String(anonymous.status));
    assert.equal((await call(d.http, 'GET', '/debug/pprof/profile?seconds=0', undefined, h())).status, 400);
  });

  test('a CPU profile of N seconds and a heap snapshot are written as DevTools files', async () => {
    const t0 = Date.now();
    const cpu = await call(d.http, 'GET', '/debug/pprof/profile?seconds=1', undefined, h());
    assert.equal(cpu.status, 200, cpu.text);
    assert.ok(Date.now() - t0 >= 1000, 'sampled for the asked time');
    assert.match(cpu.body.file, /\.cpuprofile$/);
    const profile = JSON.parse(readFileSync(cpu.body.file, 'utf8'));
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 0);
    assert.ok(profile.endTime > profile.startTime);

    const heap = await call(d.http, 'GET', '/debug/pprof/heap', undefined, h());
    assert.equal(heap.status, 200, heap.text);
    assert.match(heap.body.file, /\.heapsnapshot$/);
    assert.ok(statSync(heap.body.file).size > 100_000);
    const head = readFileSync(heap.body.file, 'utf8').slice(0, 200);
    assert.match(head, /^\{"snapshot":\{"meta":/);
  });
});
