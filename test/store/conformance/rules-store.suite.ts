import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import type { Versioned } from '../../../src/store/api.js';
import type { RuleRow } from '../../../src/store/rules-api.js';
import { isEpochMs, makeNamespace, sleep, uniq } from './fixtures.js';
import { makeRule, stored, withRuleStore, type RuleStoreFactory } from './rules-fixtures.js';

export type { RuleStoreFactory, RuleStoreHandle } from './rules-fixtures.js';

function mine(rows: Versioned<RuleRow>[], id: string): Versioned<RuleRow>[] {
  return rows.filter((v) => v.value.id === id);
}

/**
 * The RuleStore contract (src/store/rules-api.ts) as tests. Every backend runs it through a
 * factory; cases use unique ids and names, so backends may share one database.
 */
export function describeRuleStoreConformance(factory: RuleStoreFactory): void {
  describe(`rule store conformance: ${factory.name}`, () => {
    describe('rows', () => {
      it('round-trips every field; ctime and mtime are the store clock', () =>
        withRuleStore(factory, async ({ rules }) => {
          const r = makeRule('route', {
            services: [
              { namespace: 'ns1', service: 'a' },
              { namespace: '*', service: '*' },
              { namespace: 'ns1', service: 'a' },
            ],
          });
          await rules.createRule(r);
          const got = await rules.getRule('route', r.id);
          assert.ok(got);
          assert.deepEqual(stored(got), {
            ...stored(r),
            services: [
              { namespace: 'ns1', service: 'a' },
              { namespace: '*', service: '*' },
            ],
          });
          assert.ok(isEpochMs(got.ctime) && isEpochMs(got.mtime), `${got.ctime} ${got.mtime}`);
          assert.equal(await rules.getRule('ratelimit', r.id), undefined, 'kinds are separate key spaces');
        }));

      it('the same id may exist once per kind', () =>
        withRuleStore(factory, async ({ rules }) => {
          const id = uniq('shared');
          await rules.createRule(makeRule('circuitbreaker', { id }));
          await rules.createRule(makeRule('faultdetect', { id }));
          assert.equal((await rules.getRule('circuitbreaker', id))?.kind, 'circuitbreaker');
          assert.equal((await rules.getRule('faultdetect', id))?.kind, 'faultdetect');
        }));

      it('create rejects a live duplicate with ExistedResource; a tombstone is revived', () =>
        withRuleStore(factory, async ({ rules }) => {
          const r = makeRule('ratelimit');
          await rules.createRule(r);
          await assert.rejects(rules.createRule({ ...r, name: 'other' }), { code: Code.ExistedResource });
          assert.equal((await rules.getRule('ratelimit', r.id))?.name, r.name);
          assert.equal(await rules.deleteRule('ratelimit', r.id), true);
          await rules.createRule({ ...r, name: 'again' });
          assert.equal((await rules.getRule('ratelimit', r.id))?.name, 'again');
        }));

      it('update replaces a live row and keeps ctime; a missing row is NotFoundResource', async () =>
        withRuleStore(factory, async ({ rules }) => {
          const r = makeRule('lane', { namespace: '' });
          await rules.createRule(r);
          const before = await rules.getRule('lane', r.id);
          await sleep(5);
          const next = { ...r, name: 'renamed', enable: false, priority: 7, body: '{"x":1}', revision: 'r2', etime: 0 };
          await rules.updateRule(next);
          const after = await rules.getRule('lane', r.id);
          assert.ok(before && after);
          assert.deepEqual(stored(after), stored(next));
          assert.equal(after.ctime, before.ctime);
          assert.ok(after.mtime >= before.mtime);
          await assert.rejects(rules.updateRule(makeRule('lane')), { code: Code.NotFoundResource });
          await rules.deleteRule('lane', r.id);
          await assert.rejects(rules.updateRule(next), { code: Code.NotFoundResource });
        }));

      it('delete is soft, reports whether a live row went, and hides the row from reads', () =>
        withRuleStore(factory, async ({ rules }) => {
          const r = makeRule('contract');
          await rules.createRule(r);
          assert.equal(await rules.deleteRule('contract', r.id), true);
          assert.equal(await rules.deleteRule('contract', r.id), false);
          assert.equal(await rules.getRule('contract', r.id), undefined);
          assert.equal(await rules.findRuleByName('contract', r.namespace, r.name), undefined);
          assert.ok(!(await rules.listRules('contract')).some((x) => x.id === r.id));
        }));
    });

    describe('lookups', () => {
      it('findRuleByName matches kind, namespace and name of live rules', () =>
        withRuleStore(factory, async ({ rules }) => {
          const name = uniq('cb');
          const a = makeRule('circuitbreaker', { name, namespace: 'ns-a' });
          await rules.createRule(a);
          assert.equal((await rules.findRuleByName('circuitbreaker', 'ns-a', name))?.id, a.id);
          assert.equal(await rules.findRuleByName('circuitbreaker', 'ns-b', name), undefined);
          assert.equal(await rules.findRuleByName('faultdetect', 'ns-a', name), undefined);
        }));

      it('listRules by kind, and by exact bound service key (wildcards are keys of their own)', () =>
        withRuleStore(factory, async ({ rules }) => {
          const ns = uniq('ns');
          const svc = { namespace: ns, service: 'orders' };
          const r1 = makeRule('ratelimit', { services: [svc] });
          const r2 = makeRule('ratelimit', { services: [{ namespace: ns, service: '*' }] });
          const r3 = makeRule('route', { services: [{ namespace: 'x', service: 'y' }, svc] });
          for (const r of [r1, r2, r3]) await rules.createRule(r);
          const all = (await rules.listRules('ratelimit')).map((r) => r.id);
          assert.ok(all.includes(r1.id) && all.includes(r2.id) && !all.includes(r3.id));
          assert.deepEqual(all, [...all].sort(), 'ordered by id');
          assert.deepEqual((await rules.listRules('ratelimit', svc)).map((r) => r.id), [r1.id]);
          assert.deepEqual(
            (await rules.listRules('ratelimit', { namespace: ns, service: '*' })).map((r) => r.id),
            [r2.id],
          );
          assert.deepEqual((await rules.listRules('route', svc)).map((r) => r.id), [r3.id]);
          assert.equal(await rules.countRulesBoundTo(['route', 'ratelimit'], svc), 2);
          assert.equal(await rules.countRulesBoundTo(['route'], svc), 1);
          assert.equal(await rules.countRulesBoundTo([], svc), 0);
        }));

      it('bindings follow updates and deletes', () =>
        withRuleStore(factory, async ({ rules }) => {
          const ns = uniq('ns');
          const a = { namespace: ns, service: 'a' };
          const b = { namespace: ns, service: 'b' };
          const r = makeRule('route', { services: [a] });
          await rules.createRule(r);
          await rules.updateRule({ ...r, services: [b] });
          assert.equal(await rules.countRulesBoundTo(['route'], a), 0);
          assert.equal(await rules.countRulesBoundTo(['route'], b), 1);
          await rules.deleteRule('route', r.id);
          assert.equal(await rules.countRulesBoundTo(['route'], b), 0);
        }));
    });

    describe('transactions', () => {
      it('all writes of a transaction share one sequence value and commit together', () =>
        withRuleStore(factory, async ({ rules }) => {
          const s0 = await rules.currentSeq();
          const [a, b] = [makeRule('route'), makeRule('ratelimit')];
          await rules.transaction(async (tx) => {
            await tx.createRule(a);
            await tx.createRule(b);
            assert.equal((await tx.getRule('route', a.id))?.id, a.id, 'a transaction reads its own writes');
          });
          const changes = await rules.readRuleChanges(s0);
          const seqs = new Set([...mine(changes.rules, a.id), ...mine(changes.rules, b.id)].map((v) => v.seq));
          assert.equal(seqs.size, 1);
          assert.equal(await rules.currentSeq(), s0 + 1);
        }));

      it('a rejected transaction leaves nothing behind, bindings included', () =>
        withRuleStore(factory, async ({ rules }) => {
          const s0 = await rules.currentSeq();
          const r = makeRule('route');
          await assert.rejects(
            rules.transaction(async (tx) => {
              await tx.createRule(r);
              throw new Error('boom');
            }),
            /boom/,
          );
          assert.equal(await rules.getRule('route', r.id), undefined);
          assert.equal(await rules.countRulesBoundTo(['route'], r.services[0]), 0);
          assert.equal(mine((await rules.readRuleChanges(s0)).rules, r.id).length, 0);
        }));

      it('a failing write inside a transaction can be caught and the rest committed', () =>
        withRuleStore(factory, async ({ rules }) => {
          const r = makeRule('faultdetect');
          await rules.createRule(r);
          const other = makeRule('faultdetect');
          await rules.transaction(async (tx) => {
            await assert.rejects(tx.createRule(r), { code: Code.ExistedResource });
            await tx.createRule(other);
          });
          assert.ok(await rules.getRule('faultdetect', other.id));
        }));
    });

    describe('change feed', () => {
      it('a full load has every live row and no tombstone', () =>
        withRuleStore(factory, async ({ rules }) => {
          const [keep, drop] = [makeRule('route'), makeRule('route')];
          await rules.createRule(keep);
          await rules.createRule(drop);
          await rules.deleteRule('route', drop.id);
          const full = await rules.readRuleChanges(0);
          assert.equal(mine(full.rules, keep.id).length, 1);
          assert.equal(mine(full.rules, drop.id).length, 0);
          assert.ok(full.rules.every((v) => !v.deleted && v.seq <= full.seq));
        }));

      it('incremental reads return each changed row once, latest state, tombstones included', () =>
        withRuleStore(factory, async ({ rules }) => {
          const s0 = await rules.currentSeq();
          const r = makeRule('circuitbreaker');
          await rules.createRule(r);
          await rules.updateRule({ ...r, name: 'second' });
          const inc = await rules.readRuleChanges(s0);
          const rows = mine(inc.rules, r.id);
          assert.equal(rows.length, 1);
          assert.equal(rows[0].value.name, 'second');
          assert.ok(inc.rules.every((v) => v.seq > s0 && v.seq <= inc.seq));
          await rules.deleteRule('circuitbreaker', r.id);
          const del = mine((await rules.readRuleChanges(inc.seq)).rules, r.id);
          assert.equal(del.length, 1);
          assert.equal(del[0].deleted, true);
          assert.equal(mine((await rules.readRuleChanges(await rules.currentSeq())).rules, r.id).length, 0);
        }));

      it('rules and naming data share one change sequence', () =>
        withRuleStore(factory, async ({ rules, naming }) => {
          const s0 = await rules.currentSeq();
          assert.equal(await naming.currentSeq(), s0);
          await naming.createNamespace(makeNamespace());
          const s1 = await rules.currentSeq();
          assert.equal(s1, s0 + 1, 'a naming write moves the rules sequence');
          const r = makeRule('lane');
          await rules.createRule(r);
          assert.equal(await naming.currentSeq(), s1 + 1, 'a rule write moves the naming sequence');
          const inc = await rules.readRuleChanges(s1);
          assert.equal(mine(inc.rules, r.id)[0]?.seq, s1 + 1);
          const namingInc = await naming.readChanges(s1);
          assert.equal(namingInc.seq, s1 + 1);
          assert.equal(namingInc.namespaces.length, 0, 'the naming feed carries no rule rows');
        }));

      it('another store on the same data sees committed rules', async (t) => {
        await withRuleStore(factory, async (h) => {
          if (!h.openPeer) {
            t.skip('backend has no peer store');
            return;
          }
          const peer = await h.openPeer();
          const s0 = await peer.currentSeq();
          const r = makeRule('route');
          await h.rules.createRule(r);
          assert.equal((await peer.getRule('route', r.id))?.name, r.name);
          assert.equal(mine((await peer.readRuleChanges(s0)).rules, r.id).length, 1);
        });
      });
    });

    describe('purge', () => {
      it('removes old tombstones below the sequence bound, never live rows', () =>
        withRuleStore(factory, async ({ rules }) => {
          const [live, dead] = [makeRule('ratelimit'), makeRule('ratelimit')];
          await rules.createRule(live);
          await rules.createRule(dead);
          await rules.deleteRule('ratelimit', dead.id);
          const seq = await rules.currentSeq();
          assert.equal(await rules.purgeRuleTombstones(60_000, seq + 1), 0, 'too young');
          await sleep(5);
          assert.ok((await rules.purgeRuleTombstones(0, seq + 1)) >= 1);
          assert.equal(mine((await rules.readRuleChanges(seq - 2)).rules, dead.id).length, 0);
          assert.ok(await rules.getRule('ratelimit', live.id));
          await rules.createRule(dead);
          assert.ok(await rules.getRule('ratelimit', dead.id), 'a purged id can be created again');
        }));
    });
  });
}
