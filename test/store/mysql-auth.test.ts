import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Code } from '../../src/common/errors/codes.js';
import { PolarisError } from '../../src/common/errors/polaris-error.js';
import type { User } from '../../src/common/model/auth.js';
import { makeInstance, makeNamespace, makeService, uniq } from './conformance/fixtures.js';
import { describeAuthStoreConformance, makeGroup, makeUser, type AuthStoreFactory } from './conformance/auth-store.suite.js';
import { adminConnection, dropDatabase, freshDbName, gate, openStore, whenMysqlReachable, withTwoStores } from '../helpers/mysql.js';

/*
 * The auth store conformance suite and MySQL-specific cases against a real server (MariaDB here
 * and in CI); same server overrides as mysql.test.ts (POLARIS_TEST_MYSQL_ADDR / _USER / _PASSWORD).
 * Every case gets a fresh database polaris_test_<random>, dropped afterwards; sessions run in
 * non-UTC time zones.
 */


const factory: AuthStoreFactory = {
  name: 'mysql',
  async create() {
    const dbName = freshDbName();
    const naming = await openStore(dbName);
    return {
      auth: naming.auth(),
      naming,
      async dispose() {
        await naming.close();
        await dropDatabase(dbName);
      },
    };
  },
};


await whenMysqlReachable('mysql auth store', () => {
  describeAuthStoreConformance(factory);
  describeMysqlAuthSpecifics();
});

function describeMysqlAuthSpecifics(): void {
  describe('mysql auth store specifics', () => {
    it('users survive close and re-open; the schema records the auth migration', () =>
      withTwoStores(async (a, _b, dbName) => {
        const u = makeUser();
        await a.auth().createUser(u);
        await a.close();
        const again = await openStore(dbName);
        try {
          assert.deepEqual(await again.auth().getUser(u.id), u);
        } finally {
          await again.close();
        }
        const admin = await adminConnection();
        try {
          const [rows] = await admin.query({
            sql: `SELECT name FROM \`${dbName}\`.schema_migrations WHERE version = 2`,
            rowsAsArray: true,
          });
          assert.match(String((rows as unknown[][])[0]?.[0]), /^auth/);
        } finally {
          await admin.end();
        }
      }));

    it('auth and naming writers on two nodes share one gap-free sequence; a reader misses nothing', () =>
      withTwoStores(async (a, b) => {
        const svc = makeService(uniq('ns'));
        await a.createService(svc);
        await a.auth().createUser(makeUser());
        const since = await b.auth().currentSeq();
        const users: User[] = Array.from({ length: 150 }, () => makeUser());
        const dropped = new Set(users.filter((_, i) => i % 5 === 4).map((u) => u.id));
        let done = false;
        const writes = Promise.all([
          ...users.map(async (u, i) => {
            const store = (i % 2 === 0 ? a : b).auth();
            await store.createUser(u);
            if (dropped.has(u.id)) await (i % 3 === 0 ? a : b).auth().deleteUser(u.id);
          }),
          ...Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? b : a).upsertInstances([makeInstance(svc, { port: 30_000 + i })])),
        ]).finally(() => {
          done = true;
        });
        const seen = new Map<string, User>();
        let cursor = since;
        let reads = 0;
        const read = async (): Promise<void> => {
          const cs = await b.auth().readAuthChanges(cursor);
          assert.ok(cs.seq >= cursor, 'the snapshot sequence never goes back');
          let last = cursor;
          for (const v of cs.users) {
            assert.ok(v.seq > cursor && v.seq <= cs.seq, `seq ${v.seq} outside (${cursor}, ${cs.seq}]`);
            assert.ok(v.seq >= last, 'rows come in seq order');
            last = v.seq;
            if (v.deleted) seen.delete(v.value.id);
            else seen.set(v.value.id, v.value);
          }
          cursor = cs.seq;
          reads++;
        };
        while (!done) await read();
        await writes;
        await read();
        assert.deepEqual(
          [...seen.keys()].sort(),
          users.filter((u) => !dropped.has(u.id)).map((u) => u.id).sort(),
        );
        assert.ok(reads >= 3, `only ${reads} reads overlapped the burst`);
        // 150 user creates + 30 deletes + 150 naming upserts, each its own transaction: no gaps.
        assert.equal((await a.currentSeq()) - since, 330, 'one value per committed transaction, no gaps');
        const naming = await a.readChanges(since);
        const authSeqs = new Set((await a.auth().readAuthChanges(since)).users.map((v) => v.seq));
        for (const v of naming.instances) assert.ok(!authSeqs.has(v.seq), `seq ${v.seq} given to two transactions`);
      }));

    it('an auth transaction that started first but commits last is seen after one that committed first', () =>
      withTwoStores(async (a, b) => {
        await a.auth().createUser(makeUser());
        const since = await a.auth().currentSeq();
        const [slow, fast] = [makeUser(), makeUser()];
        const hold = gate();
        const wrote = gate();
        const slowTx = a.auth().transaction(async (tx) => {
          await tx.createUser(slow);
          await tx.createGroup(makeGroup(slow.id, { userIds: [slow.id] }));
          wrote.open();
          await hold.wait;
        });
        await wrote.wait;
        await b.createNamespace(makeNamespace());
        await b.auth().createUser(fast);
        const first = await b.auth().readAuthChanges(since);
        assert.deepEqual(first.users.map((v) => v.value.id), [fast.id]);
        assert.equal(first.groups.length, 0);
        hold.open();
        await slowTx;
        const second = await b.auth().readAuthChanges(first.seq);
        assert.deepEqual(second.users.map((v) => v.value.id), [slow.id], 'the slow commit is not skipped');
        assert.equal(second.groups.length, 1);
        assert.equal(second.groups[0].seq, second.users[0].seq, 'one transaction, one value for all its tables');
        assert.equal(second.seq, first.seq + 1);
      }));

    it('two nodes creating the same user name at once: one wins, the other gets ExistedResource', () =>
      withTwoStores(async (a, b) => {
        for (let round = 0; round < 10; round++) {
          const name = `race-${round}-${randomBytes(3).toString('hex')}`;
          const results = await Promise.allSettled([
            a.auth().createUser(makeUser({ name })),
            b.auth().createUser(makeUser({ name })),
          ]);
          const ok = results.filter((r) => r.status === 'fulfilled');
          const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          assert.equal(ok.length, 1, `round ${round}: exactly one create wins`);
          assert.ok(failed[0].reason instanceof PolarisError && failed[0].reason.code === Code.ExistedResource, String(failed[0].reason));
        }
      }));

    it('a rolled-back auth transaction leaves nothing and takes no value; a closed store rejects', () =>
      withTwoStores(async (a) => {
        const auth = a.auth();
        const u = makeUser();
        await auth.createUser(u);
        const before = await auth.currentSeq();
        await assert.rejects(
          auth.transaction(async (tx) => {
            await tx.deleteUser(u.id);
            await tx.createUser(makeUser({ name: u.name })); // the name is free again inside tx
            throw new Error('stop');
          }),
          /stop/,
        );
        assert.equal(await auth.currentSeq(), before, 'a rolled-back transaction gives its value back');
        assert.deepEqual(await auth.getUser(u.id), u);
        await a.close();
        await assert.rejects(auth.getUser(u.id), /closed/);
      }));
  });
}
