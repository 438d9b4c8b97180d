import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { Code } from '../../../src/common/errors/codes.js';
import { PolarisError } from '../../../src/common/errors/polaris-error.js';
import { ctxOf, openHarness, type Harness } from './harness.js';

const ctx = ctxOf();
const isCode = (code: number) => (err: unknown) => err instanceof PolarisError && err.code === code;
let n = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++n}`;

describe('config center: export and import', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness({ contentMaxLength: 1000 });
  });
  after(() => h.close());

  it('exports drafts with META and imports them into another namespace (round trip)', async () => {
    const ns = uniq('ns');
    await h.center.createFile(ctx, {
      namespace: ns,
      group: 'app',
      name: 'dir0/a.yaml',
      content: 'a: 1',
      comment: 'first',
      tags: [{ key: 'env', value: 'dev' }],
    });
    await h.center.createFile(ctx, { namespace: ns, group: 'app', name: 'secret.txt', content: 's3cret', encrypted: true });
    await h.center.createFile(ctx, { namespace: ns, group: 'other', name: 'b.json', content: '{}' });

    const zip = await h.center.exportFiles(ctx, { namespace: ns, groups: ['app'] });
    const entries = unzipSync(zip);
    assert.deepEqual(Object.keys(entries).sort(), ['META', 'app/dir0/a.yaml', 'app/secret.txt']);
    assert.equal(strFromU8(entries['app/dir0/a.yaml']), 'a: 1');
    assert.equal(strFromU8(entries['app/secret.txt']), 's3cret');
    const meta = JSON.parse(strFromU8(entries.META));
    assert.deepEqual(meta['app/dir0/a.yaml'], { tags: { env: 'dev' }, comment: 'first' });
    assert.ok(!JSON.stringify(meta).includes('internal-datakey'));
    assert.match(strFromU8(entries.META), /\n\t"/);

    const named = unzipSync(await h.center.exportFiles(ctx, { namespace: ns, groups: ['app'], names: ['dir0/a.yaml'] }));
    assert.deepEqual(Object.keys(named).sort(), ['META', 'dir0/a.yaml']);
    await assert.rejects(h.center.exportFiles(ctx, { namespace: ns, groups: ['app', 'other'], names: ['x'] }), isCode(Code.InvalidParameter));
    await assert.rejects(h.center.exportFiles(ctx, { namespace: ns, groups: [] }), isCode(Code.InvalidParameter));
    await assert.rejects(h.center.exportFiles(ctx, { namespace: ns, groups: ['none'] }), isCode(Code.NotFoundResourceConfigFile));

    const target = uniq('ns2');
    const res = await h.center.importFiles(ctx, zip, { namespace: target, group: '', conflictHandling: 'skip' });
    assert.deepEqual(res.created.map((f) => `${f.group}/${f.name}`).sort(), ['app/dir0/a.yaml', 'app/secret.txt']);
    const a = await h.center.getFile(ctx, target, 'app', 'dir0/a.yaml');
    assert.equal(a.content, 'a: 1');
    assert.equal(a.format, 'yaml');
    assert.equal(a.comment, 'first');
    assert.deepEqual(a.tags, [{ key: 'env', value: 'dev' }]);
    const s = await h.center.getFile(ctx, target, 'app', 'secret.txt');
    assert.equal(s.content, 's3cret');
    assert.equal(s.encrypted, true);

    const again = await h.center.importFiles(ctx, zip, { namespace: target, group: '', conflictHandling: 'skip' });
    assert.equal(again.created.length, 0);
    assert.equal(again.skipped.length, 2);
    const changed = zipSync({ 'app/dir0/a.yaml': strToU8('a: 2'), 'app/new.txt': strToU8('n') });
    const over = await h.center.importFiles(ctx, changed, { namespace: target, group: '', conflictHandling: 'overwrite' });
    assert.deepEqual(over.overwritten.map((f) => f.name), ['dir0/a.yaml']);
    assert.deepEqual(over.created.map((f) => f.name), ['new.txt']);
    assert.equal((await h.center.getFile(ctx, target, 'app', 'dir0/a.yaml')).content, 'a: 2');
    // The group parameter overrides every group.
    const forced = await h.center.importFiles(ctx, changed, { namespace: target, group: 'forced', conflictHandling: 'skip' });
    assert.deepEqual(forced.created.map((f) => `${f.group}/${f.name}`).sort(), ['forced/dir0/a.yaml', 'forced/new.txt']);
  });

  it('is all-or-nothing: a refused import leaves no namespace, group or file behind', async () => {
    const ns = uniq('ns');
    const zip = zipSync({
      'g1/ok.txt': strToU8('fine'),
      'g2/too-long.txt': strToU8('x'.repeat(1001)),
    });
    await assert.rejects(
      h.center.importFiles(ctx, zip, { namespace: ns, group: '', conflictHandling: 'skip' }),
      isCode(Code.InvalidConfigFileContentLength),
    );
    assert.equal(await h.store.getNamespace(ns), undefined);
    assert.equal((await h.center.listGroups(ctx, { namespace: ns })).total, 0);
    // No group in the path and none given: refused as a whole too.
    await assert.rejects(
      h.center.importFiles(ctx, zipSync({ 'g1/a.txt': strToU8('a'), 'flat.txt': strToU8('b') }), { namespace: ns, group: '', conflictHandling: 'skip' }),
      isCode(Code.InvalidConfigFileGroupName),
    );
    assert.equal(await h.store.getNamespace(ns), undefined);
    await assert.rejects(
      h.center.importFiles(ctx, strToU8('not a zip'), { namespace: ns, group: 'g', conflictHandling: 'skip' }),
      isCode(Code.ParseException),
    );
  });
});
