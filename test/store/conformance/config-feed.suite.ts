import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeFile, makeGroup, makeRelease, withConfigStore, type ConfigStoreFactory } from './config-fixtures.js';
import { makeNamespace, uniq } from './fixtures.js';

/** The config change feed: one global sequence with naming, tombstones, content only when active. */
export function describeConfigFeedSuite(factory: ConfigStoreFactory): void {
  describe('config change feed', () => {
    it('stamps one sequence value per transaction, shared with the naming sequence', () =>
      withConfigStore(factory, async ({ config, naming }) => {
        const before = await config.currentSeq();
        assert.equal(before, await naming.currentSeq());
        const ns = makeNamespace();
        const f = makeFile({ namespace: ns.name });
        await config.transaction(async (tx) => {
          await tx.createNamespace(ns);
          await tx.createGroup(makeGroup({ namespace: ns.name, name: f.group }));
          await tx.createFile(f);
          await tx.saveRelease(makeRelease(f, { version: await tx.nextReleaseVersion(f) }));
        });
        const after = await config.currentSeq();
        assert.equal(after, before + 1);
        const cs = await config.readConfigChanges(before);
        assert.equal(cs.seq, after);
        assert.equal(cs.groups.length, 1);
        assert.equal(cs.files.length, 1);
        assert.equal(cs.releases.length, 1);
        for (const row of [...cs.groups, ...cs.files, ...cs.releases]) assert.equal(row.seq, after);
        const namingChanges = await naming.readChanges(before);
        assert.deepEqual(namingChanges.namespaces.map((n) => [n.value.name, n.seq]), [[ns.name, after]]);

        // A naming write moves the same sequence.
        await naming.createNamespace(makeNamespace());
        assert.equal(await config.currentSeq(), after + 1);
      }));

    it('full load has live rows only; incremental reads carry tombstones in seq order', () =>
      withConfigStore(factory, async ({ config }) => {
        const g = makeGroup();
        await config.createGroup(g);
        const f = makeFile({ namespace: g.namespace, group: g.name });
        await config.createFile(f);
        const mid = await config.currentSeq();
        await config.deleteFile(f);
        await config.deleteGroup(g.namespace, g.name);

        const full = await config.readConfigChanges(0);
        assert.ok(!full.groups.some((r) => r.value.name === g.name));
        assert.ok(!full.files.some((r) => r.value.name === f.name && r.value.namespace === f.namespace));
        assert.ok(full.groups.every((r) => !r.deleted));

        const inc = await config.readConfigChanges(mid);
        assert.deepEqual(inc.files.map((r) => [r.value.name, r.deleted]), [[f.name, true]]);
        assert.deepEqual(inc.groups.map((r) => [r.value.name, r.deleted]), [[g.name, true]]);
        assert.ok(inc.files[0].seq < inc.groups[0].seq);
        const none = await config.readConfigChanges(inc.seq);
        assert.equal(none.groups.length + none.files.length + none.releases.length, 0);
        assert.equal(none.seq, inc.seq);
      }));

    it('file rows carry metadata but no content; release rows carry content only while live and active', () =>
      withConfigStore(factory, async ({ config }) => {
        const since = await config.currentSeq();
        const f = makeFile({ content: 'secret-ish', dataKey: 'a2V5', encryptAlgo: 'AES', md5: 'm' });
        await config.createFile(f);
        const active = await config.saveRelease(makeRelease(f, { name: 'on', content: 'A', dataKey: 'k1', active: true }));
        await config.saveRelease(makeRelease(f, { name: 'off', content: 'B', dataKey: 'k2', active: false, version: 2 }));
        const cs = await config.readConfigChanges(since);
        const file = cs.files.find((r) => r.value.name === f.name)!;
        assert.equal(file.value.md5, 'm');
        assert.equal(file.value.encryptAlgo, 'AES');
        assert.equal((file.value as Record<string, unknown>).content, undefined);
        assert.equal((file.value as Record<string, unknown>).dataKey, undefined);
        const on = cs.releases.find((r) => r.value.name === 'on')!;
        const off = cs.releases.find((r) => r.value.name === 'off')!;
        assert.equal(on.value.content, 'A');
        assert.equal(on.value.dataKey, 'k1');
        assert.equal(off.value.content, '');
        assert.equal(off.value.dataKey, '');
        assert.equal(off.value.version, 2);

        const mid = await config.currentSeq();
        await config.deleteRelease(f, 'on');
        const del = await config.readConfigChanges(mid);
        assert.equal(del.releases.length, 1);
        assert.equal(del.releases[0].deleted, true);
        assert.equal(del.releases[0].value.id, active.id);
        assert.equal(del.releases[0].value.content, '');
        assert.equal(del.releases[0].value.version, active.version);
      }));

    it('a peer process on the same data sees the writes in the feed', async (t) => {
      await withConfigStore(factory, async ({ config, openPeer }) => {
        if (!openPeer) {
          t.skip(`${factory.name}: no peer store`);
          return;
        }
        const peer = await openPeer();
        const since = await peer.currentSeq();
        const f = makeFile({ name: uniq('peer') });
        await config.createFile(f);
        await config.saveRelease(makeRelease(f));
        const cs = await peer.readConfigChanges(since);
        assert.equal(cs.files.length, 1);
        assert.equal(cs.releases.length, 1);
        assert.equal(cs.seq, await config.currentSeq());
      });
    });

    it('purges tombstones older than a cutoff and below a sequence', () =>
      withConfigStore(factory, async ({ config }) => {
        const f = makeFile();
        await config.createFile(f);
        await config.saveRelease(makeRelease(f));
        await config.transaction(async (tx) => {
          await tx.deleteRelease(f, (await tx.listReleases(f))[0].name);
          await tx.deleteFile(f);
        });
        const seq = await config.currentSeq();
        assert.equal(await config.purgeConfigTombstones(60_000, seq + 1), 0);
        const n = await config.purgeConfigTombstones(-1000, seq + 1);
        assert.ok(n >= 2);
        // Versions survive the purge.
        assert.equal(await config.nextReleaseVersion(f), 2);
      }));
  });
}
