import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FN, Grants, groupRef, namespaceRef, newServiceRef, RULE_FN, ruleRef, UNNAMED } from '../../console/src/access.js';
import type { AuthReader } from '../../src/auth/auth-cache.js';
import { strategyToWire } from '../../src/auth/convert.js';
import { ABSENT_IN_V1_4_2 } from '../../src/common/api/gen/fields-v1.4.2.js';
import { configOperations } from '../../src/auth/guards/config-guard.js';
import { PASS, type OperationRule } from '../../src/auth/guards/guard.js';
import { NAMESPACE_OPERATIONS } from '../../src/auth/guards/namespace-guard.js';
import { namingOperations } from '../../src/auth/guards/naming-guard.js';
import { rulesOperations } from '../../src/auth/guards/rules-guard.js';
import type { NamingReader } from '../../src/cache/api.js';
import type { ResourceRef, Strategy, StrategyResource } from '../../src/common/model/auth.js';
import type { Service } from '../../src/common/model/naming.js';

/**
 * The console's write rights: the function names and resources it asks about are those the
 * server's guards use for the requests it sends, and strategies read over the OpenAPI decide as
 * the server's own strategies do.
 */

/** Only what the guards' look-ups use: one service, pay/api with id S1. */
const naming = {
  service: (namespace: string, name: string) => (namespace === 'pay' && name === 'api' ? ({ id: 'S1', namespace, name } as Service) : undefined),
  instance: () => undefined,
} as unknown as NamingReader;

const noUsers = { user: () => undefined, group: () => undefined } as unknown as AuthReader;

function rule(table: any, method: string): OperationRule<unknown[], unknown> {
  const r = table[method] as OperationRule<unknown[], unknown> | typeof PASS;
  assert.notEqual(r, PASS, String(method));
  return r as OperationRule<unknown[], unknown>;
}

/** Refs compared without their undefined fields. */
const plain = (refs: ResourceRef[]) => JSON.parse(JSON.stringify(refs));

