import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../src/common/errors/codes.js';
import type { ConfigRelease } from '../../src/common/model/config.js';
import type { Versioned } from '../../src/store/api.js';
import type { ConfigStore } from '../../src/store/config-api.js';
import { MysqlStore } from '../../src/store/mysql/mysql-store.js';
import { makeFile, makeGroup, makeHistory, makeRelease, makeTemplate } from './conformance/config-fixtures.js';
import { describeConfigStoreConformance, type ConfigStoreFactory } from './conformance/config-store.suite.js';
import { makeNamespace, uniq } from './conformance/fixtures.js';
import { makeRule } from './conformance/rules-fixtures.js';
import { adminConnection, dropDatabase, freshDbName, gate, openStore, PEER_TZ, whenMysqlReachable, withTwoStores } from '../helpers/mysql.js';

/*
 * The config-store conformance suite and MySQL-specific cases against a real server (MariaDB here
 * and in CI). Override the server with POLARIS_TEST_MYSQL_ADDR / _USER / _PASSWORD. Every case
 * gets a fresh database polaris_test_<random>, dropped afterwards. Sessions run in non-UTC time
 * zones (+05:30, and -08:00 for peers) to flush out time zone bugs.
 */

const factory: ConfigStoreFactory = {
  name: 'mysql',
  async create() {
    const dbName = freshDbName();
    const naming = await openStore(dbName);
    const peers: MysqlStore[] = [];
    return {
      config: naming.config(),
      naming,
      async openPeer(): Promise<ConfigStore> {
        const peer = await openStore(dbName, { sessionTimeZone: PEER_TZ });
        peers.push(peer);
        return peer.config();
      },
      async dispose() {
        for (const p of peers) await p.close();
        await naming.close();
        await dropDatabase(dbName);
      },
    };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies versioned releases in seq order, as the config cache does. */
function apply(into: Map<number, ConfigRelease>, rows: Versioned<ConfigRelease>[]): void {
  for (const v of [...rows].sort((x, y) => x.seq - y.seq)) {
    if (v.deleted) into.delete(v.value.id);
    else into.set(v.value.id, v.value);
  }
}

/** One publish as the config service does it: reserve the version, save, log. */
function publish(config: ConfigStore, file: { namespace: string; group: string; name: string }, name = uniq('rel')) {
  return config.transaction(async (tx) => {
    const version = await tx.nextReleaseVersion(file);
    const saved = await tx.saveRelease(makeRelease(file, { name, version }));
    await tx.addReleaseHistory(makeHistory({ namespace: file.namespace, group: file.group, fileName: file.name, version }));
    return saved;
  });
}

await whenMysqlReachable('mysql config store', () => {
  describeConfigStoreConformance(factory);
  describeMysqlConfigSpecifics();
});

function describeMysqlConfigSpecifics(): void {
  describe('mysql config store specifics', () => {
    it('the config schema is migration version 4, after naming (1), auth (2) and rules (3)', () =>
      withTwoStores(async (_a, _b, dbName) => {
        const conn = await adminConnection(dbName);
        try {
          const [versions] = await conn.query({ sql: 'SELECT version, name FROM schema_migrations ORDER BY version', rowsAsArray: true });
          const list = (versions as unknown[][]).map((r) => Number(r[0]));
          assert.deepEqual(list.slice(0, 4), [1, 2, 3, 4]);
          assert.equal((versions as unknown[][])[3][1], 'config center');
          const [tables] = await conn.query({ sql: 'SHOW TABLES', rowsAsArray: true });
          const names = (tables as unknown[][]).map((r) => String(r[0]));
          for (const t of ['config_group', 'config_file', 'config_release', 'config_release_version', 'config_release_history', 'config_template']) {
            assert.ok(names.includes(t), `table ${t} in ${names.join(',')}`);
          }
        } finally {
          await conn.end();
        }
      }));

    it('no row keeps a transaction marker; history, templates and version reservations take no sequence value', () =>
      withTwoStores(async (a, _b, dbName) => {
        const config = a.config();
        const ns = makeNamespace();
        const f = makeFile({ namespace: ns.name });
        await config.transaction(async (tx) => {
          await tx.createNamespace(ns);
          await tx.createGroup(makeGroup({ namespace: ns.name, name: f.group }));
          await tx.createFile(f);
        });
        await publish(config, f);
        const seq = await config.currentSeq();
        const conn = await adminConnection(dbName);
        try {
          const [rows] = await conn.query({
            sql: `SELECT seq FROM namespace WHERE name = ?
              UNION ALL SELECT seq FROM config_group WHERE namespace = ?
              UNION ALL SELECT seq FROM config_file WHERE namespace = ?
              UNION ALL SELECT seq FROM config_release WHERE namespace = ?`,
            values: [ns.name, ns.name, ns.name, ns.name],
            rowsAsArray: true,
          });
          const seqs = (rows as unknown[][]).map((x) => Number(x[0]));
          assert.deepEqual(seqs, [seq - 1, seq - 1, seq - 1, seq]);
        } finally {
          await conn.end();
        }
        await config.addReleaseHistory(makeHistory());
        await config.createTemplate(makeTemplate());
        assert.equal(await config.nextReleaseVersion(f), 2);
        assert.equal(await config.currentSeq(), seq, 'writes outside the feed do not move the sequence');
      }));

    it('a config write and naming writes on two stores take consecutive values', () =>
      withTwoStores(async (a, b) => {
        const s0 = await a.currentSeq();
        await a.config().createGroup(makeGroup());
        await b.createNamespace(makeNamespace());
        await publish(b.config(), makeFile());
        await a.rules().createRule(makeRule('ratelimit'));
        assert.equal(await a.currentSeq(), s0 + 4);
        assert.equal(await b.config().currentSeq(), s0 + 4);
      }));

    it('concurrent publishes of one file on two stores never hand out a version twice', () =>
      withTwoStores(async (a, b) => {
        const f = makeFile();
        await a.config().createFile(f);
        const N = 30;
        const saved = await Promise.all(Array.from({ length: N }, (_, i) => publish((i % 2 === 0 ? a : b).config(), f)));
        const versions = saved.map((r) => r.version).sort((x, y) => x - y);
        assert.deepEqual(versions, Array.from({ length: N }, (_, i) => i + 1));
        assert.equal(await b.config().nextReleaseVersion(f), N + 1);
      }));

    it('concurrent publishes that deactivate the active release leave exactly one active release', () =>
      withTwoStores(async (a, b) => {
        const f = makeFile();
        await a.config().createFile(f);
        // The read-modify-write of the config service's publish: read the releases, deactivate the
        // active one, reserve a version, save the new release active.
        const republish = (config: ConfigStore) =>
          config.transaction(async (tx) => {
            const releases = await tx.listReleases(f);
            const version = await tx.nextReleaseVersion(f);
            for (const r of releases) if (r.active) await tx.saveRelease({ ...r, active: false });
            return tx.saveRelease(makeRelease(f, { version, active: true }));
          });
        const N = 20;
        await Promise.all(Array.from({ length: N }, (_, i) => republish((i % 2 === 0 ? a : b).config())));
        const all = await a.config().listReleases(f);
        assert.equal(all.length, N);
        assert.deepEqual(all.filter((r) => r.active).map((r) => r.version), [N], 'one active release: the newest');
        const full = await b.config().readConfigChanges(0);
        const active = full.releases.filter((v) => v.value.fileName === f.name && v.value.active);
        assert.equal(active.length, 1);
      }));

    it('a write transaction reading a file\'s releases holds the file until it ends', () =>
      withTwoStores(async (a, b) => {
        const f = makeFile();
        await a.config().saveRelease(makeRelease(f, { name: 'r1', active: true }));
        const hold = gate();
        const locked = gate();
        const first = a.config().transaction(async (tx) => {
          await tx.listReleases(f);
          locked.open();
          await hold.wait;
          await tx.saveRelease({ ...(await tx.getRelease(f, 'r1'))!, active: false });
        });
        await locked.wait;
        let secondRead: boolean | undefined;
        const second = b.config().transaction(async (tx) => {
          secondRead = (await tx.getRelease(f, 'r1'))?.active;
        });
        await sleep(300);
        assert.equal(secondRead, undefined, 'the second reader waits for the first transaction');
        // Reads outside a transaction do not wait.
        assert.equal((await b.config().getRelease(f, 'r1'))?.active, true);
        hold.open();
        await Promise.all([first, second]);
        assert.equal(secondRead, false, 'and then sees what it committed');
      }));

    it('concurrent creates of one group on two stores: exactly one wins, the other is ExistedResource', () =>
      withTwoStores(async (a, b) => {
        for (let round = 0; round < 10; round++) {
          const g = makeGroup();
          const results = await Promise.allSettled([
            a.config().createGroup({ ...g, comment: 'from-a' }),
            b.config().createGroup({ ...g, comment: 'from-b' }),
          ]);
          const ok = results.filter((x) => x.status === 'fulfilled');
          const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
          assert.equal(ok.length, 1, JSON.stringify(results));
          assert.equal(failed[0].reason.code, Code.ExistedResource);
          assert.equal((await a.config().listGroups(g.namespace)).length, 1);
        }
      }));

    it('two stores publishing and deleting concurrently: no gap, and a reader misses no release', () =>
      withTwoStores(async (a, b) => {
        const reader = b.config();
        const base = await reader.readConfigChanges(0);
        let since = base.seq;
        const seen = new Map<number, ConfigRelease>();
        apply(seen, base.releases);
        const live: number[] = [];
        const dropped: number[] = [];
        let done = false;
        let transactions = 0;
        const N = 60;
        const writes = Array.from({ length: N }, async (_, i) => {
          const store = i % 2 === 0 ? a : b;
          if (i % 4 === 3) {
            transactions++;
            return store.createNamespace(makeNamespace());
          }
          const f = makeFile();
          transactions++;
          const r = await publish(store.config(), f);
          if (i % 5 === 4) {
            transactions++;
            await (i % 3 === 0 ? a : b).config().deleteRelease(f, r.name);
            dropped.push(r.id);
          } else {
            live.push(r.id);
          }
        });
        const burst = Promise.all(writes).finally(() => {
          done = true;
        });
        let reads = 0;
        const read = async (): Promise<void> => {
          const cs = await reader.readConfigChanges(since);
          assert.ok(cs.seq >= since, 'the snapshot sequence never goes back');
          for (const v of cs.releases) assert.ok(v.seq > since && v.seq <= cs.seq, `seq ${v.seq} outside (${since}, ${cs.seq}]`);
          apply(seen, cs.releases);
          since = cs.seq;
          reads++;
        };
        while (!done) await read();
        await burst;
        await read();
        assert.deepEqual([...seen.keys()].sort(), [...live].sort());
        assert.ok(dropped.every((id) => !seen.has(id)));
        assert.ok(reads >= 2, `only ${reads} reads overlapped the burst`);
        assert.equal((await a.currentSeq()) - base.seq, transactions, 'one value per committed transaction, no gaps');
      }));

    it('a publish that started first but commits last is seen after the one that committed first', () =>
      withTwoStores(async (a, b) => {
        const since = await a.currentSeq();
        const [slowFile, fastFile] = [makeFile(), makeFile()];
        const hold = gate();
        const wrote = gate();
        const slowTx = a.config().transaction(async (tx) => {
          const r = await tx.saveRelease(makeRelease(slowFile, { version: await tx.nextReleaseVersion(slowFile) }));
          wrote.open();
          await hold.wait;
          return r;
        });
        await wrote.wait;
        const fast = await publish(b.config(), fastFile);
        const first = await b.config().readConfigChanges(since);
        assert.deepEqual(first.releases.map((v) => v.value.id), [fast.id]);
        hold.open();
        const slow = await slowTx;
        const second = await b.config().readConfigChanges(first.seq);
        assert.deepEqual(second.releases.map((v) => v.value.id), [slow.id], 'the slow commit is not skipped');
        assert.ok(second.releases[0].seq > first.releases[0].seq);
      }));

    it('a value too long for its column rejects with a store error and leaves nothing behind', () =>
      withTwoStores(async (a) => {
        const config = a.config();
        const s0 = await config.currentSeq();
        const ns = makeNamespace();
        const f = makeFile({ namespace: ns.name, name: 'x'.repeat(500) });
        await assert.rejects(
          config.transaction(async (tx) => {
            await tx.createNamespace(ns);
            await tx.createFile(f);
          }),
          { code: Code.StoreLayerException },
        );
        assert.equal(await a.getNamespace(ns.name), undefined);
        assert.equal(await config.currentSeq(), s0);
      }));

    it('large contents and unicode round-trip; the feed carries the active content', () =>
      withTwoStores(async (a, b) => {
        const config = a.config();
        const content = 'é✓😀 '.repeat(40_000);
        const f = makeFile({ content, tags: { 'ключ': 'значение' } });
        await config.createFile(f);
        assert.equal((await config.getFile(f))?.content, content);
        assert.deepEqual((await config.getFile(f))?.tags, { 'ключ': 'значение' });
        const since = await config.currentSeq();
        const r = await config.saveRelease(makeRelease(f, { content }));
        const cs = await b.config().readConfigChanges(since);
        assert.equal(cs.releases.find((v) => v.value.id === r.id)?.value.content, content);
      }));

    it('history substring filters are case-sensitive and literal (no LIKE wildcards)', () =>
      withTwoStores(async (a) => {
        const config = a.config();
        const ns = uniq('ns');
        await config.addReleaseHistory(makeHistory({ namespace: ns, group: 'App_One', fileName: 'a%b.yaml' }));
        await config.addReleaseHistory(makeHistory({ namespace: ns, group: 'appXone', fileName: 'ab.yaml' }));
        const q = { namespace: ns, group: '', fileName: '', endId: 0, offset: 0, limit: 10 };
        assert.equal((await config.listReleaseHistory({ ...q, group: 'p_O' })).total, 1);
        assert.equal((await config.listReleaseHistory({ ...q, group: 'app' })).total, 1);
        assert.equal((await config.listReleaseHistory({ ...q, fileName: '%' })).total, 1);
        assert.equal((await config.listReleaseHistory({ ...q, group: 'p' })).total, 2);
      }));

    it('a closed store rejects config calls with a store error', async () => {
      const dbName = freshDbName();
      const store = await openStore(dbName);
      try {
        const config = store.config();
        await store.close();
        await assert.rejects(config.getGroup('ns', uniq('g')), { code: Code.StoreLayerException });
        await assert.rejects(config.createGroup(makeGroup()), { code: Code.StoreLayerException });
        await assert.rejects(config.readConfigChanges(0), { code: Code.StoreLayerException });
        await assert.rejects(config.listTemplates(), { code: Code.StoreLayerException });
        await assert.rejects(config.purgeConfigTombstones(0, 1), { code: Code.StoreLayerException });
      } finally {
        await store.close();
        await dropDatabase(dbName);
      }
    });
  });
}
