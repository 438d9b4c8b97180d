import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Strategy, StrategyResource } from '../common/model/auth.js';
import type { ResourceRef } from './api.js';
import { decide } from './evaluate.js';

function strategy(resources: Partial<StrategyResource>[], over: Partial<Strategy> = {}): Strategy {
  return {
    id: 's',
    name: 's',
    action: 'READ_WRITE',
    comment: '',
    owner: 'o',
    defaultStrategy: false,
    source: '',
    metadata: {},
    functions: [],
    resourceLabels: [],
    principals: [],
    resources: resources.map((r) => ({ type: 'namespaces', id: '', namespace: '', name: '', ...r })),
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

const ns = (id: string): ResourceRef => ({ type: 'namespaces', id });
const svc = (namespace: string, id = ''): ResourceRef => ({ type: 'services', id, namespace, serviceId: id || undefined });

describe('policy decision', () => {
  it('writes need a grant on every touched resource; reads need none', () => {
    const s = [strategy([{ id: 'a' }])];
    assert.equal(decide(s, 'UpdateNamespaces', 'write', [ns('a')]), true);
    assert.equal(decide(s, 'UpdateNamespaces', 'write', [ns('a'), ns('b')]), false);
    assert.equal(decide([], 'UpdateNamespaces', 'write', [ns('a')]), false);
    assert.equal(decide([], 'DescribeNamespaces', 'read', []), true);
  });

  it('a namespace grant covers what lives in it; a service grant covers its instances only', () => {
    const byNs = [strategy([{ id: 'a' }])];
    assert.equal(decide(byNs, 'CreateServices', 'write', [svc('a')]), true);
    assert.equal(decide(byNs, 'CreateServices', 'write', [svc('b')]), false);
    const bySvc = [strategy([{ type: 'services', id: 'S1' }])];
    assert.equal(decide(bySvc, 'CreateInstances', 'write', [svc('a', 'S1')]), true);
    assert.equal(decide(bySvc, 'CreateServices', 'write', [svc('a')]), false);
    assert.equal(decide(bySvc, 'UpdateNamespaces', 'write', [ns('a')]), false);
  });

  it('`*` covers its type; a write touching nothing identifiable needs namespaces `*`', () => {
    assert.equal(decide([strategy([{ type: 'services', id: '*' }])], 'CreateServices', 'write', [svc('x')]), true);
    assert.equal(decide([strategy([{ type: 'services', id: '*' }])], 'DeleteInstances', 'write', []), false);
    assert.equal(decide([strategy([{ id: '*' }])], 'DeleteInstances', 'write', []), true);
  });

  it('DENY wins, also for reads; ONLY_READ and labelled strategies never allow writes', () => {
    const allow = strategy([{ id: '*' }]);
    const deny = strategy([{ id: 'a' }], { action: 'DENY' });
    assert.equal(decide([allow, deny], 'UpdateNamespaces', 'write', [ns('a')]), false);
    assert.equal(decide([allow, deny], 'DescribeNamespaces', 'read', [ns('a')]), false);
    assert.equal(decide([allow, deny], 'UpdateNamespaces', 'write', [ns('b')]), true);
    assert.equal(decide([strategy([{ id: '*' }], { action: 'ONLY_READ' })], 'UpdateNamespaces', 'write', [ns('a')]), false);
    const labelled = strategy([{ id: '*' }], { resourceLabels: [{ key: 'env', value: 'x', compareType: '' }] });
    assert.equal(decide([labelled], 'UpdateNamespaces', 'write', [ns('a')]), false);
  });

  it('functions restrict where a strategy applies', () => {
    const s = [strategy([{ id: '*' }], { functions: ['Describe*', 'UpdateNamespaces'] })];
    assert.equal(decide(s, 'UpdateNamespaces', 'write', [ns('a')]), true);
    assert.equal(decide(s, 'DeleteNamespaces', 'write', [ns('a')]), false);
    const deny = [strategy([{ id: '*' }]), strategy([{ id: '*' }], { action: 'DENY', functions: ['Describe*'] })];
    assert.equal(decide(deny, 'DescribeNamespaces', 'read', [ns('a')]), false);
    assert.equal(decide(deny, 'UpdateNamespaces', 'write', [ns('a')]), true);
  });
});