function strategy(over: Partial<Strategy> & { resources: StrategyResource[] }): Strategy {
  return {
    id: over.id ?? 'st1',
    name: 'grant',
    action: 'READ_WRITE',
    comment: '',
    owner: 'main',
    defaultStrategy: false,
    source: '',
    metadata: {},
    functions: [],
    resourceLabels: [],
    principals: [{ type: 'user', id: 'sub' }],
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

const res = (type: StrategyResource['type'], id: string, namespace = '', name = ''): StrategyResource => ({ type, id, namespace, name });

/** The console's view of strategies, as read back from their JSON (show_detail, every field). */
const grantsOf = (...list: Strategy[]) => Grants.fromWire(list.map((s) => strategyToWire(s, noUsers)));

/** The same JSON with the fields polaris-server 1.18.1's field set (v1.4.2, the default) leaves out. */
function asV142(s: Strategy): any {
  const w: any = strategyToWire(s, noUsers);
  for (const f of ABSENT_IN_V1_4_2['v1.AuthStrategy']) delete w[f];
  for (const f of ABSENT_IN_V1_4_2['v1.StrategyResources']) delete w.resources[f];
  return w;
}

describe('console write rights', () => {
  it('asks with the function names the guards check', () => {
    const ns = NAMESPACE_OPERATIONS;
    const nm = namingOperations(naming);
    const cf = configOperations(() => undefined);
    const tables: Record<string, any> = { ns, nm, cf };
    const where: Record<keyof typeof FN, string> = {
      createNamespaces: 'ns', updateNamespaces: 'ns', deleteNamespaces: 'ns',
      createServices: 'nm', updateServices: 'nm', deleteServices: 'nm', createAlias: 'nm', deleteAliases: 'nm',
      createInstances: 'nm', updateInstances: 'nm', deleteInstances: 'nm',
      createGroup: 'cf', deleteGroup: 'cf', createFile: 'cf', updateFile: 'cf', deleteFile: 'cf', publish: 'cf',
      rollbackReleases: 'cf', stopBeta: 'cf',
    };
    for (const [method, fn] of Object.entries(FN)) {
      const r = rule(tables[where[method as keyof typeof FN]], method);
      assert.equal(r.fn, fn, method);
      assert.equal(r.access, 'write', method);
    }
    const rt = rulesOperations(naming);
    const methods: Record<string, [string, string, string, string | undefined]> = {
      routing: ['createRouteRules', 'updateRouteRules', 'deleteRouteRules', 'enableRouteRules'],
      ratelimit: ['createRateLimits', 'updateRateLimits', 'deleteRateLimits', 'enableRateLimits'],
      circuitbreaker: ['createCircuitBreakerRules', 'updateCircuitBreakerRules', 'deleteCircuitBreakerRules', 'enableCircuitBreakerRules'],
      faultdetect: ['createFaultDetectRules', 'updateFaultDetectRules', 'deleteFaultDetectRules', undefined],
      lane: ['createLaneGroups', 'updateLaneGroups', 'deleteLaneGroups', undefined],
    };
    assert.deepEqual(Object.keys(RULE_FN).sort(), Object.keys(methods).sort());
    for (const [kind, [c, u, d, e]] of Object.entries(methods)) {
      const k = RULE_FN[kind];
      assert.equal(k.create, rule(rt, c).fn, kind);
      assert.equal(k.update, rule(rt, u).fn, kind);
      assert.equal(k.delete, rule(rt, d).fn, kind);
      assert.equal(k.enable, e ? rule(rt, e).fn : undefined, kind);
    }
  });

  it('names resources as the guards do for the requests the console sends', () => {
    const g = grantsOf(strategy({ resources: [res('services', 'S1', 'pay', 'api')] }));
    const nm = namingOperations(naming);
    // An instance write names namespace + service; the console knows the service's id from the list.
    assert.deepEqual(plain([g.service('pay', 'api', 'S1')]), plain(rule(nm, 'updateInstances').resources!([{ namespace: 'pay', service: 'api', id: 'i', host: 'h', port: 1 }])));
    // Without the id, the granted service's id comes from the strategy.
    assert.deepEqual(plain([g.service('pay', 'api')]), plain(rule(nm, 'updateServices').resources!([{ namespace: 'pay', name: 'api' }])));
    assert.deepEqual(plain([newServiceRef('pay')]), plain(rule(nm, 'createServices').resources!([{ namespace: 'pay', name: 'fresh' }])));
    assert.deepEqual([namespaceRef('pay')], rule(NAMESPACE_OPERATIONS, 'deleteNamespaces').resources!([{ name: 'pay' }]));
    const cf = configOperations((ns, name) => (ns === 'pay' && name === 'app' ? '7' : undefined));
    assert.deepEqual(plain([groupRef('pay', '7')]), plain(rule(cf, 'updateFile').resources!({ namespace: 'pay', group: 'app', name: 'a.yaml' })));
    assert.deepEqual(plain([groupRef('pay', '')]), plain(rule(cf, 'createGroup').resources!({ namespace: 'pay', name: 'fresh' })));

    const rt = rulesOperations(naming);
    const limit = { id: 'R1', name: 'l', namespace: 'pay', service: 'api' };
    assert.deepEqual(plain([ruleRef(g, 'ratelimit', limit, true)]), plain(rule(rt, 'updateRateLimits').resources!([limit])));
    // Deletes and switches send the id only.
    assert.deepEqual(plain([ruleRef(g, 'ratelimit', limit, false)]), plain(rule(rt, 'deleteRateLimits').resources!([{ id: 'R1', name: 'l' }])));
    assert.deepEqual(plain([ruleRef(g, 'ratelimit', limit, false)]), plain(rule(rt, 'enableRateLimits').resources!([{ id: 'R1', disable: false }])));
    const route = { id: 'T1', name: 'r', namespace: 'pay' };
    assert.deepEqual(plain([ruleRef(g, 'routing', route, true)]), plain(rule(rt, 'updateRouteRules').resources!([route])));
    assert.deepEqual(plain([ruleRef(g, 'circuitbreaker', { id: 'C1' }, false)]), plain(rule(rt, 'enableCircuitBreakerRules').resources!([{ id: 'C1', enable: true }])));
  });

  it('a grant on one service opens that service and nothing else', () => {
    const g = grantsOf(strategy({ resources: [res('services', 'S1', 'pay', 'api')] }));
    assert.equal(g.can(FN.updateInstances, [g.service('pay', 'api', 'S1')]), true);
    assert.equal(g.can(FN.deleteServices, [g.service('pay', 'api')]), true, 'found by name through the strategy');
    assert.equal(g.can(FN.updateInstances, [g.service('pay', 'other', 'S2')]), false);
    assert.equal(g.can(FN.updateNamespaces, [namespaceRef('pay')]), false);
    assert.equal(g.somewhere(FN.createServices, (ns) => [newServiceRef(ns)]), false, 'a service grant creates nothing');
    assert.equal(g.somewhere(FN.createGroup, (ns) => [groupRef(ns, '')]), false);
    // A rate limit of that service may be edited (the edit names the service), not deleted by id.
    const limit = { id: 'R1', namespace: 'pay', service: 'api' };
    assert.equal(g.can(RULE_FN.ratelimit.update, [ruleRef(g, 'ratelimit', limit, true)]), true);
    assert.equal(g.can(RULE_FN.ratelimit.delete, [ruleRef(g, 'ratelimit', limit, false)]), false);
    assert.equal(g.somewhere(RULE_FN.ratelimit.create, (ns, sid) => [{ type: 'ratelimit_rules', id: '', namespace: ns, serviceId: sid }]), true);
    assert.equal(g.somewhere(RULE_FN.routing.create, (ns) => [{ type: 'route_rules', id: '', namespace: ns }]), false);
  });

  it('a namespace grant opens what lives in it; `*` opens every namespace', () => {
    const team = grantsOf(strategy({ resources: [res('namespaces', 'team', 'team', 'team')] }));
    assert.equal(team.can(FN.createServices, [newServiceRef('team')]), true);
    assert.equal(team.can(FN.createServices, [newServiceRef('default')]), false);
    assert.equal(team.somewhere(FN.createServices, (ns) => [newServiceRef(ns)]), true);
    assert.equal(team.can(FN.updateFile, [groupRef('team', '9')]), true);
    assert.equal(team.can(FN.createNamespaces, [namespaceRef(UNNAMED)]), false);
    const star = grantsOf(strategy({ resources: [res('namespaces', '*')] }));
    assert.equal(star.can(FN.createNamespaces, [namespaceRef(UNNAMED)]), true);
    assert.equal(star.can(FN.deleteInstances, [star.service('any', 'thing', 'X9')]), true);
    assert.equal(star.can(RULE_FN.lane.delete, [{ type: 'lane_rules', id: 'L1' }]), false, 'rules by id need a grant of their kind');
  });

  it('read-only actions, function lists, DENY and labelled strategies grant no write', () => {
    const ns = [res('namespaces', 'team', 'team', 'team')];
    const cases: Array<[string, Strategy[]]> = [
      ['ONLY_READ', [strategy({ action: 'ONLY_READ', resources: ns })]],
      ['read functions', [strategy({ functions: ['Describe*', 'List*', 'Get*'], resources: ns })]],
      ['labels', [strategy({ resourceLabels: [{ key: 'k', value: 'v', compareType: 'equals' }], resources: ns })]],
      ['DENY over ALLOW', [strategy({ resources: ns }), strategy({ id: 'st2', action: 'DENY', resources: ns })]],
    ];
    for (const [why, list] of cases) {
      const g = grantsOf(...list);
      assert.equal(g.can(FN.createServices, [newServiceRef('team')]), false, why);
      assert.equal(g.somewhere(FN.createServices, (n) => [newServiceRef(n)]), false, why);
    }
    const some = grantsOf(strategy({ functions: ['Create*'], resources: ns }));
    assert.equal(some.can(FN.createServices, [newServiceRef('team')]), true);
    assert.equal(some.can(FN.deleteServices, [some.service('team', 'x', 'S5')]), false);
  });

  it('with the 1.18.1 field set, rule grants cannot be seen: rule writes stay offered, the rest is decided', () => {
    const team = strategy({ resources: [res('namespaces', 'team', 'team', 'team')] });
    const ruleGrant = strategy({ id: 'st2', resources: [res('route_rules', 'T1')] });
    const g = Grants.fromWire([asV142(team), asV142(ruleGrant)]);
    assert.deepEqual([...g.hidden].includes('route_rules'), true);
    assert.equal(g.can(RULE_FN.routing.delete, [{ type: 'route_rules', id: 'T1' }]), true, 'granted, though unseen');
    assert.equal(g.can(RULE_FN.lane.delete, [{ type: 'lane_rules', id: 'L1' }]), true, 'cannot be told: offered');
    assert.equal(g.can(FN.createServices, [newServiceRef('team')]), true);
    assert.equal(g.can(FN.createServices, [newServiceRef('default')]), false, 'namespaces are shown: decided');
    // Every field shown: nothing hidden, the rule grant decides.
    const full = grantsOf(team, ruleGrant);
    assert.equal(full.hidden.size, 0);
    assert.equal(full.can(RULE_FN.routing.delete, [{ type: 'route_rules', id: 'T1' }]), true);
    assert.equal(full.can(RULE_FN.lane.delete, [{ type: 'lane_rules', id: 'L1' }]), false);
  });

  it('offers everything when the rights are all or not known (the server decides)', () => {
    for (const g of [Grants.all(), new Grants('unknown'), new Grants('pending')]) {
      assert.equal(g.can(FN.createNamespaces, [namespaceRef(UNNAMED)]), true);
      assert.equal(g.somewhere(FN.createGroup, (n) => [groupRef(n, '')]), true);
    }
    assert.equal(new Grants('strategies', []).can(FN.updateFile, [groupRef('a', '1')]), false);
  });
});
