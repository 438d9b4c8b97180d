/**
 * The config center in cluster mode: two server processes sharing MariaDB (127.0.0.1:3306) and
 * Redis (127.0.0.1:6379). A publish on one node reaches a client watch held on the other through
 * the shared store's change sequence (each node's config cache probes it), and the other node
 * then serves the new content.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';

const DB = uniqueDatabaseName();
const CONFIG_SECTION = 'config:\n  open: true\n  contentMaxLength: 20000\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${++n}`;

let a: Daemon | undefined;
let b: Daemon | undefined;

before(async () => {
  a = await startDaemon({ yaml: clusterConfigYaml(DB) + CONFIG_SECTION });
  // The second node in another time zone: nothing may depend on wall-clock times across nodes.
  b = await startDaemon({ yaml: clusterConfigYaml(DB) + CONFIG_SECTION, env: { TZ: 'Asia/Kolkata' } });
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  } finally {
    await conn.end();
  }
});

/** Polls `fn` until it returns a value; how long that took after the start. */
async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, step = 25): Promise<{ value: T; after: number }> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return { value: v, after: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(step);
  }
}

function getConfigFile(d: Daemon, ns: string, group: string, file: string) {
  return call(d.http, 'GET', `/v1/GetConfigFile?namespace=${ns}&group=${group}&fileName=${encodeURIComponent(file)}&version=0`);
}

test('both nodes run the config center on the MySQL store', async () => {
  for (const d of [a!, b!]) {
    const r = await call(d.http, 'GET', '/config/v1/configfilegroups?offset=0&limit=10');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.code, 200000);
    assert.doesNotMatch(d.output(), /config center off/);
  }
});

test('a publish on node A wakes a watch held on node B within 1 s; B then serves the new content', async () => {
  const ns = uniq('cc');
  const file = 'dir/app.yaml';
  const created = await call(a!.http, 'POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: file, content: 'v: one\n', format: 'yaml' });
  assert.equal(created.body.code, 200000, created.text);
  const first = await call(a!.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: file });
  assert.equal(first.body.code, 200000, first.text);

  // B follows the shared sequence: the first release shows up there without any call to B.
  const seen = await waitFor(async () => {
    const r = await getConfigFile(b!, ns, 'g', file);
    return r.body.code === 200000 ? r.body : undefined;
  }, 2000);
  assert.equal(seen.value.configFile.version, '1');
  assert.equal(seen.value.configFile.content, 'v: one\n');

  const held = call(b!.http, 'POST', '/v1/WatchConfigFile', {
    watchFiles: [{ namespace: ns, group: 'g', fileName: file, version: '1' }],
  });
  await sleep(150);
  const watchers = await call(b!.http, 'GET', `/config/v1/configfiles/watchers?namespace=${ns}`);
  assert.equal(watchers.body.watchers?.[0]?.watching, 1, watchers.text);

  const updated = await call(a!.http, 'PUT', '/config/v1/configfiles', { namespace: ns, group: 'g', name: file, content: 'v: two\n', format: 'yaml' });
  assert.equal(updated.body.code, 200000, updated.text);
  const t0 = performance.now();
  const second = await call(a!.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: file });
  assert.equal(second.body.code, 200000, second.text);
  const woke = await held;
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 1000, `the watch on B woke ${Math.round(elapsed)} ms after the publish on A`);
  assert.equal(woke.body.code, 200000, woke.text);
  assert.equal(woke.body.configFile.version, '2');

  const got = await getConfigFile(b!, ns, 'g', file);
  assert.equal(got.body.code, 200000, got.text);
  assert.equal(got.body.configFile.version, '2');
  assert.equal(got.body.configFile.content, 'v: two\n');

  // The console on B reads the shared tables: the release and its history, written on A.
  const rel = await call(b!.http, 'GET', `/config/v1/configfiles/release?namespace=${ns}&group=g&file_name=${encodeURIComponent(file)}`);
  assert.equal(rel.body.configFileRelease.version, '2');
  const hist = await call(b!.http, 'GET', `/config/v1/configfiles/releasehistory?namespace=${ns}&group=g`);
  assert.equal(hist.body.total, 2);
});

test('publishes of one file alternating between the nodes get consecutive versions', async () => {
  const ns = uniq('cv');
  const file = 'seq.txt';
  await call(a!.http, 'POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: file, content: 'c0' });
  // Named releases: each publish creates its own release (and the names do not depend on the nodes).
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      call((i % 2 === 0 ? a! : b!).http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: file, name: `r${i}` }),
    ),
  );
  for (const r of results) assert.equal(r.body.code, 200000, r.text);
  for (const d of [a!, b!]) {
    // Each node converges on the last publish: version 6, and exactly one active release.
    const last = await waitFor(async () => {
      const r = await getConfigFile(d, ns, 'g', file);
      return r.body.configFile?.version === '6' ? r.body : undefined;
    }, 2000);
    assert.equal(last.value.configFile.content, 'c0');
  }
  const list = await call(a!.http, 'GET', `/config/v1/configfiles/releases?namespace=${ns}&group=g&file_name=${file}&offset=0&limit=100`);
  assert.equal(list.body.code, 200000, list.text);
  const releases: any[] = list.body.configFileReleases ?? [];
  assert.equal(releases.length, 6, list.text);
  assert.deepEqual(releases.map((r) => Number(r.version)).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
  assert.equal(releases.filter((r) => r.active === true).length, 1, 'one active release after concurrent publishes on two nodes');
});
