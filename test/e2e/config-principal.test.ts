import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configYaml } from '../helpers/config-daemon.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { discoverOnce, polarisClient } from '../helpers/grpc-client.js';

/**
 * Config center with auth on, as the default polaris-server.yaml runs it (issue 15 §4): every change
 * carries the name of the principal that made it (`polaris` for the main account), and an upload
 * that is not a zip is refused with 400001 leaving nothing behind. Also: Discover types 1.18.1 does
 * not have are answered 400004 with a token as well (§5).
 */

const OFF = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
const ON = `auth:
  strategy:
    option:
      consoleOpen: true
      consoleStrict: true
      clientOpen: true
      clientStrict: false`;

let d: Daemon;
let admin = '';
const u = () => `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
const h = (token: string) => ({ 'X-Polaris-Token': token });

before(async () => {
  const yaml = configYaml();
  assert.ok(yaml.includes(OFF), 'the test daemon config has changed');
  d = await startDaemon({ yaml: yaml.replace(OFF, ON) });
  admin = /token: {4}(\S+)/.exec(d.output())?.[1] ?? '';
  assert.ok(admin, `first start prints the main account's token:\n${d.output()}`);
});
after(async () => {
  await d?.stop();
});

async function ok(method: string, path: string, body: unknown, token: string): Promise<any> {
  const r = await call(d.http, method, path, body, h(token));
  assert.equal(r.body?.code, 200000, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

describe('createBy / modifyBy carry the principal', () => {
  test('groups, files, releases and history name the main account, then a sub-user who edits', async () => {
    const ns = u();
    await ok('POST', '/core/v1/namespaces', [{ name: ns }], admin);
    await ok('POST', '/config/v1/configfilegroups', { namespace: ns, name: 'g', comment: 'one' }, admin);
    await ok('POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'a.yaml', content: 'a: 1', format: 'yaml' }, admin);
    await ok('POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'a.yaml', name: 'r1' }, admin);

    const group = (await ok('GET', `/config/v1/configfilegroups?namespace=${ns}&offset=0&limit=10`, undefined, admin)).configFileGroups[0];
    assert.equal(group.createBy, 'polaris');
    assert.equal(group.modifyBy, 'polaris');
    const file = (await ok('GET', `/config/v1/configfiles?namespace=${ns}&group=g&name=a.yaml`, undefined, admin)).configFile;
    assert.equal(file.createBy, 'polaris');
    assert.equal(file.modifyBy, 'polaris');
    assert.equal(file.releaseBy, 'polaris');
    const release = (await ok('GET', `/config/v1/configfiles/release?namespace=${ns}&group=g&file_name=a.yaml`, undefined, admin))
      .configFileRelease;
    assert.equal(release.createBy, 'polaris');
    assert.equal(release.modifyBy, 'polaris');
    const history = (await ok('GET', `/config/v1/configfiles/releasehistory?namespace=${ns}&group=g&name=a.yaml`, undefined, admin))
      .configFileReleaseHistories;
    assert.equal(history.length, 1);
    assert.equal(history[0].createBy, 'polaris');
    assert.equal(history[0].modifyBy, 'polaris');

    // A sub-user granted the namespace edits: its name is stamped as the modifier.
    const name = u();
    const created = await ok('POST', '/core/v1/users', [{ name, password: 'pass-1234', source: 'Polaris' }], admin);
    const userId = created.responses[0].user.id;
    const token = (await ok('GET', `/core/v1/user/token?id=${userId}`, undefined, admin)).user.auth_token;
    await ok('POST', '/core/v1/auth/strategy', { name: `grant-${u()}`, principals: { users: [{ id: userId }] }, resources: { namespaces: [{ id: ns }] } }, admin);
    await ok('PUT', '/config/v1/configfilegroups', { namespace: ns, name: 'g', comment: 'two' }, token);
    await ok('PUT', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'a.yaml', content: 'a: 2', format: 'yaml' }, token);
    await ok('POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'a.yaml', name: 'r2' }, token);

    const group2 = (await ok('GET', `/config/v1/configfilegroups?namespace=${ns}&offset=0&limit=10`, undefined, admin)).configFileGroups[0];
    assert.equal(group2.createBy, 'polaris');
    assert.equal(group2.modifyBy, name);
    const file2 = (await ok('GET', `/config/v1/configfiles?namespace=${ns}&group=g&name=a.yaml`, undefined, admin)).configFile;
    assert.equal(file2.createBy, 'polaris');
    assert.equal(file2.modifyBy, name);
    const release2 = (await ok('GET', `/config/v1/configfiles/release?namespace=${ns}&group=g&file_name=a.yaml`, undefined, admin))
      .configFileRelease;
    assert.equal(release2.name, 'r2');
    assert.equal(release2.createBy, name);
    const history2 = (await ok('GET', `/config/v1/configfiles/releasehistory?namespace=${ns}&group=g&name=a.yaml`, undefined, admin))
      .configFileReleaseHistories;
    assert.deepEqual(history2.map((x: any) => x.createBy).sort(), [name, 'polaris'].sort());
  });
});

describe('import of an upload that is not a zip', () => {
  test('answers 400001 and creates nothing', async () => {
    const ns = u();
    const uploads: [string, Uint8Array][] = [
      ['config.txt', new TextEncoder().encode('a: 1')],
      ['config.zip', new TextEncoder().encode('this is not a zip')],
      // A zip signature followed by garbage: sniffs as zip, cannot be read.
      ['config.zip', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
    ];
    for (const [filename, bytes] of uploads) {
      const form = new FormData();
      form.append('config', new Blob([bytes]), filename);
      const res = await fetch(`${d.http}/config/v1/configfiles/import?namespace=${ns}&group=g&conflict_handling=skip`, {
        method: 'POST',
        body: form,
        headers: h(admin),
      });
      const body = (await res.json()) as any;
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.code, 400001, `${filename}: ${JSON.stringify(body)}`);
    }
    const groups = await call(d.http, 'GET', `/config/v1/configfilegroups?namespace=${ns}&offset=0&limit=10`, undefined, h(admin));
    assert.equal(groups.body.total, 0);
    const namespaces = await call(d.http, 'GET', `/core/v1/namespaces?name=${ns}`, undefined, h(admin));
    assert.equal(namespaces.body.amount, 0, 'no namespace was created');
  });
});

describe('Discover types 1.18.1 does not have, with auth on', () => {
  test('LOSSLESS is answered 400004 with its type and service echoed', async () => {
    const client = polarisClient(d.ports.grpc);
    try {
      const a = await discoverOnce(client, { type: 'LOSSLESS', service: { name: { value: 'x' }, namespace: { value: 'default' } } });
      assert.equal(a.code.value, 400004);
      assert.equal(a.type, 'LOSSLESS');
      assert.equal(a.service.name.value, 'x');
    } finally {
      client.close();
    }
  });
});
