import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Connection } from 'mysql2/promise';
import { Code } from '../../src/common/errors/codes.js';
import type { Instance } from '../../src/common/model/naming.js';
import type { Store, Versioned } from '../../src/store/api.js';
import { MIGRATIONS } from '../../src/store/mysql/migrations.js';
import { MysqlStore } from '../../src/store/mysql/mysql-store.js';
import { makeInstance, makeNamespace, makeService, settledWithin, uniq, withStore } from './conformance/fixtures.js';
import { describeStoreConformance, type StoreFactory } from './conformance/store-conformance.js';
import { adminConnection, dbConfig, dropDatabase, freshDbName, gate, MYSQL_HOST, MYSQL_PORT, openStore, PEER_TZ, TZ, whenMysqlReachable } from '../helpers/mysql.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';

/*
 * The store conformance suite and MySQL-specific cases against a real server (MariaDB here and in
 * CI). Override the server with POLARIS_TEST_MYSQL_ADDR / _USER / _PASSWORD. Every store gets a
 * fresh database polaris_test_<random>, dropped afterwards. Sessions run in non-UTC time zones
 * (+05:30, and -08:00 for peers) to flush out time zone bugs.
 */

/** Kills every session on `dbName` (pooled idle ones and those inside a transaction). */
async function killSessions(admin: Connection, dbName: string): Promise<number> {
  const [rows] = await admin.query({
    sql: 'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
    values: [dbName],
    rowsAsArray: true,
  });
  const ids = (rows as unknown[][]).map((r) => Number(r[0]));
  for (const id of ids) await admin.query(`KILL ${id}`).catch(() => undefined);
  return ids.length;
}


const factory: StoreFactory = {
  name: 'mysql',
  async create() {
    const dbName = freshDbName();
    const store = await openStore(dbName);
    const peers: Store[] = [];
    return {
      store,
      async openPeer() {
        const peer = await openStore(dbName, { sessionTimeZone: PEER_TZ });
        peers.push(peer);
        return peer;
      },
      async dispose() {
        for (const peer of peers) await peer.close();
        await store.close();
        await dropDatabase(dbName);
      },
    };
  },
};

/** Applies versioned rows in seq order, as a cache would. */
function apply(into: Map<string, Instance>, rows: Versioned<Instance>[]): void {
  for (const v of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (v.deleted) into.delete(v.value.id);
    else into.set(v.value.id, v.value);
  }
}


await whenMysqlReachable('mysql store', () => {
  describeStoreConformance(factory);
  describeMysqlSpecifics();
});

