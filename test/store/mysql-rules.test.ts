import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../src/common/errors/codes.js';
import type { Versioned } from '../../src/store/api.js';
import { MysqlStore } from '../../src/store/mysql/mysql-store.js';
import type { RuleRow, RuleStore } from '../../src/store/rules-api.js';
import { makeNamespace, uniq } from './conformance/fixtures.js';
import { makeRule } from './conformance/rules-fixtures.js';
import { describeRuleStoreConformance, type RuleStoreFactory } from './conformance/rules-store.suite.js';
import { adminConnection, dropDatabase, freshDbName, gate, openStore, PEER_TZ, whenMysqlReachable, withTwoStores } from '../helpers/mysql.js';

/*
 * The rule-store conformance suite and MySQL-specific cases against a real server (MariaDB here
 * and in CI). Override the server with POLARIS_TEST_MYSQL_ADDR / _USER / _PASSWORD. Every case
 * gets a fresh database polaris_test_<random>, dropped afterwards. Sessions run in non-UTC time
 * zones (+05:30, and -08:00 for peers) to flush out time zone bugs.
 */


const factory: RuleStoreFactory = {
  name: 'mysql',
  async create() {
    const dbName = freshDbName();
    const naming = await openStore(dbName);
    const peers: MysqlStore[] = [];
    return {
      rules: naming.rules(),
      naming,
      async openPeer(): Promise<RuleStore> {
        const peer = await openStore(dbName, { sessionTimeZone: PEER_TZ });
        peers.push(peer);
        return peer.rules();
      },
      async dispose() {
        for (const p of peers) await p.close();
        await naming.close();
        await dropDatabase(dbName);
      },
    };
  },
};


/** Applies versioned rows in seq order, as the rules cache does. */
function apply(into: Map<string, RuleRow>, rows: Versioned<RuleRow>[]): void {
  for (const v of [...rows].sort((x, y) => x.seq - y.seq)) {
    const key = `${v.value.kind}/${v.value.id}`;
    if (v.deleted) into.delete(key);
    else into.set(key, v.value);
  }
}

await whenMysqlReachable('mysql rule store', () => {
  describeRuleStoreConformance(factory);
  describeMysqlRuleSpecifics();
});

