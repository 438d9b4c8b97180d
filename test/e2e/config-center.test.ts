import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { configClient, configYaml, unary } from '../helpers/config-daemon.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { aesDecrypt } from '../../src/config/crypto.js';
import { clientKeyPair } from '../integration/config/harness.js';

function discoverOnce(client: any, req: unknown): Promise<any> {
  return new Promise((res, rej) => {
    const stream = client.Discover();
    stream.on('data', (d: unknown) => {
      res(d);
      stream.end();
    });
    stream.on('error', rej);
    stream.write(req);
  });
}

const w = (value: unknown) => ({ value });
let d: Daemon;
let cc: any;
let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${++n}`;

before(async () => {
  d = await startDaemon({ yaml: configYaml() });
  cc = configClient(d.ports.configGrpc);
});
after(async () => {
  cc?.close();
  await d?.stop();
});

describe('config center over HTTP', () => {
  test('group → file → publish → fetch, with the wire shapes of polaris', async () => {
    const ns = uniq('cfg');
    const g = await call(d.http, 'POST', '/config/v1/configfilegroups', { namespace: ns, name: 'app', comment: 'app configs' });
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, {
      code: 200000,
      info: 'execute success',
      configFileGroup: null,
      configFile: null,
      configFileRelease: null,
      configFileReleaseHistory: null,
      configFileTemplate: null,
    });
    const f = await call(d.http, 'POST', '/config/v1/configfiles', {
      namespace: ns,
      group: 'app',
      name: 'dir0/application.yaml',
      content: 'name: polarismesh\nport: 8080\n',
      format: 'yaml',
      comment: 'main',
      tags: [{ key: 'env', value: 'dev' }],
    });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.configFile.name, 'dir0/application.yaml');
    assert.deepEqual(Object.keys(f.body.configFile), [
      'id', 'name', 'namespace', 'group', 'content', 'format', 'comment', 'status', 'tags', 'createTime', 'createBy',
      'modifyTime', 'modifyBy', 'releaseTime', 'releaseBy', 'encrypted', 'encryptAlgo',
    ]);
    const groups = await call(d.http, 'GET', `/config/v1/configfilegroups?namespace=${ns}&offset=0&limit=100`);
    assert.equal(groups.body.total, 1);
    assert.equal(groups.body.configFileGroups[0].fileCount, '1');
    assert.equal(groups.body.configFileGroups[0].comment, 'app configs');

    const before = await call(d.http, 'GET', `/v1/GetConfigFile?namespace=${ns}&group=app&fileName=dir0/application.yaml&version=0`);
    assert.equal(before.status, 400);
    assert.equal(before.body.code, 400202);
    assert.deepEqual(before.body.configFile.tags, [{ key: 'CLIENT_IP', value: '127.0.0.1' }]);

    const pub = await call(d.http, 'POST', '/config/v1/configfiles/release', {
      namespace: ns,
      group: 'app',
      fileName: 'dir0/application.yaml',
      name: 'release-v1',
      comment: 'first release',
      releaseDescription: 'initial',
    });
    assert.equal(pub.status, 200, pub.text);
    assert.equal(pub.body.configFileRelease.name, 'release-v1');

    const got = await call(d.http, 'GET', `/v1/GetConfigFile?namespace=${ns}&group=app&fileName=dir0/application.yaml&version=0`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, {
      code: 200000,
      info: 'execute success',
      configFile: {
        namespace: ns,
        group: 'app',
        fileName: 'dir0/application.yaml',
        content: 'name: polarismesh\nport: 8080\n',
        version: '1',
        md5: 'ba0fa962fec981f47260e389c75d8513',
        tags: [{ key: 'env', value: 'dev' }],
        encrypted: false,
        publicKey: null,
        name: null,
        release_time: null,
      },
    });
    const compat = await call(d.http, 'GET', `/config/v1/GetConfigFile?namespace=${ns}&group=app&fileName=dir0/application.yaml&version=2`);
    assert.equal(compat.body.code, 200001);

    const file = await call(d.http, 'GET', `/config/v1/configfiles?namespace=${ns}&group=app&name=dir0/application.yaml`);
    assert.equal(file.body.configFile.status, 'normal');
    const search = await call(d.http, 'GET', `/config/v1/configfiles/search?namespace=${ns}&name=dir0*`);
    assert.equal(search.body.total, 1);
    const rel = await call(d.http, 'GET', `/config/v1/configfiles/release?namespace=${ns}&group=app&file_name=dir0/application.yaml`);
    assert.equal(rel.body.configFileRelease.version, '1');
    assert.equal(rel.body.configFileRelease.active, true);
    const hist = await call(d.http, 'GET', `/config/v1/configfiles/releasehistory?namespace=${ns}&group=app&name=application`);
    assert.equal(hist.body.total, 1);
    assert.equal(hist.body.configFileReleaseHistories[0].type, 'normal');

    const del = await call(d.http, 'DELETE', `/config/v1/configfiles?namespace=${ns}&group=app&name=dir0/application.yaml`);
    assert.equal(del.body.code, 200000);
    const refused = await call(d.http, 'POST', '/core/v1/namespaces/delete', [{ name: ns }]);
    assert.equal(refused.body.responses[0].code, 400219, 'a namespace with config groups is not deleted');
    const delGroup = await call(d.http, 'DELETE', `/config/v1/configfilegroups?namespace=${ns}&group=app`);
    assert.equal(delGroup.body.code, 200000);
    const nsDel = await call(d.http, 'POST', '/core/v1/namespaces/delete', [{ name: ns }]);
    assert.equal(nsDel.body.code, 200000, 'and is, once they are gone');
  });

  test('a held HTTP watch wakes on publish; the watcher view shows it; a disconnect releases it', async () => {
    const ns = uniq('watch');
    await call(d.http, 'POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'w.txt', content: 'one' });
    await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'w.txt' });
    const body = { watchFiles: [{ namespace: ns, group: 'g', fileName: 'w.txt', version: '1' }] };
    const held = call(d.http, 'POST', '/v1/WatchConfigFile', body);
    await new Promise((r) => setTimeout(r, 100));
    const view = await call(d.http, 'GET', `/config/v1/configfiles/watchers?namespace=${ns}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.total, 1);
    assert.equal(view.body.watchers[0].watching, 1);
    assert.equal(view.body.watchers[0].version, '1');

    await call(d.http, 'PUT', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'w.txt', content: 'two' });
    const t0 = performance.now();
    await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'w.txt' });
    const woke = await held;
    assert.ok(performance.now() - t0 < 500);
    assert.equal(woke.body.code, 200000);
    assert.equal(woke.body.configFile.version, '2');
    assert.equal(woke.body.configFile.content, null);

    const ac = new AbortController();
    const gone = fetch(`${d.http}/config/v1/WatchConfigFile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ watchFiles: [{ namespace: ns, group: 'g', fileName: 'w.txt', version: '2' }] }),
      signal: ac.signal,
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await call(d.http, 'GET', `/config/v1/configfiles/watchers?namespace=${ns}`)).body.watchers[0].watching, 1);
    ac.abort();
    assert.equal(await gone, 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await call(d.http, 'GET', `/config/v1/configfiles/watchers?namespace=${ns}`)).body.watchers[0].watching, 0);

    const empty = await call(d.http, 'POST', '/v1/WatchConfigFile', { watchFiles: [] });
    assert.equal(empty.body.code, 400806);
  });

  test('malformed bodies answer 400001; batch routes refuse {}, "x" and null', async () => {
    for (const path of ['/config/v1/configfilegroups', '/config/v1/configfiletemplates', '/config/v1/configfiles', '/config/v1/configfiles/release']) {
      const r = await call(d.http, 'POST', path, '{"name":');
      assert.equal(r.status, 400, path);
      assert.equal(r.body.code, 400001, path);
    }
    const rel = await call(d.http, 'POST', '/config/v1/configfiles/release', '{');
    assert.match(rel.body.info, /^request decode failed:[^ ]/);
    for (const body of ['{}', '"x"', 'null']) {
      for (const [method, path] of [
        ['POST', '/config/v1/configfiles/releases/delete'],
        ['PUT', '/config/v1/configfiles/releases/rollback'],
        ['POST', '/config/v1/configfiles/releases/stopbeta'],
        ['POST', '/config/v1/configfiles/batchdelete'],
      ]) {
        const r = await call(d.http, method, path, body);
        assert.equal(r.body.code, 400001, `${method} ${path} ${body}`);
      }
    }
    const emptyBatch = await call(d.http, 'POST', '/config/v1/configfiles/releases/delete', []);
    assert.equal(emptyBatch.body.code, 400002);
    const bad = await call(d.http, 'GET', '/config/v1/configfilegroups?offset=x');
    assert.equal(bad.body.code, 400000);
  });

  test('export, then import the zip into another namespace; encryptalgorithm', async () => {
    const ns = uniq('exp');
    await call(d.http, 'POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'dir0/a.yaml', content: 'a: 1', format: 'yaml' });
    const res = await fetch(`${d.http}/config/v1/configfiles/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: ns, groups: ['g'] }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename=config.zip');
    const zip = new Uint8Array(await res.arrayBuffer());
    assert.equal(strFromU8(unzipSync(zip)['g/dir0/a.yaml']), 'a: 1');

    const form = new FormData();
    form.append('config', new Blob([zip], { type: 'application/zip' }), 'config.zip');
    const target = uniq('imp');
    const imp = await fetch(`${d.http}/config/v1/configfiles/import?namespace=${target}&group=&conflict_handling=skip`, {
      method: 'POST',
      body: form,
    });
    const ib = (await imp.json()) as any;
    assert.equal(ib.code, 200000, JSON.stringify(ib));
    assert.deepEqual(ib.createConfigFiles.map((x: any) => `${x.group}/${x.name}`), ['g/dir0/a.yaml']);
    assert.deepEqual(ib.skipConfigFiles, []);
    const got = await call(d.http, 'GET', `/config/v1/configfiles?namespace=${target}&group=g&name=dir0/a.yaml`);
    assert.equal(got.body.configFile.content, 'a: 1');

    const notZip = new FormData();
    notZip.append('config', new Blob(['hello']), 'config.txt');
    const refused = await fetch(`${d.http}/config/v1/configfiles/import?namespace=${target}`, { method: 'POST', body: notZip });
    assert.equal(refused.status, 400);

    const algos = await call(d.http, 'GET', '/config/v1/configfiles/encryptalgorithm');
    assert.deepEqual(algos.body, { code: 200000, info: 'execute success', algorithms: ['AES'] });
  });
});