function describeMysqlSpecifics(): void {
  describe('mysql store specifics', () => {
    it('two stores writing 500 transactions concurrently: the sequence has no gap and a reader misses nothing', () =>
      withStore(factory, async (h) => {
        const b = await h.openPeer!();
        const reader = await h.openPeer!();
        const a = h.store;
        const svc = makeService(uniq('ns'));
        await a.createService(svc);
        const base = await reader.readChanges(0);
        let since = base.seq;
        const seen = new Map<string, Instance>();
        const live: string[] = [];
        const dropped: string[] = [];
        let done = false;
        const writes = Array.from({ length: 500 }, (_, i) => {
          const store = i % 2 === 0 ? a : b;
          const ins = makeInstance(svc, { port: 20_000 + i });
          if (i % 5 === 4) {
            dropped.push(ins.id);
            return (async () => {
              await store.upsertInstances([ins]);
              await (i % 3 === 0 ? a : b).deleteInstances([ins.id]);
            })();
          }
          live.push(ins.id);
          return store.upsertInstances([ins]);
        });
        const burst = Promise.all(writes).finally(() => {
          done = true;
        });
        let reads = 0;
        const read = async (): Promise<void> => {
          const cs = await reader.readChanges(since);
          assert.ok(cs.seq >= since, 'the snapshot sequence never goes back');
          for (const v of cs.instances) assert.ok(v.seq > since && v.seq <= cs.seq, `seq ${v.seq} outside (${since}, ${cs.seq}]`);
          apply(seen, cs.instances.filter((v) => v.value.serviceId === svc.id));
          since = cs.seq;
          reads++;
        };
        while (!done) await read();
        await burst;
        await read();
        assert.deepEqual([...seen.keys()].sort(), [...live].sort());
        assert.ok(dropped.every((id) => !seen.has(id)));
        assert.ok(reads >= 3, `only ${reads} reads overlapped the burst`);
        // 500 upserts + 100 deletes, each its own transaction, nothing else writing: exactly 600 values.
        assert.equal((await a.currentSeq()) - base.seq, 600, 'one value per committed transaction, no gaps');
      }));

    it('a transaction that started first but commits last is seen after the one that committed first', () =>
      withStore(factory, async (h) => {
        const b = await h.openPeer!();
        const svc = makeService(uniq('ns'));
        await h.store.createService(svc);
        const since = await h.store.currentSeq();
        const [slow, fast] = [makeInstance(svc), makeInstance(svc)];
        const hold = gate();
        const wrote = gate();
        const slowTx = h.store.transaction(async (tx) => {
          await tx.upsertInstances([slow]);
          wrote.open();
          await hold.wait;
        });
        await wrote.wait;
        await b.upsertInstances([fast]);
        const first = await b.readChanges(since);
        assert.deepEqual(first.instances.map((v) => v.value.id), [fast.id]);
        hold.open();
        await slowTx;
        const second = await b.readChanges(first.seq);
        assert.deepEqual(second.instances.map((v) => v.value.id), [slow.id], 'the slow commit is not skipped');
        assert.ok(second.instances[0].seq > first.instances[0].seq);
      }));

    it('a deadlock between two transactions is retried and both commit', () =>
      withStore(factory, async ({ store }) => {
        const [x, y] = [makeNamespace(), makeNamespace()];
        await store.createNamespace(x);
        await store.createNamespace(y);
        const xLocked = gate();
        const yLocked = gate();
        let runs = 0;
        const t1 = store.transaction(async (tx) => {
          runs++;
          await tx.updateNamespace({ ...x, comment: 't1' });
          xLocked.open();
          await yLocked.wait;
          await tx.updateNamespace({ ...y, comment: 't1' });
        });
        const t2 = store.transaction(async (tx) => {
          runs++;
          await xLocked.wait;
          await tx.updateNamespace({ ...y, comment: 't2' });
          yLocked.open();
          await tx.updateNamespace({ ...x, comment: 't2' });
        });
        await Promise.all([t1, t2]);
        assert.equal(runs, 3, 'exactly one victim, re-run once');
        const [gx, gy] = [await store.getNamespace(x.name), await store.getNamespace(y.name)];
        assert.equal(gx?.comment, gy?.comment, 'one transaction wholly after the other');
      }));

    it('a connection killed in the middle of a transaction re-runs the whole transaction', async () => {
      const dbName = freshDbName();
      const store = await openStore(dbName);
      const admin = await adminConnection();
      try {
        const ns = makeNamespace();
        const svc = makeService(ns.name);
        const since = await store.currentSeq();
        let runs = 0;
        const out = await store.transaction(async (tx) => {
          runs++;
          await tx.createNamespace(ns);
          if (runs === 1) assert.ok((await killSessions(admin, dbName)) >= 1);
          await tx.createService(svc);
          return 'ok';
        });
        assert.equal(out, 'ok');
        assert.equal(runs, 2);
        assert.ok(await store.getServiceById(svc.id));
        const cs = await store.readChanges(since);
        assert.equal(cs.seq, since + 1, 'the killed attempt left nothing behind');
        assert.equal(cs.namespaces.length, 1);
        // Idle pooled connections killed under the store: reads and writes carry on.
        await killSessions(admin, dbName);
        assert.ok(await store.getNamespace(ns.name));
        await killSessions(admin, dbName);
        await store.updateNamespace({ ...ns, comment: 'after kill' });
        assert.equal((await store.getNamespace(ns.name))?.comment, 'after kill');
      } finally {
        await admin.end();
        await store.close();
        await dropDatabase(dbName);
      }
    });

    it('an outage makes calls reject within bounded time, and the store recovers', async () => {
      const proxy = new FlakyProxy(MYSQL_HOST, MYSQL_PORT);
      await proxy.start();
      const dbName = freshDbName();
      const store = await MysqlStore.open({
        master: dbConfig(dbName, `127.0.0.1:${proxy.port}`),
        sessionTimeZone: TZ,
        connectTimeoutMs: 500,
        queryTimeoutMs: 1_500,
        retryAttempts: 3,
      });
      try {
        const ns = makeNamespace();
        await store.createNamespace(ns);

        await proxy.down();
        let t0 = Date.now();
        await assert.rejects(store.getNamespace(ns.name), { code: Code.StoreLayerException });
        await assert.rejects(store.createNamespace(makeNamespace()), { code: Code.StoreLayerException });
        await assert.rejects(store.readChanges(0), { code: Code.StoreLayerException });
        assert.ok(Date.now() - t0 < 10_000, `refused: rejected after ${Date.now() - t0} ms`);

        await proxy.up();
        assert.ok(await store.getNamespace(ns.name), 'back after the outage');

        proxy.blackhole();
        t0 = Date.now();
        await assert.rejects(store.getNamespace(ns.name), { code: Code.StoreLayerException });
        await assert.rejects(store.updateNamespace({ ...ns, comment: 'lost' }), { code: Code.StoreLayerException });
        assert.ok(Date.now() - t0 < 15_000, `black hole: rejected after ${Date.now() - t0} ms`);

        await proxy.down();
        await proxy.up();
        assert.ok(await store.getNamespace(ns.name), 'back after the partition');
        await store.updateNamespace({ ...ns, comment: 'later' });
      } finally {
        await store.close();
        await proxy.down();
        await dropDatabase(dbName);
      }
    });

    it('open rejects with a store error when the server is unreachable', async () => {
      const t0 = Date.now();
      await assert.rejects(
        MysqlStore.open({ master: dbConfig(freshDbName(), '127.0.0.1:1'), connectTimeoutMs: 1_000 }),
        { code: Code.StoreLayerException },
      );
      assert.ok(Date.now() - t0 < 5_000);
    });

    it('refuses a second cluster identity on the same database', async () => {
      const dbName = freshDbName();
      try {
        await (await openStore(dbName, { clusterIdentity: 'cluster-a' })).close();
        await (await openStore(dbName, { clusterIdentity: 'cluster-a' })).close();
        await (await openStore(dbName)).close();
        await assert.rejects(openStore(dbName, { clusterIdentity: 'cluster-b' }), (err: Error & { code?: number }) => {
          assert.equal(err.code, Code.StoreLayerException);
          assert.match(err.message, new RegExp(`database ${dbName} already belongs to cluster cluster-a`));
          return true;
        });
      } finally {
        await dropDatabase(dbName);
      }
    });

    it('concurrent starts migrate once', async () => {
      const dbName = freshDbName();
      try {
        const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(dbName, { clusterIdentity: 'c1' })));
        await Promise.all(stores.map((s) => s.createNamespace(makeNamespace())));
        for (const s of stores) await s.close();
        const admin = await adminConnection();
        try {
          const [rows] = await admin.query({
            sql: `SELECT version FROM \`${dbName}\`.schema_migrations ORDER BY version`,
            rowsAsArray: true,
          });
          assert.deepEqual((rows as unknown[][]).map((r) => Number(r[0])), MIGRATIONS.map((m) => m.version));
        } finally {
          await admin.end();
        }
      } finally {
        await dropDatabase(dbName);
      }
    });

    it('times and locks do not depend on the session time zone', async () => {
      const dbName = freshDbName();
      const east = await openStore(dbName, { sessionTimeZone: '+13:00' });
      const west = await openStore(dbName, { sessionTimeZone: '-11:00' });
      try {
        const before = Date.now();
        const ns = makeNamespace();
        await east.createNamespace(ns);
        const got = await west.getNamespace(ns.name);
        assert.ok(got);
        assert.ok(got.ctime >= before - 1_000 && got.ctime <= Date.now() + 1_000, `ctime ${got.ctime} vs now ${Date.now()}`);
        const inc = await west.readChanges(0);
        assert.ok(inc.namespaces.some((v) => v.value.name === ns.name));
        // 24 hours of zone difference must not make a live lock look stale (or a dead one fresh).
        const key = uniq('tz-lock');
        const held = await east.acquireStartLock(key, 'east', { timeoutMs: 5_000, staleAfterMs: 1_000 });
        const waiting = west.acquireStartLock(key, 'west', { timeoutMs: 10_000, staleAfterMs: 1_000 });
        assert.equal(await settledWithin(waiting, 2_000), 'pending');
        await held.release();
        await (await waiting).release();
      } finally {
        await east.close();
        await west.close();
        await dropDatabase(dbName);
      }
    });

    it('a configured slave serves reads and the change feed', async () => {
      const dbName = freshDbName();
      const store = await openStore(dbName);
      await store.close();
      // No replica here: point the slave at the same database, which is what a caught-up replica looks like.
      const withSlave = await MysqlStore.open({ master: dbConfig(dbName), slave: dbConfig(dbName), sessionTimeZone: TZ });
      try {
        const ns = makeNamespace();
        await withSlave.createNamespace(ns);
        assert.ok(await withSlave.getNamespace(ns.name));
        assert.ok((await withSlave.readChanges(0)).namespaces.some((v) => v.value.name === ns.name));
      } finally {
        await withSlave.close();
        await dropDatabase(dbName);
      }
    });

    it('a closed store rejects further calls with a store error', async () => {
      const dbName = freshDbName();
      const store = await openStore(dbName);
      await store.close();
      await store.close();
      try {
        await assert.rejects(store.getNamespace('x'), { code: Code.StoreLayerException });
        await assert.rejects(store.createNamespace(makeNamespace()), { code: Code.StoreLayerException });
        await assert.rejects(store.readChanges(0), { code: Code.StoreLayerException });
      } finally {
        await dropDatabase(dbName);
      }
    });

    it('bulk writes and a full load stay fast', async (t) => {
      // POLARIS_MYSQL_PERF_INSTANCES=100000 reproduces the figures quoted for the store.
      const total = Number(process.env.POLARIS_MYSQL_PERF_INSTANCES ?? 20_000);
      const dbName = freshDbName();
      const store = await openStore(dbName);
      try {
        const services = Array.from({ length: Math.ceil(total / 1000) }, () => makeService(uniq('ns')));
        const upsertMs: number[] = [];
        for (const [n, svc] of services.entries()) {
          const batch = Array.from({ length: 1000 }, (_, i) =>
            makeInstance(svc, { host: `10.${n % 250}.${i >> 8}.${i & 255}`, metadata: { idx: String(i), env: 'prod' } }),
          );
          const t0 = performance.now();
          await store.transaction((tx) => tx.upsertInstances(batch));
          upsertMs.push(performance.now() - t0);
        }
        upsertMs.sort((a, b) => a - b);
        const cpu0 = process.cpuUsage();
        const t1 = performance.now();
        const full = await store.readChanges(0);
        const readMs = performance.now() - t1;
        const cpu = process.cpuUsage(cpu0);
        assert.equal(full.instances.length, services.length * 1000);
        const t2 = performance.now();
        const none = await store.readChanges(full.seq);
        const incMs = performance.now() - t2;
        assert.equal(none.instances.length, 0);
        t.diagnostic(
          `upsert 1k in one tx (median of ${upsertMs.length}): ${upsertMs[upsertMs.length >> 1].toFixed(1)} ms; ` +
            `readChanges(0) of ${full.instances.length}: ${readMs.toFixed(0)} ms wall, ` +
            `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu; empty incremental read ${incMs.toFixed(1)} ms`,
        );
        // Loose bounds: a guard against pathological regressions on a loaded CI box, not a benchmark.
        assert.ok(upsertMs[upsertMs.length >> 1] < 2_000, 'upsert of 1,000 instances');
        assert.ok(readMs < 20_000, `readChanges(0) took ${readMs} ms`);
      } finally {
        await store.close();
        await dropDatabase(dbName);
      }
    });
  });
}
