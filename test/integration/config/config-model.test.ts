import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import { PolarisError } from '../../../src/common/errors/polaris-error.js';
import { aesDecrypt } from '../../../src/config/crypto.js';
import { clientKeyPair, ctxOf, openHarness, type Harness } from './harness.js';

const ctx = ctxOf();
const isCode = (code: number) => (err: unknown) => err instanceof PolarisError && err.code === code;
let n = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++n}`;

describe('config center: groups, files, releases', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness({ contentMaxLength: 100 });
  });
  after(() => h.close());

  it('creates a group with its namespace, lists it with fileCount, refuses to delete it while files exist', async () => {
    const ns = uniq('ns');
    await h.center.createGroup(ctx, { namespace: ns, name: 'app', comment: 'c' });
    await assert.rejects(h.center.createGroup(ctx, { namespace: ns, name: 'app' }), isCode(Code.ExistedResource));
    assert.ok(await h.store.getNamespace(ns));
    await h.center.createFile(ctx, { namespace: ns, group: 'app', name: 'a/b.yaml', content: 'x: 1' });
    const list = await h.center.listGroups(ctx, { namespace: ns });
    assert.equal(list.total, 1);
    assert.equal(list.items[0].fileCount, '1');
    assert.equal(list.items[0].comment, 'c');
    await assert.rejects(h.center.deleteGroup(ctx, ns, 'app'), isCode(Code.ExistedResource));
    await assert.rejects(h.center.deleteGroup(ctx, ns, 'nope'), isCode(Code.NotFoundResource));
    await h.center.deleteFile(ctx, ns, 'app', 'a/b.yaml');
    await h.center.deleteGroup(ctx, ns, 'app');
    assert.equal((await h.center.listGroups(ctx, { namespace: ns })).total, 0);
  });

  it('validates create exactly like update', async () => {
    const ns = uniq('ns');
    const base = { namespace: ns, group: 'g', name: 'f' };
    for (const op of ['create', 'update'] as const) {
      const run = (req: object) => (op === 'create' ? h.center.createFile(ctx, req) : h.center.updateFile(ctx, req));
      await assert.rejects(run({ ...base, name: '' }), isCode(Code.InvalidConfigFileName), op);
      await assert.rejects(run({ ...base, namespace: 'bad ns' }), isCode(Code.InvalidNamespaceName), op);
      await assert.rejects(run({ ...base, group: 'bad group!' }), isCode(Code.InvalidConfigFileGroupName), op);
      await assert.rejects(run({ ...base, content: 'x'.repeat(101) }), isCode(Code.InvalidConfigFileContentLength), op);
      await assert.rejects(run({ ...base, tags: [{ key: '', value: 'v' }] }), isCode(Code.InvalidConfigFileTags), op);
      await assert.rejects(run({ ...base, tags: [{ key: 'k', value: '' }] }), isCode(Code.InvalidConfigFileTags), op);
    }
    await assert.rejects(h.center.updateFile(ctx, { ...base, content: 'y' }), isCode(Code.NotFoundResource));
    assert.equal(await h.store.getNamespace(ns), undefined);
  });

  it('publishes with version = highest ever + 1, md5, active flag, and reads back status', async () => {
    const ns = uniq('ns');
    const key = { namespace: ns, group: 'g', name: 'app.yaml' };
    await h.center.createFile(ctx, { ...key, content: 'v: 1', format: 'yaml', tags: [{ key: 'env', value: 'dev' }] });
    assert.equal((await h.center.getFile(ctx, ns, 'g', 'app.yaml')).status, 'to-be-released');
    const pub = await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml', name: 'r1' });
    assert.equal(pub.name, 'r1');
    const file = await h.center.getFile(ctx, ns, 'g', 'app.yaml');
    assert.equal(file.status, 'normal');
    assert.ok(file.release_time);
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml', version: '0' });
    assert.equal(got.code, Code.ExecuteSuccess);
    assert.equal(got.configFile?.content, 'v: 1');
    assert.equal(got.configFile?.version, '1');
    assert.equal(got.configFile?.md5, createHash('md5').update('v: 1').digest('hex'));
    assert.deepEqual(got.configFile?.tags, [{ key: 'env', value: 'dev' }]);
    // Equal version: the full file again; client ahead: no change.
    assert.equal((await h.center.getConfigFile(ctx, { ...got.configFile, version: '1', tags: [] })).code, Code.ExecuteSuccess);
    assert.equal((await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml', version: '2' })).code, Code.DataNoChange);

    await h.center.updateFile(ctx, { ...key, content: 'v: 2' });
    assert.equal((await h.center.getFile(ctx, ns, 'g', 'app.yaml')).status, 'to-be-released');
    const p2 = await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' });
    assert.match(p2.name ?? '', /^app\.yaml-\d+-\d+$/);
    // Delete the active release, publish again: versions never go back.
    await h.center.deleteReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'app.yaml', name: p2.name }]);
    assert.equal((await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' })).code, Code.NotFoundResource);
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml', name: p2.name });
    const v = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' });
    assert.equal(v.configFile?.version, '4');
    assert.equal(v.configFile?.content, 'v: 2');
    // Delete the file and re-create it: still higher.
    await h.center.deleteFile(ctx, ns, 'g', 'app.yaml');
    assert.equal((await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' })).code, Code.NotFoundResource);
    await h.center.createFile(ctx, { ...key, content: 'v: 3' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' });
    const v2 = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'app.yaml' });
    assert.equal(v2.configFile?.content, 'v: 3');
    assert.ok(Number(v2.configFile?.version) >= 6, v2.configFile?.version ?? '');
  });

  it('refuses publishing an unknown file, into an unknown namespace, a gray release without labels', async () => {
    const ns = uniq('ns');
    await assert.rejects(h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'x' }), isCode(Code.NotFoundNamespace));
    await h.center.createGroup(ctx, { namespace: ns, name: 'g' });
    await assert.rejects(h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'x' }), isCode(Code.NotFoundResource));
    await assert.rejects(h.center.publish(ctx, { namespace: ns, group: 'g', file_name: '' }), isCode(Code.InvalidConfigFileName));
    await assert.rejects(
      h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'x', release_type: 'gray' }),
      isCode(Code.InvalidMatchRule),
    );
  });

  it('rolls back with a new version and writes history (cursor by endId)', async () => {
    const ns = uniq('ns');
    const f = { namespace: ns, group: 'g', name: 'r.txt' };
    await h.center.createFile(ctx, { ...f, content: 'one' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'r.txt', name: 'one' });
    await h.center.updateFile(ctx, { ...f, content: 'two' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'r.txt', name: 'two' });
    const res = await h.center.rollbackReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'r.txt', name: 'one' }]);
    assert.deepEqual(res.map((r) => r.code), [Code.ExecuteSuccess]);
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'r.txt' });
    assert.equal(got.configFile?.content, 'one');
    assert.equal(got.configFile?.version, '3');
    const missing = await h.center.rollbackReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'r.txt', name: 'nope' }]);
    assert.equal(missing[0].code, Code.NotFoundResource);
    const list = await h.center.listReleases(ctx, { namespace: ns, group: 'g', file_name: 'r.txt' });
    assert.deepEqual(list.items.map((r) => [r.name, r.version, r.active]), [['one', '3', true], ['two', '2', false]]);
    const hist = await h.center.listHistory(ctx, { namespace: ns, group: 'g', name: 'r.txt' });
    assert.deepEqual(hist.items.map((x) => x.type), ['rollback', 'normal', 'normal']);
    assert.equal(hist.items[0].content, 'one');
    const older = await h.center.listHistory(ctx, { namespace: ns, endId: hist.items[0].id ?? '0' });
    assert.equal(older.total, 2);
    const detail = await h.center.getRelease(ctx, { namespace: ns, group: 'g', file_name: 'r.txt', release_name: 'two' });
    assert.equal(detail?.content, 'two');
    assert.equal(detail?.active, false);
    const active = await h.center.getRelease(ctx, { namespace: ns, group: 'g', file_name: 'r.txt' });
    assert.equal(active?.name, 'one');
  });

  it('gray releases: served to matching clients only, block other publishes, stop-beta moves clients back', async () => {
    const ns = uniq('ns');
    const f = { namespace: ns, group: 'g', name: 'gray.txt' };
    await h.center.createFile(ctx, { ...f, content: 'full' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'gray.txt', name: 'full' });
    await h.center.updateFile(ctx, { ...f, content: 'beta' });
    await h.center.publish(ctx, {
      namespace: ns,
      group: 'g',
      file_name: 'gray.txt',
      name: 'beta',
      release_type: 'gray',
      beta_labels: [{ key: 'CLIENT_IP', value: { type: 'EXACT', value: '10.9.9.9' } }],
    });
    assert.equal((await h.center.getFile(ctx, ns, 'g', 'gray.txt')).status, 'betaing');
    const req = { namespace: ns, group: 'g', file_name: 'gray.txt' };
    const inGray = await h.center.getConfigFile(ctxOf('10.9.9.9'), req);
    const outside = await h.center.getConfigFile(ctxOf('10.1.1.1'), req);
    assert.equal(inGray.configFile?.content, 'beta');
    assert.equal(outside.configFile?.content, 'full');
    await assert.rejects(h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'gray.txt' }), isCode(Code.DataConflict));
    const list = await h.center.listReleases(ctx, { namespace: ns, group: 'g', file_name: 'gray.txt', only_active: 'true' });
    const beta = list.items.find((r) => r.name === 'beta');
    assert.equal(beta?.release_type, 'gray');
    assert.equal(beta?.beta_labels?.[0]?.value?.value, '10.9.9.9');
    const stop = await h.center.stopBeta(ctx, [{ namespace: ns, group: 'g', file_name: 'gray.txt' }]);
    assert.equal(stop[0].code, Code.ExecuteSuccess);
    const back = await h.center.getConfigFile(ctxOf('10.9.9.9'), { ...req, version: inGray.configFile?.version });
    assert.equal(back.code, Code.ExecuteSuccess);
    assert.equal(back.configFile?.content, 'full');
    assert.ok(Number(back.configFile?.version) > Number(inGray.configFile?.version));
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'gray.txt' });
  });

  it('stores encrypted content, shows plaintext to the console and the wrapped data key to clients', async () => {
    const ns = uniq('ns');
    assert.deepEqual(h.center.encryptAlgorithms(), ['AES']);
    const f = { namespace: ns, group: 'g', name: 'secret.properties' };
    await h.center.createFile(ctx, { ...f, content: 'password=s3cret', encrypted: true, encrypt_algo: 'AES' });
    const raw = await h.store.config().getFile(f);
    assert.notEqual(raw?.content, 'password=s3cret');
    assert.equal(raw?.encryptAlgo, 'AES');
    const console = await h.center.getFile(ctx, ns, 'g', 'secret.properties');
    assert.equal(console.content, 'password=s3cret');
    assert.equal(console.encrypted, true);
    assert.ok(!console.tags?.some((t) => t.key === 'internal-datakey'));
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'secret.properties' });

    const keys = clientKeyPair();
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'secret.properties', public_key: keys.publicKey });
    assert.equal(got.configFile?.encrypted, true);
    assert.notEqual(got.configFile?.content, 'password=s3cret');
    const tag = (k: string) => got.configFile?.tags?.find((t) => t.key === k)?.value;
    assert.equal(tag('internal-encryptalgo'), 'AES');
    const dataKey = keys.decrypt(tag('internal-datakey') ?? '');
    assert.equal(dataKey.length, 16);
    assert.equal(aesDecrypt(got.configFile?.content ?? '', dataKey), 'password=s3cret');
    // Without a public key the raw Base64 key is sent (older SDKs).
    const plainKey = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'secret.properties' });
    const raw64 = plainKey.configFile?.tags?.find((t) => t.key === 'internal-datakey')?.value ?? '';
    assert.equal(aesDecrypt(plainKey.configFile?.content ?? '', Buffer.from(raw64, 'base64')), 'password=s3cret');
    // A public key that is not one: refused, the key is never sent in the clear.
    const bad = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'secret.properties', public_key: 'bm90IGEga2V5' });
    assert.equal(bad.code, Code.BadRequest);
    assert.equal(bad.configFile, undefined);
    // Update keeps the key and the encryption; history shows plaintext.
    await h.center.updateFile(ctx, { ...f, content: 'password=other' });
    assert.equal((await h.store.config().getFile(f))?.dataKey, raw?.dataKey);
    assert.equal((await h.center.getFile(ctx, ns, 'g', 'secret.properties')).content, 'password=other');
    const hist = await h.center.listHistory(ctx, { namespace: ns });
    assert.equal(hist.items[0].content, 'password=s3cret');
  });

  it('createandpub and the client CAS upsert', async () => {
    const ns = uniq('ns');
    await h.center.createAndPublish(ctx, { namespace: ns, group: 'g', file_name: 'c.txt', content: 'a', release_name: 'r1' });
    assert.equal((await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'c.txt' })).configFile?.content, 'a');
    const wrong = await h.center.clientUpsertAndPublish(ctx, { namespace: ns, group: 'g', file_name: 'c.txt', content: 'b', md5: 'nope' });
    assert.equal(wrong.code, Code.DataConflict);
    // What polaris-go sends: the MD5 of the new content.
    const sdk = await h.center.clientUpsertAndPublish(ctx, {
      namespace: ns,
      group: 'g',
      file_name: 'c.txt',
      content: 'b',
      md5: '92eb5ffee6ae2fec3ad71c777531578f',
    });
    assert.equal(sdk.code, Code.ExecuteSuccess);
    // A real compare-and-swap: the MD5 of the current draft.
    const cas = await h.center.clientUpsertAndPublish(ctx, {
      namespace: ns,
      group: 'g',
      file_name: 'c.txt',
      content: 'c',
      md5: '92eb5ffee6ae2fec3ad71c777531578f',
    });
    assert.equal(cas.code, Code.ExecuteSuccess);
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'c.txt' });
    assert.equal(got.configFile?.content, 'c');
    assert.equal(got.configFile?.version, '3');
  });

  it('templates: create, duplicate, list', async () => {
    const name = uniq('tpl');
    await h.center.createTemplate(ctx, { name, content: 'k: v', format: 'yaml' });
    await assert.rejects(h.center.createTemplate(ctx, { name, content: 'k: v' }), isCode(Code.ExistedResource));
    await assert.rejects(h.center.createTemplate(ctx, { name: '', content: 'k' }), isCode(Code.InvalidConfigFileTemplateName));
    await assert.rejects(h.center.createTemplate(ctx, { name: uniq('t'), content: '' }), isCode(Code.BadRequest));
    const list = await h.center.listTemplates(ctx);
    assert.ok(list.items.some((t) => t.name === name));
    assert.equal(list.total, list.items.length);
  });
});
