import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import { ctxOf, openHarness, within, type Harness } from './harness.js';

const ctx = ctxOf();
let n = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++n}`;

async function fileWithRelease(h: Harness, ns: string, name = 'w.txt', content = 'one'): Promise<void> {
  await h.center.createFile(ctx, { namespace: ns, group: 'g', name, content });
  await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: name });
}

function watchReq(ns: string, version: number, name = 'w.txt') {
  return { watch_files: [{ namespace: ns, group: 'g', file_name: name, version: String(version) }] };
}

describe('config center: long-poll watch', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness({ watchTimeoutMs: 30_000 });
  });
  after(() => h.close());

  it('answers at once when a watched file is behind, with version, md5 and name but no content', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    const resp = await within(h.center.watchConfigFiles(ctx, watchReq(ns, 0), { clientId: 'c1' }), 200);
    assert.equal(resp.code, Code.ExecuteSuccess);
    assert.equal(resp.configFile?.version, '1');
    assert.equal(resp.configFile?.file_name, 'w.txt');
    assert.ok(resp.configFile?.md5);
    assert.ok(resp.configFile?.name);
    assert.equal(resp.configFile?.content, undefined);
  });

  it('holds, and a publish wakes the watcher within 100 ms', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    const held = h.center.watchConfigFiles(ctx, watchReq(ns, 1), { clientId: 'c2' });
    assert.equal(h.center.watches.size(), 1);
    await h.center.updateFile(ctx, { namespace: ns, group: 'g', name: 'w.txt', content: 'two' });
    const t0 = performance.now();
    const pub = h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'w.txt' });
    const resp = await within(held, 1000);
    const woke = performance.now() - t0;
    await pub;
    assert.equal(resp.code, Code.ExecuteSuccess);
    assert.equal(resp.configFile?.version, '2');
    assert.ok(woke < 100, `woke after ${woke} ms`);
    assert.equal(h.center.watches.size(), 0);
  });

  it('times out with 200001, no info and no configFile', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    const t0 = Date.now();
    const resp = await within(h.center.watchConfigFiles(ctx, watchReq(ns, 1), { clientId: 'c3', timeoutMs: 150 }), 1000);
    assert.ok(Date.now() - t0 >= 140);
    assert.deepEqual(resp, { code: Code.DataNoChange });
  });

  it('a file never published simply waits; a client going away releases its watcher at once', async () => {
    const ns = uniq('ns');
    const ac = new AbortController();
    const held = h.center.watchConfigFiles(ctx, watchReq(ns, 0, 'never.txt'), { clientId: 'c4', signal: ac.signal });
    assert.equal(h.center.watches.size(), 1);
    ac.abort();
    assert.equal((await within(held, 100)).code, Code.DataNoChange);
    assert.equal(h.center.watches.size(), 0);
  });

  it('publish → delete → re-create: every step wakes the watcher, nothing is missed', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    // Delete of the file: the watcher at version 1 wakes with a higher version; the fetch then 404s.
    let held = h.center.watchConfigFiles(ctx, watchReq(ns, 1), { clientId: 'c5' });
    await h.center.deleteFile(ctx, ns, 'g', 'w.txt');
    let resp = await within(held, 500);
    assert.equal(resp.code, Code.ExecuteSuccess);
    const afterDelete = Number(resp.configFile?.version);
    assert.ok(afterDelete > 1);
    assert.equal((await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'w.txt' })).code, Code.NotFoundResource);
    // A watcher that comes back after the delete with its old version is told at once.
    resp = await within(h.center.watchConfigFiles(ctx, watchReq(ns, 1), { clientId: 'c5' }), 200);
    assert.equal(Number(resp.configFile?.version), afterDelete);
    // Re-create + publish of the same file and release name: wakes the watcher with a newer version.
    held = h.center.watchConfigFiles(ctx, watchReq(ns, afterDelete), { clientId: 'c5' });
    await h.center.createFile(ctx, { namespace: ns, group: 'g', name: 'w.txt', content: 'again' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'w.txt' });
    resp = await within(held, 500);
    assert.ok(Number(resp.configFile?.version) > afterDelete);
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'w.txt', version: resp.configFile?.version });
    assert.equal(got.configFile?.content, 'again');
  });

  it('watching several files wakes on any of them; rollback and release delete wake too', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns, 'a.txt', 'a1');
    await fileWithRelease(h, ns, 'b.txt', 'b1');
    const two = { watch_files: [...watchReq(ns, 1, 'a.txt').watch_files, ...watchReq(ns, 1, 'b.txt').watch_files] };
    let held = h.center.watchConfigFiles(ctx, two, { clientId: 'c6' });
    await h.center.updateFile(ctx, { namespace: ns, group: 'g', name: 'b.txt', content: 'b2' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'b.txt', name: 'b-two' });
    let resp = await within(held, 500);
    assert.equal(resp.configFile?.file_name, 'b.txt');
    const releases = await h.center.listReleases(ctx, { namespace: ns, group: 'g', file_name: 'b.txt' });
    const first = releases.items.find((r) => r.name !== 'b-two')?.name ?? '';
    held = h.center.watchConfigFiles(ctx, watchReq(ns, 2, 'b.txt'), { clientId: 'c6' });
    await h.center.rollbackReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'b.txt', name: first }]);
    resp = await within(held, 500);
    assert.equal(resp.configFile?.version, '3');
    held = h.center.watchConfigFiles(ctx, watchReq(ns, 3, 'b.txt'), { clientId: 'c6' });
    await h.center.deleteReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'b.txt', name: first }]);
    resp = await within(held, 500);
    assert.ok(Number(resp.configFile?.version) > 3);
  });

  it('validates the request', async () => {
    assert.equal((await h.center.watchConfigFiles(ctx, { watch_files: [] }, { clientId: 'x' })).code, Code.InvalidWatchConfigFileFormat);
    const bad = await h.center.watchConfigFiles(ctx, { watch_files: [{ namespace: 'a', group: '', file_name: 'f' }] }, { clientId: 'x' });
    assert.equal(bad.code, Code.BadRequest);
    assert.equal(bad.info, 'file group is empty');
  });

  it('wakes 2000 concurrent watchers of one file on one publish', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    const all = Array.from({ length: 2000 }, (_, i) => h.center.watchConfigFiles(ctx, watchReq(ns, 1), { clientId: `m${i}` }));
    assert.equal(h.center.watches.size(), 2000);
    await h.center.updateFile(ctx, { namespace: ns, group: 'g', name: 'w.txt', content: 'many' });
    const t0 = performance.now();
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'w.txt' });
    const answers = await within(Promise.all(all), 2000);
    const ms = performance.now() - t0;
    assert.ok(answers.every((a) => a.code === Code.ExecuteSuccess && a.configFile?.version === '2'));
    assert.ok(ms < 500, `${ms} ms`);
    assert.equal(h.center.watches.size(), 0);
  });

  it('shows which client watches which file and the version each last received', async () => {
    const ns = uniq('ns');
    await fileWithRelease(h, ns);
    await h.center.getConfigFile(ctxOf('10.2.2.2'), { namespace: ns, group: 'g', file_name: 'w.txt' }, '10.2.2.2:5000');
    const held = h.center.watchConfigFiles(ctxOf('10.2.2.2'), watchReq(ns, 1), { clientId: '10.2.2.2:5000' });
    let view = await h.center.listWatchers(ctx, { namespace: ns });
    assert.equal(view.total, 1);
    assert.deepEqual(
      { ...view.items[0], lastSeen: '' },
      {
        client: '10.2.2.2:5000',
        ip: '10.2.2.2',
        protocol: 'http',
        namespace: ns,
        group: 'g',
        fileName: 'w.txt',
        version: '1',
        notifiedVersion: '0',
        serverVersion: '1',
        watching: 1,
        lastSeen: '',
      },
    );
    await h.center.updateFile(ctx, { namespace: ns, group: 'g', name: 'w.txt', content: 'x' });
    await h.center.publish(ctx, { namespace: ns, group: 'g', file_name: 'w.txt' });
    await held;
    view = await h.center.listWatchers(ctx, { namespace: ns, group: 'g', fileName: 'w.txt' });
    assert.equal(view.items[0].notifiedVersion, '2');
    assert.equal(view.items[0].serverVersion, '2');
    assert.equal(view.items[0].watching, 0);
  });
});

describe('config center: watchers across processes sharing the store', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(() => h.close());

  it('a publish on another process wakes local watchers within one sequence probe (100 ms)', async () => {
    const other = await h.peer();
    const ns = uniq('ns');
    await other.createFile(ctx, { namespace: ns, group: 'g', name: 'x.txt', content: '1' });
    const held = h.center.watchConfigFiles(ctx, watchReq(ns, 0, 'x.txt'), { clientId: 'p' });
    const t0 = performance.now();
    await other.publish(ctx, { namespace: ns, group: 'g', file_name: 'x.txt' });
    const resp = await within(held, 1000);
    assert.equal(resp.configFile?.version, '1');
    assert.ok(performance.now() - t0 < 400);
    const got = await h.center.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'x.txt' });
    assert.equal(got.configFile?.content, '1');
  });

  it('no 400202 gap: readers on both processes always see an active release during publishes and rollbacks', async () => {
    const other = await h.peer();
    const ns = uniq('ns');
    await other.createFile(ctx, { namespace: ns, group: 'g', name: 'gap.txt', content: '0' });
    await other.publish(ctx, { namespace: ns, group: 'g', file_name: 'gap.txt', name: 'r0' });
    await h.center.cache.refresh();
    let stop = false;
    const codes = new Set<number>();
    const readers = [h.center, other].map(async (c) => {
      while (!stop) {
        codes.add((await c.getConfigFile(ctx, { namespace: ns, group: 'g', file_name: 'gap.txt' })).code ?? 0);
        await c.cache.refresh();
      }
    });
    for (let i = 1; i <= 15; i++) {
      await other.updateFile(ctx, { namespace: ns, group: 'g', name: 'gap.txt', content: String(i) });
      await other.publish(ctx, { namespace: ns, group: 'g', file_name: 'gap.txt', name: `r${i}` });
      if (i % 5 === 0) await other.rollbackReleases(ctx, [{ namespace: ns, group: 'g', file_name: 'gap.txt', name: 'r0' }]);
    }
    stop = true;
    await Promise.all(readers);
    assert.deepEqual([...codes], [Code.ExecuteSuccess]);
  });
});
