import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { NamingCache } from '../../src/cache/naming-cache.js';
import { RulesCache } from '../../src/cache/rules-cache.js';
import { internalContext } from '../../src/common/lifecycle.js';
import { createRulesModule, RULE_INDEXERS, type RulesModule } from '../../src/service/rules/rules-module.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRule } from '../store/conformance/rules-fixtures.js';

/**
 * The rules cache and the rules module without the API servers: read-your-writes, the indexes
 * the Discover lookups use, and revisions that move only with applicable rules.
 */

const logger = pino({ level: 'silent' });
let dir: string;
let store: SqliteStore;
let naming: NamingCache;
let cache: RulesCache;
let rules: RulesModule;
const ctx = internalContext('test');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polaris-rules-cache-'));
  store = SqliteStore.open({ path: join(dir, 'p.db') });
  naming = new NamingCache({ store, logger }, { intervalMs: 60_000 });
  await naming.start();
  cache = new RulesCache({ store: store.rules(), logger }, { intervalMs: 60_000, indexers: RULE_INDEXERS });
  await cache.start();
  rules = createRulesModule({ store: store.rules(), cache, naming, logger });
});
after(async () => {
  await cache.stop();
  await naming.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const svc = (service: string) => ({ name: service, namespace: 'ns' });

describe('rules cache', () => {
  it('a write made elsewhere is picked up by refresh; kinds change versions independently', async () => {
    const before = cache.version('faultdetect');
    const row = makeRule('faultdetect', { services: [{ namespace: 'ns', service: 'x' }] });
    await store.rules().createRule(row);
    assert.equal(cache.get('faultdetect', row.id), undefined, 'not yet read');
    await cache.waitFor(await store.currentSeq());
    assert.equal(cache.get('faultdetect', row.id)?.row.name, row.name);
    assert.deepEqual((cache.get('faultdetect', row.id)?.body as { hello: string }).hello, 'world');
    assert.equal(cache.version('faultdetect'), before + 1);
    assert.equal(cache.bound('faultdetect', 'svc', { namespace: 'ns', service: 'x' }).length, 1);
    await store.rules().deleteRule('faultdetect', row.id);
    await cache.refresh();
    assert.equal(cache.get('faultdetect', row.id), undefined);
    assert.equal(cache.bound('faultdetect', 'svc', { namespace: 'ns', service: 'x' }).length, 0);
  });

  it('a body that is not JSON is skipped, not fatal', async () => {
    const row = makeRule('lane', { body: '{not json' });
    await store.rules().createRule(row);
    await cache.waitFor(await store.currentSeq());
    assert.equal(cache.get('lane', row.id), undefined);
    await store.rules().deleteRule('lane', row.id);
    await cache.waitFor(await store.currentSeq());
  });

  it('onChange tells listeners which kinds changed', async () => {
    const seen: string[][] = [];
    const off = cache.onChange((kinds) => seen.push([...kinds]));
    await store.rules().createRule(makeRule('contract'));
    await cache.waitFor(await store.currentSeq());
    off();
    assert.deepEqual(seen, [['contract']]);
  });
});

describe('rules module over the cache', () => {
  it('route rules: indexes by caller and callee, revisions move only for services a change applies to', async () => {
    const rule = (caller: string, callee: string, weight: number) => ({
      name: `${caller}-${callee}`,
      enable: true,
      routing_config: {
        '@type': 'type.googleapis.com/v1.RuleRoutingConfig',
        rules: [{ name: 's', sources: [{ service: caller, namespace: 'ns' }], destinations: [{ service: callee, namespace: 'ns', weight, name: 'g' }] }],
      },
    });
    const [r1] = await rules.service.createRouteRules(ctx, [rule('a', 'b', 10)]);
    const [r2] = await rules.service.createRouteRules(ctx, [rule('c', 'd', 10)]);
    assert.equal(r1.code, 200000);
    const b1 = rules.discovery.discover('ROUTING', svc('b'), svc('b'));
    const d1 = rules.discovery.discover('ROUTING', svc('d'), svc('d'));
    assert.equal(b1.routing?.inbounds?.length, 1);
    await rules.service.updateRouteRules(ctx, [{ ...rule('a', 'b', 20), id: r1.value?.id }]);
    const b2 = rules.discovery.discover('ROUTING', svc('b'), svc('b'));
    const d2 = rules.discovery.discover('ROUTING', svc('d'), svc('d'));
    assert.notEqual(b2.service?.revision, b1.service?.revision);
    assert.equal(d2.service?.revision, d1.service?.revision, 'a change to another service\'s rule leaves d alone');
    assert.equal(b2.routing?.inbounds?.[0].destinations?.[0].weight, 20);
    const again = rules.discovery.discover('ROUTING', { ...svc('b'), revision: b2.service?.revision }, svc('b'));
    assert.equal(again.code, 200001);
    await rules.service.deleteRouteRules(ctx, [{ id: r1.value?.id }, { id: r2.value?.id }]);
  });

  it('route rules within one priority keep creation order; lower priority values come first', async () => {
    const mk = (name: string, priority: number) => ({
      name,
      enable: true,
      priority,
      routing_config: {
        '@type': 'type.googleapis.com/v1.RuleRoutingConfig',
        rules: [{ name: 's', sources: [{ service: 'p', namespace: 'ns' }], destinations: [{ service: 'q', namespace: 'ns', name: 'g' }] }],
      },
    });
    // Rules created by separate requests (a batch shares one creation time, and polaris defines no
    // order inside a priority for those).
    const made = [];
    for (const r of [mk('late', 5), mk('first', 0), mk('second', 0)]) {
      made.push(...(await rules.service.createRouteRules(ctx, [r])));
      await new Promise((res) => setTimeout(res, 2));
    }
    const answer = rules.discovery.discover('ROUTING', svc('q'), svc('q'));
    const names = answer.routing?.inbounds?.map((r) => r.destinations?.[0].name);
    assert.deepEqual(names, ['first.s.g', 'second.s.g', 'late.s.g']);
    await rules.service.deleteRouteRules(ctx, made.map((m) => ({ id: m.value?.id })));
  });

  it('rate limits bind to the exact service only; no rules is the skeleton without revision', async () => {
    const [made] = await rules.service.createRateLimits(ctx, [
      { name: 'r', service: 'echo', namespace: 'ns', amounts: [{ maxAmount: 1, validDuration: '1s' }] },
    ]);
    const hit = rules.discovery.discover('RATE_LIMIT', svc('echo'), svc('echo'));
    assert.equal(hit.rateLimit?.rules?.length, 1);
    const miss = rules.discovery.discover('RATE_LIMIT', svc('other'), svc('other'));
    assert.equal(miss.rateLimit, undefined);
    assert.equal(miss.service?.revision, undefined);
    await rules.service.deleteRateLimits(ctx, [{ id: made.value?.id }]);
  });

  it('a batch refused by the pre-pass writes nothing and answers only the refused items', async () => {
    const seq = await store.currentSeq();
    const out = await rules.service.createRateLimits(ctx, [
      { name: 'ok', service: 'echo', namespace: 'ns' },
      { name: 'bad', service: 'echo', namespace: '' },
    ]);
    assert.deepEqual(out.map((r) => r.code), [400110]);
    assert.equal(await store.currentSeq(), seq);
  });
});

describe('rules cache background refresh', () => {
  it('with probeMs, a write made by another process arrives without waiting for the interval', async () => {
    const probed = new RulesCache({ store: store.rules(), logger }, { intervalMs: 60_000, probeMs: 20, indexers: RULE_INDEXERS });
    await probed.start();
    try {
      const row = makeRule('circuitbreaker', { services: [{ namespace: 'ns', service: 'probe' }] });
      await store.rules().createRule(row);
      const deadline = Date.now() + 2_000;
      while (!probed.get('circuitbreaker', row.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(probed.get('circuitbreaker', row.id), 'picked up by the probe');
      assert.equal(probed.seq(), await store.currentSeq());
    } finally {
      await probed.stop();
    }
  });
});