describe('config center over config-grpc', () => {
  test('fetch, watch woken by a console publish, metadata list and the config Discover stream', async () => {
    const ns = uniq('grpc');
    const created = await unary(cc, 'CreateConfigFile', { namespace: w(ns), group: w('g'), name: w('a.properties'), content: w('k=v') });
    assert.equal(created.code.value, 200000, JSON.stringify(created));
    const dup = await unary(cc, 'CreateConfigFile', { namespace: w(ns), group: w('g'), name: w('a.properties'), content: w('k=v') });
    assert.equal(dup.code.value, 400201);
    const nameless = await unary(cc, 'CreateConfigFile', { namespace: w(ns), group: w('g'), content: w('k=v') });
    assert.equal(nameless.code.value, 400802);
    const published = await unary(cc, 'PublishConfigFile', { namespace: w(ns), group: w('g'), file_name: w('a.properties') });
    assert.equal(published.code.value, 200000);

    const got = await unary(cc, 'GetConfigFile', { namespace: w(ns), group: w('g'), file_name: w('a.properties'), version: w('0') });
    assert.equal(got.code.value, 200000);
    assert.equal(got.configFile.content.value, 'k=v');
    assert.equal(got.configFile.version.value, '1');

    const watch = unary(cc, 'WatchConfigFiles', {
      watch_files: [{ namespace: w(ns), group: w('g'), file_name: w('a.properties'), version: w('1') }],
    });
    await new Promise((r) => setTimeout(r, 100));
    const upd = await unary(cc, 'UpdateConfigFile', { namespace: w(ns), group: w('g'), name: w('a.properties'), content: w('k=v2') });
    assert.equal(upd.code.value, 200000);
    await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'a.properties' });
    const woke = await watch;
    assert.equal(woke.code.value, 200000);
    assert.equal(woke.configFile.version.value, '2');

    const upsert = await unary(cc, 'UpsertAndPublishConfigFile', {
      namespace: w(ns),
      group: w('g'),
      file_name: w('a.properties'),
      content: w('k=v3'),
      md5: w('0000'),
    });
    assert.equal(upsert.code.value, 409000);

    const list = await unary(cc, 'GetConfigFileMetadataList', { config_file_group: { namespace: w(ns), name: w('g') } });
    assert.equal(list.code.value, 200000);
    assert.equal(list.config_file_infos.length, 1);
    assert.equal(list.config_file_infos[0].version.value, '2');
    const same = await unary(cc, 'GetConfigFileMetadataList', { config_file_group: { namespace: w(ns), name: w('g') }, revision: list.revision });
    assert.equal(same.code.value, 200001);

    const file = await discoverOnce(cc, { type: 'CONFIG_FILE', config_file: { namespace: w(ns), group: w('g'), file_name: w('a.properties') } });
    assert.equal(file.code, 200000);
    assert.equal(file.type, 'CONFIG_FILE');
    assert.equal(file.revision, '2');
    assert.equal(file.config_file.content.value, 'k=v2');
    const names = await discoverOnce(cc, { type: 'CONFIG_FILE_Names', config_file: { namespace: w(ns), group: w('g') } });
    assert.equal(names.code, 200000);
    assert.equal(names.config_file_names[0].file_name.value, 'a.properties');
    const groups = await discoverOnce(cc, { type: 'CONFIG_FILE_GROUPS', config_file: { namespace: w(ns) } });
    assert.equal(groups.code, 200000);
    assert.deepEqual(groups.config_file_groups.map((x: any) => x.name.value), ['g']);
    const again = await discoverOnce(cc, { type: 'CONFIG_FILE_GROUPS', config_file: { namespace: w(ns) }, revision: groups.revision });
    assert.equal(again.code, 200001);
  });
  test('an encrypted file reaches an SDK as ciphertext plus its RSA-wrapped data key', async () => {
    const ns = uniq('enc');
    const created = await call(d.http, 'POST', '/config/v1/configfiles', {
      namespace: ns,
      group: 'g',
      name: 'db.properties',
      content: 'password=s3cret',
      encrypted: true,
      encryptAlgo: 'AES',
    });
    assert.equal(created.body.code, 200000, created.text);
    await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'db.properties' });
    const keys = clientKeyPair();
    const got = await unary(cc, 'GetConfigFile', {
      namespace: w(ns),
      group: w('g'),
      file_name: w('db.properties'),
      public_key: w(keys.publicKey),
    });
    assert.equal(got.code.value, 200000);
    assert.equal(got.configFile.encrypted.value, true);
    const tag = (k: string) => got.configFile.tags.find((t: any) => t.key.value === k)?.value.value;
    assert.equal(tag('internal-encryptalgo'), 'AES');
    const plain = aesDecrypt(got.configFile.content.value, keys.decrypt(tag('internal-datakey')));
    assert.equal(plain, 'password=s3cret');
    const console = await call(d.http, 'GET', `/config/v1/configfiles?namespace=${ns}&group=g&name=db.properties`);
    assert.equal(console.body.configFile.content, 'password=s3cret');
    assert.ok(!d.output().includes(tag('internal-datakey')));
  });
});

test('config.open: false turns the config center off: no routes, config-grpc skipped', async () => {
  const off = await startDaemon({ yaml: configYaml(false) });
  try {
    const r = await call(off.http, 'GET', '/config/v1/configfilegroups');
    assert.equal(r.status, 404);
    const c = await call(off.http, 'GET', '/v1/GetConfigFile?namespace=a&group=b&fileName=c');
    assert.equal(c.status, 404);
    assert.match(off.output(), /config-grpc skipped/);
  } finally {
    await off.stop();
  }
});