function describeMysqlRuleSpecifics(): void {
  describe('mysql rule store specifics', () => {
    it('the rules schema is migration version 3, after the naming (1) and auth (2) versions', () =>
      withTwoStores(async (_a, _b, dbName) => {
        const conn = await adminConnection(dbName);
        try {
          const [versions] = await conn.query({ sql: 'SELECT version, name FROM schema_migrations ORDER BY version', rowsAsArray: true });
          const list = (versions as unknown[][]).map((r) => Number(r[0]));
          assert.deepEqual(list.slice(0, 3), [1, 2, 3]);
          assert.equal((versions as unknown[][])[2][1], 'governance rules');
          const [tables] = await conn.query({ sql: 'SHOW TABLES', rowsAsArray: true });
          const names = (tables as unknown[][]).map((r) => String(r[0]));
          assert.ok(names.includes('gov_rule') && names.includes('gov_rule_binding'), names.join(','));
        } finally {
          await conn.end();
        }
      }));

    it('no row keeps a transaction marker: rule and binding rows carry the committed sequence', () =>
      withTwoStores(async (a, _b, dbName) => {
        const rules = a.rules();
        const r = makeRule('route', { services: [{ namespace: 'n', service: 'a' }, { namespace: 'n', service: 'b' }] });
        await rules.createRule(r);
        const seq = await rules.currentSeq();
        const conn = await adminConnection(dbName);
        try {
          const [rows] = await conn.query({
            sql: `SELECT seq FROM gov_rule WHERE id = ? UNION ALL SELECT seq FROM gov_rule_binding WHERE rule_id = ?`,
            values: [r.id, r.id],
            rowsAsArray: true,
          });
          const seqs = (rows as unknown[][]).map((x) => Number(x[0]));
          assert.deepEqual(seqs, [seq, seq, seq]);
        } finally {
          await conn.end();
        }
      }));

    it('a rule write and a naming write in one store transaction machinery take consecutive values', () =>
      withTwoStores(async (a, b) => {
        const s0 = await a.currentSeq();
        await a.rules().createRule(makeRule('ratelimit'));
        await b.createNamespace(makeNamespace());
        await b.rules().createRule(makeRule('lane', { namespace: '' }));
        await a.createNamespace(makeNamespace());
        assert.equal(await a.currentSeq(), s0 + 4);
        assert.equal(await b.rules().currentSeq(), s0 + 4);
      }));

    it('two stores writing rules and naming data concurrently: no gap, and a reader misses no rule', () =>
      withTwoStores(async (a, b) => {
        const reader = b.rules();
        const base = await reader.readRuleChanges(0);
        let since = base.seq;
        const seen = new Map<string, RuleRow>();
        apply(seen, base.rules);
        const live: string[] = [];
        const dropped: string[] = [];
        let done = false;
        const N = 200;
        const writes = Array.from({ length: N }, (_, i) => {
          const store = i % 2 === 0 ? a : b;
          if (i % 4 === 3) return store.createNamespace(makeNamespace());
          const r = makeRule(i % 3 === 0 ? 'route' : 'ratelimit');
          if (i % 5 === 4) {
            dropped.push(`${r.kind}/${r.id}`);
            return (async () => {
              await store.rules().createRule(r);
              await (i % 3 === 0 ? a : b).rules().deleteRule(r.kind, r.id);
            })();
          }
          live.push(`${r.kind}/${r.id}`);
          return store.rules().createRule(r);
        });
        const expected = writes.length + dropped.length;
        const burst = Promise.all(writes).finally(() => {
          done = true;
        });
        let reads = 0;
        const read = async (): Promise<void> => {
          const cs = await reader.readRuleChanges(since);
          assert.ok(cs.seq >= since, 'the snapshot sequence never goes back');
          for (const v of cs.rules) assert.ok(v.seq > since && v.seq <= cs.seq, `seq ${v.seq} outside (${since}, ${cs.seq}]`);
          apply(seen, cs.rules);
          since = cs.seq;
          reads++;
        };
        while (!done) await read();
        await burst;
        await read();
        assert.deepEqual([...seen.keys()].sort(), [...live].sort());
        assert.ok(dropped.every((k) => !seen.has(k)));
        assert.ok(reads >= 2, `only ${reads} reads overlapped the burst`);
        assert.equal((await a.currentSeq()) - base.seq, expected, 'one value per committed transaction, no gaps');
      }));

    it('a rule transaction that started first but commits last is seen after the one that committed first', () =>
      withTwoStores(async (a, b) => {
        const since = await a.currentSeq();
        const [slow, fast] = [makeRule('route'), makeRule('route')];
        const hold = gate();
        const wrote = gate();
        const slowTx = a.rules().transaction(async (tx) => {
          await tx.createRule(slow);
          wrote.open();
          await hold.wait;
        });
        await wrote.wait;
        await b.rules().createRule(fast);
        const first = await b.rules().readRuleChanges(since);
        assert.deepEqual(first.rules.map((v) => v.value.id), [fast.id]);
        hold.open();
        await slowTx;
        const second = await b.rules().readRuleChanges(first.seq);
        assert.deepEqual(second.rules.map((v) => v.value.id), [slow.id], 'the slow commit is not skipped');
        assert.ok(second.rules[0].seq > first.rules[0].seq);
      }));

    it('concurrent creates of one rule on two stores: exactly one wins, the other is ExistedResource', () =>
      withTwoStores(async (a, b) => {
        for (let round = 0; round < 10; round++) {
          const r = makeRule('circuitbreaker');
          const results = await Promise.allSettled([
            a.rules().createRule({ ...r, name: 'from-a' }),
            b.rules().createRule({ ...r, name: 'from-b' }),
          ]);
          const ok = results.filter((x) => x.status === 'fulfilled');
          const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
          assert.equal(ok.length, 1, JSON.stringify(results));
          assert.equal(failed[0].reason.code, Code.ExistedResource);
          assert.equal(await a.rules().countRulesBoundTo(['circuitbreaker'], r.services[0]), 1);
        }
      }));

    it('a rule transaction deadlocked with another is retried and both commit', () =>
      withTwoStores(async (a) => {
        const rules = a.rules();
        const [x, y] = [makeRule('faultdetect'), makeRule('faultdetect')];
        await rules.createRule(x);
        await rules.createRule(y);
        const xLocked = gate();
        const yLocked = gate();
        let runs = 0;
        const t1 = rules.transaction(async (tx) => {
          runs++;
          await tx.updateRule({ ...x, name: 't1' });
          xLocked.open();
          await yLocked.wait;
          await tx.updateRule({ ...y, name: 't1' });
        });
        const t2 = rules.transaction(async (tx) => {
          runs++;
          await xLocked.wait;
          await tx.updateRule({ ...y, name: 't2' });
          yLocked.open();
          await tx.updateRule({ ...x, name: 't2' });
        });
        await Promise.all([t1, t2]);
        assert.ok(runs >= 3, `a deadlock victim re-runs (runs ${runs})`);
        const names = [(await rules.getRule('faultdetect', x.id))?.name, (await rules.getRule('faultdetect', y.id))?.name];
        assert.ok(names[0] === names[1], `one transaction's writes win both rows: ${names.join(',')}`);
      }));

    it('a value too long for its column rejects with a store error and leaves nothing behind', () =>
      withTwoStores(async (a) => {
        const rules = a.rules();
        const s0 = await rules.currentSeq();
        const r = makeRule('route', { services: [{ namespace: 'n', service: 'x'.repeat(300) }] });
        await assert.rejects(rules.createRule(r), { code: Code.StoreLayerException });
        assert.equal(await rules.getRule('route', r.id), undefined);
        assert.equal(await rules.currentSeq(), s0);
      }));

    it('large bodies and many bindings round-trip', () =>
      withTwoStores(async (a) => {
        const rules = a.rules();
        const services = Array.from({ length: 1200 }, (_, i) => ({ namespace: 'bulk', service: `svc-${i}` }));
        const body = JSON.stringify({ blob: 'é✓'.repeat(200_000) });
        const r = makeRule('route', { services, body, priority: 4_294_967_295 });
        await rules.createRule(r);
        const got = await rules.getRule('route', r.id);
        assert.equal(got?.body, body);
        assert.equal(got?.services.length, 1200);
        assert.equal(got?.priority, 4_294_967_295);
        assert.equal(await rules.countRulesBoundTo(['route'], { namespace: 'bulk', service: 'svc-1199' }), 1);
        assert.deepEqual((await rules.listRules('route', { namespace: 'bulk', service: 'svc-0' })).map((x) => x.id), [r.id]);
      }));

    it('a closed store rejects rule calls with a store error', async () => {
      const dbName = freshDbName();
      const store = await openStore(dbName);
      try {
        const rules = store.rules();
        await store.close();
        await assert.rejects(rules.getRule('route', uniq('x')), { code: Code.StoreLayerException });
        await assert.rejects(rules.createRule(makeRule('route')), { code: Code.StoreLayerException });
        await assert.rejects(rules.readRuleChanges(0), { code: Code.StoreLayerException });
        await assert.rejects(rules.purgeRuleTombstones(0, 1), { code: Code.StoreLayerException });
      } finally {
        await store.close();
        await dropDatabase(dbName);
      }
    });
  });
}
