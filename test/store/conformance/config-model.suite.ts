import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import { PolarisError } from '../../../src/common/errors/polaris-error.js';
import { makeFile, makeGroup, makeHistory, makeRelease, makeTemplate, withConfigStore, type ConfigStoreFactory } from './config-fixtures.js';
import { makeNamespace, uniq } from './fixtures.js';

const isCode = (code: number) => (err: unknown) => err instanceof PolarisError && err.code === code;

/** Groups, files, releases, history and templates through the public ConfigStore interface. */
export function describeConfigModelSuite(factory: ConfigStoreFactory): void {
  describe('config groups', () => {
    it('creates, reads back every field, lists, updates and deletes', () =>
      withConfigStore(factory, async ({ config }) => {
        const g = makeGroup();
        const created = await config.createGroup(g);
        assert.ok(created.id > 0);
        const got = await config.getGroup(g.namespace, g.name);
        assert.ok(got);
        assert.equal(got.id, created.id);
        assert.deepEqual({ ...got, ctime: 0, mtime: 0, id: 0 }, g);
        assert.ok(got.ctime > 0 && got.mtime >= got.ctime);
        assert.deepEqual((await config.listGroups(g.namespace)).map((x) => x.name), [g.name]);
        assert.ok((await config.listGroups()).some((x) => x.id === created.id));

        await config.updateGroup({ ...g, comment: 'changed', metadata: { a: 'b' }, modifyBy: 'someone' });
        const updated = await config.getGroup(g.namespace, g.name);
        assert.equal(updated?.comment, 'changed');
        assert.deepEqual(updated?.metadata, { a: 'b' });
        assert.equal(updated?.modifyBy, 'someone');
        assert.equal(updated?.createBy, 'polaris');

        assert.equal(await config.deleteGroup(g.namespace, g.name), true);
        assert.equal(await config.getGroup(g.namespace, g.name), undefined);
        assert.equal(await config.deleteGroup(g.namespace, g.name), false);
      }));

    it('refuses a duplicate live name, allows re-creation after delete, 404s unknown updates', () =>
      withConfigStore(factory, async ({ config }) => {
        const g = makeGroup();
        const first = await config.createGroup(g);
        await assert.rejects(config.createGroup(g), isCode(Code.ExistedResource));
        await config.deleteGroup(g.namespace, g.name);
        const again = await config.createGroup(g);
        assert.notEqual(again.id, first.id);
        await assert.rejects(config.updateGroup(makeGroup()), isCode(Code.NotFoundResource));
        assert.equal(await config.getGroup(uniq('ns'), 'nope'), undefined);
      }));
  });

  describe('config files', () => {
    it('round-trips every field, including names with slashes, and counts files per group', () =>
      withConfigStore(factory, async ({ config }) => {
        const f = makeFile({ encryptAlgo: 'AES', dataKey: 'a2V5', content: 'Y2lwaGVy' });
        const created = await config.createFile(f);
        assert.ok(created.id > 0);
        const got = await config.getFile(f);
        assert.ok(got);
        assert.deepEqual({ ...got, ctime: 0, mtime: 0, id: 0 }, f);
        const sibling = await config.createFile(makeFile({ namespace: f.namespace, group: f.group, name: 'plain' }));
        assert.equal(await config.countFilesInGroup(f.namespace, f.group), 2);
        assert.deepEqual((await config.listFiles(f.namespace, f.group)).map((x) => x.id), [created.id, sibling.id]);
        assert.equal((await config.listFiles(f.namespace)).length, 2);
        assert.equal((await config.listFiles(f.namespace, 'other')).length, 0);
      }));

    it('updates, refuses duplicates, deletes softly and allows re-creation', () =>
      withConfigStore(factory, async ({ config }) => {
        const f = makeFile();
        await config.createFile(f);
        await assert.rejects(config.createFile(f), isCode(Code.ExistedResource));
        await config.updateFile({ ...f, content: 'b: 2', md5: 'x', tags: {}, comment: 'c2', modifyBy: 'bob' });
        const got = await config.getFile(f);
        assert.equal(got?.content, 'b: 2');
        assert.deepEqual(got?.tags, {});
        assert.equal(got?.modifyBy, 'bob');
        await assert.rejects(config.updateFile(makeFile()), isCode(Code.NotFoundResource));
        assert.equal(await config.deleteFile(f), true);
        assert.equal(await config.getFile(f), undefined);
        assert.equal(await config.countFilesInGroup(f.namespace, f.group), 0);
        assert.equal(await config.deleteFile(f), false);
        await config.createFile(f);
        assert.ok(await config.getFile(f));
      }));
  });

  describe('config releases', () => {
    it('saves new releases, refuses a duplicate live name, updates by id and lists by version', () =>
      withConfigStore(factory, async ({ config }) => {
        const file = { namespace: uniq('ns'), group: uniq('grp'), name: 'a/b.yaml' };
        const r1 = await config.saveRelease(makeRelease(file, { name: 'v1', version: 1, active: false }));
        const r2 = await config.saveRelease(
          makeRelease(file, {
            name: 'v2',
            version: 2,
            releaseType: 'gray',
            betaLabels: [{ key: 'CLIENT_IP', type: 'EXACT', value: '1.2.3.4', valueType: 'TEXT' }],
            encryptAlgo: 'AES',
            dataKey: 'a2V5',
          }),
        );
        assert.ok(r1.id > 0 && r2.id > r1.id);
        await assert.rejects(config.saveRelease(makeRelease(file, { name: 'v1' })), isCode(Code.ExistedResource));
        const got = await config.getRelease(file, 'v2');
        assert.ok(got);
        assert.deepEqual({ ...got, ctime: 0, mtime: 0 }, { ...r2, ctime: 0, mtime: 0 });
        assert.deepEqual((await config.listReleases(file)).map((r) => r.name), ['v2', 'v1']);

        await config.saveRelease({ ...r1, version: 3, active: true, modifyBy: 'bob' });
        const r1b = await config.getRelease(file, 'v1');
        assert.equal(r1b?.version, 3);
        assert.equal(r1b?.active, true);
        assert.equal(r1b?.modifyBy, 'bob');
        assert.deepEqual((await config.listReleases(file)).map((r) => r.name), ['v1', 'v2']);
        assert.equal(await config.countActiveReleasesInGroup(file.namespace, file.group), 2);
        await assert.rejects(config.saveRelease({ ...r1, id: 999_999_999 }), isCode(Code.NotFoundResource));
      }));

    it('deletes softly: gone from reads, the name can be published again', () =>
      withConfigStore(factory, async ({ config }) => {
        const file = { namespace: uniq('ns'), group: uniq('grp'), name: 'f' };
        await config.saveRelease(makeRelease(file, { name: 'v1' }));
        assert.equal(await config.deleteRelease(file, 'v1'), true);
        assert.equal(await config.getRelease(file, 'v1'), undefined);
        assert.equal(await config.deleteRelease(file, 'v1'), false);
        assert.equal(await config.countActiveReleasesInGroup(file.namespace, file.group), 0);
        const again = await config.saveRelease(makeRelease(file, { name: 'v1', version: 2 }));
        assert.equal((await config.getRelease(file, 'v1'))?.id, again.id);
      }));

    it('hands out versions that never go back, even after releases and the file are deleted', () =>
      withConfigStore(factory, async ({ config }) => {
        const f = makeFile();
        await config.createFile(f);
        const v1 = await config.transaction(async (tx) => {
          const v = await tx.nextReleaseVersion(f);
          await tx.saveRelease(makeRelease(f, { name: 'a', version: v }));
          return v;
        });
        assert.equal(v1, 1);
        const v2 = await config.transaction(async (tx) => {
          const v = await tx.nextReleaseVersion(f);
          await tx.saveRelease(makeRelease(f, { name: 'b', version: v }));
          return v;
        });
        assert.equal(v2, 2);
        await config.transaction(async (tx) => {
          await tx.deleteRelease(f, 'a');
          await tx.deleteRelease(f, 'b');
          await tx.deleteFile(f);
        });
        await config.createFile(f);
        assert.equal(await config.nextReleaseVersion(f), 3);
        // A version saved explicitly above the counter is honoured too.
        await config.saveRelease(makeRelease(f, { name: 'c', version: 10 }));
        assert.equal(await config.nextReleaseVersion(f), 11);
      }));
  });

  describe('release history', () => {
    it('lists newest first with exact namespace, substring group/file, endId cursor and paging', () =>
      withConfigStore(factory, async ({ config }) => {
        const ns = uniq('ns');
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) {
          const h = await config.addReleaseHistory(
            makeHistory({ namespace: ns, group: i < 3 ? 'app-alpha' : 'app-beta', fileName: `file-${i}.yaml`, version: i }),
          );
          ids.push(h.id);
        }
        const all = await config.listReleaseHistory({ namespace: ns, group: '', fileName: '', endId: 0, offset: 0, limit: 100 });
        assert.equal(all.total, 5);
        assert.deepEqual(all.items.map((h) => h.id), [...ids].reverse());
        assert.equal(all.items[0].version, 4);
        const alpha = await config.listReleaseHistory({ namespace: ns, group: 'alph', fileName: '', endId: 0, offset: 0, limit: 100 });
        assert.equal(alpha.total, 3);
        const file = await config.listReleaseHistory({ namespace: ns, group: '', fileName: 'file-4', endId: 0, offset: 0, limit: 100 });
        assert.deepEqual(file.items.map((h) => h.id), [ids[4]]);
        const cursor = await config.listReleaseHistory({ namespace: ns, group: '', fileName: '', endId: ids[2], offset: 0, limit: 1 });
        assert.equal(cursor.total, 2);
        assert.deepEqual(cursor.items.map((h) => h.id), [ids[1]]);
        const page = await config.listReleaseHistory({ namespace: ns, group: '', fileName: '', endId: 0, offset: 4, limit: 10 });
        assert.deepEqual(page.items.map((h) => h.id), [ids[0]]);
        const none = await config.listReleaseHistory({ namespace: uniq('ns'), group: '', fileName: '', endId: 0, offset: 0, limit: 10 });
        assert.equal(none.total, 0);
      }));
  });

  describe('templates', () => {
    it('creates, refuses duplicates, gets and lists', () =>
      withConfigStore(factory, async ({ config }) => {
        const t = makeTemplate();
        const created = await config.createTemplate(t);
        assert.ok(created.id > 0);
        await assert.rejects(config.createTemplate(t), isCode(Code.ExistedResource));
        const got = await config.getTemplate(t.name);
        assert.deepEqual({ ...got, ctime: 0, mtime: 0, id: 0 }, t);
        assert.ok((await config.listTemplates()).some((x) => x.name === t.name));
        assert.equal(await config.getTemplate(uniq('missing')), undefined);
      }));
  });

  describe('config transactions', () => {
    it('commits namespace, group, file and release together', () =>
      withConfigStore(factory, async ({ config, naming }) => {
        const ns = makeNamespace();
        const f = makeFile({ namespace: ns.name });
        await config.transaction(async (tx) => {
          assert.equal(await tx.getNamespace(ns.name), undefined);
          await tx.createNamespace(ns);
          assert.ok(await tx.getNamespace(ns.name));
          await tx.createGroup(makeGroup({ namespace: ns.name, name: f.group }));
          await tx.createFile(f);
          await tx.saveRelease(makeRelease(f, { version: await tx.nextReleaseVersion(f) }));
        });
        assert.ok(await naming.getNamespace(ns.name));
        assert.ok(await config.getNamespace(ns.name));
        assert.ok(await config.getGroup(ns.name, f.group));
        assert.equal((await config.listReleases(f)).length, 1);
      }));

    it('rolls back every write, namespaces included, when fn rejects', () =>
      withConfigStore(factory, async ({ config, naming }) => {
        const keep = makeFile();
        await config.createFile(keep);
        const ns = makeNamespace();
        const f = makeFile({ namespace: ns.name });
        const boom = new Error('boom');
        await assert.rejects(
          config.transaction(async (tx) => {
            await tx.createNamespace(ns);
            await tx.createGroup(makeGroup({ namespace: ns.name, name: f.group }));
            await tx.createFile(f);
            await tx.nextReleaseVersion(f);
            await tx.saveRelease(makeRelease(f));
            await tx.updateFile({ ...keep, content: 'must not stick' });
            await tx.addReleaseHistory(makeHistory({ namespace: ns.name }));
            await tx.createTemplate(makeTemplate({ name: `tpl-${ns.name}` }));
            throw boom;
          }),
          (err) => err === boom,
        );
        assert.equal(await naming.getNamespace(ns.name), undefined);
        assert.equal(await config.getGroup(ns.name, f.group), undefined);
        assert.equal(await config.getFile(f), undefined);
        assert.equal((await config.listReleases(f)).length, 0);
        assert.equal((await config.getFile(keep))?.content, keep.content);
        assert.equal(await config.getTemplate(`tpl-${ns.name}`), undefined);
        assert.equal(await config.nextReleaseVersion(f), 1);
        const h = await config.listReleaseHistory({ namespace: ns.name, group: '', fileName: '', endId: 0, offset: 0, limit: 10 });
        assert.equal(h.total, 0);
      }));

    it('rejects the use of a transaction handle after it settled', () =>
      withConfigStore(factory, async ({ config }) => {
        let leaked: Parameters<Parameters<typeof config.transaction>[0]>[0] | undefined;
        await config.transaction(async (tx) => {
          leaked = tx;
        });
        await assert.rejects(leaked!.getGroup('a', 'b'));
        await assert.rejects(leaked!.createFile(makeFile()));
      }));
  });
}
