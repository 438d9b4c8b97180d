import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, MAIN, startDaemon, TSX } from '../helpers/daemon.js';


test('graceful stop exits 0, restart keeps every acknowledged write', async () => {
  const d1 = await startDaemon();
  const ns = `keep${Date.now()}`;
  await call(d1.http, 'POST', '/core/v1/namespaces', [{ name: ns }]);
  const c = await call(d1.http, 'POST', '/naming/v1/instances', [{ service: 's', namespace: ns, host: '1.2.3.4', port: 80 }]);
  assert.equal(c.body.code, 200000);
  assert.equal(await d1.stop('SIGTERM'), 0);

  const d2 = await startDaemon({ dir: d1.dir, ports: d1.ports });
  try {
    const l = await call(d2.http, 'GET', `/naming/v1/instances?namespace=${ns}&service=s`);
    assert.equal(l.body.amount, 1);
    const n = await call(d2.http, 'GET', `/core/v1/namespaces?name=${ns}`);
    assert.equal(n.body.amount, 1);
    const seeded = await call(d2.http, 'GET', '/core/v1/namespaces?name=Polaris');
    assert.equal(seeded.body.amount, 1, 'seed data is not duplicated on restart');
  } finally {
    assert.equal(await d2.stop('SIGINT'), 0);
  }
});

test('kill -9 loses nothing that was acknowledged', async () => {
  const d1 = await startDaemon();
  const ns = `k9${Date.now()}`;
  const acked: number[] = [];
  for (let port = 1; port <= 40; port++) {
    const r = await call(d1.http, 'POST', '/naming/v1/instances', [{ service: 's', namespace: ns, host: '9.9.9.9', port }]);
    if (r.body.code === 200000) acked.push(port);
  }
  await d1.kill9();
  const d2 = await startDaemon({ dir: d1.dir, ports: d1.ports });
  try {
    const l = await call(d2.http, 'GET', `/naming/v1/instances?namespace=${ns}&service=s&limit=100`);
    assert.equal(l.body.amount, acked.length);
    assert.equal(acked.length, 40);
  } finally {
    await d2.stop();
  }
});

test('a bad config fails at start with exit code 1, naming the file and the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polaris-ts-badcfg-'));
  const cfg = join(dir, 'bad.yaml');
  writeFileSync(cfg, 'apiservers:\n  - name: api-http\n    option:\n      listenPort: notaport\n');
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'start', '-c', cfg], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 30_000,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr + r.stdout, /bad\.yaml/);
  assert.match(r.stderr + r.stdout, /listenPort/);

  const missing = spawnSync(process.execPath, ['--import', TSX, MAIN, 'start', '-c', join(dir, 'nope.yaml')], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 30_000,
  });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr + missing.stdout, /nope\.yaml/);
});

test('version prints the version', () => {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'version'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^version: v?\d+\.\d+\.\d+/);
});
