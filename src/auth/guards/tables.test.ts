import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NamingReader } from '../../cache/api.js';
import type { ConfigCenter } from '../../config/api.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { Instance, Service } from '../../common/model/naming.js';
import type { NamespaceService } from '../../namespace/api.js';
import type { NamingService } from '../../service/api.js';
import type { RulesService } from '../../service/rules/api.js';
import type { AccessRequest, AuthChecker, Operator, ResourceRef } from '../api.js';
import { configOperations } from './config-guard.js';
import { PASS, type OperationRule, type OperationTable } from './guard.js';
import { NAMESPACE_OPERATIONS } from './namespace-guard.js';
import { namingOperations } from './naming-guard.js';
import { rulesOperations } from './rules-guard.js';

/** Only what the resource lookups use. */
const naming = {
  service: (namespace: string, name: string) =>
    namespace === 'ns1' && name === 'svc1' ? ({ id: 'S1', namespace, name } as Service) : undefined,
  instance: (id: string) => (id === 'i1' ? ({ id, serviceId: 'S1', namespace: 'ns1' } as Instance) : undefined),
} as unknown as NamingReader;

function refsOf<T>(table: OperationTable<T>, method: keyof T, ...args: unknown[]): ResourceRef[] {
  const rule = table[method] as OperationRule<unknown[], unknown> | typeof PASS;
  assert.notEqual(rule, PASS);
  return (rule as OperationRule<unknown[], unknown>).resources?.(...args) ?? [];
}

function ruleOf<T>(table: OperationTable<T>, method: keyof T): OperationRule<unknown[], unknown> {
  return table[method] as OperationRule<unknown[], unknown>;
}

describe('operation tables', () => {
  it('namespaces: every write names its namespaces; reads name nothing', () => {
    const t: OperationTable<NamespaceService> = NAMESPACE_OPERATIONS;
    assert.deepEqual(refsOf(t, 'deleteNamespaces', [{ name: 'a' }, { name: 'b' }]), [
      { type: 'namespaces', id: 'a' },
      { type: 'namespaces', id: 'b' },
    ]);
    assert.equal(ruleOf(t, 'listNamespaces').access, 'read');
    const reqs = [{ name: 'a', owners: 'someone' }];
    const op: Operator = { kind: 'user', id: 'u', name: 'u', ownerId: 'main', role: 'sub' };
    ruleOf(t, 'createNamespaces').prepare?.(op, reqs);
    assert.equal(reqs[0].owners, 'main');
  });

  it('naming: services and instances are placed in their namespace and service', () => {
    const t: OperationTable<NamingService> = namingOperations(naming);
    assert.deepEqual(refsOf(t, 'createServices', [{ name: 'new', namespace: 'ns2' }]), [
      { type: 'services', id: '', namespace: 'ns2', serviceId: undefined },
    ]);
    assert.deepEqual(refsOf(t, 'deleteInstances', [{ id: 'i1' }, { id: 'unknown' }]), [
      { type: 'services', id: 'S1', namespace: 'ns1', serviceId: 'S1' },
    ]);
    assert.equal(ruleOf(t, 'registerInstance').plane, 'client');
    assert.equal(t.heartbeat, PASS);
    const refusal = ruleOf(t, 'discover').refuse?.(new PolarisError(Code.NotAllowedAccess), {
      type: 'INSTANCE',
      service: { name: 'svc1', namespace: 'ns1' },
    });
    assert.deepEqual(refusal, {
      code: Code.NotAllowedAccess,
      info: 'access is not approved',
      type: 'INSTANCE',
      service: { name: 'svc1', namespace: 'ns1' },
    });
  });

  it('rules: a rule is itself, in its namespace, and (when tied to one) in its service', () => {
    const t: OperationTable<RulesService> = rulesOperations(naming);
    assert.deepEqual(refsOf(t, 'createRateLimits', [{ id: 'r1', namespace: 'ns1', service: 'svc1' }]), [
      { type: 'ratelimit_rules', id: 'r1', namespace: 'ns1', serviceId: 'S1' },
    ]);
    assert.deepEqual(refsOf(t, 'deleteRouteRules', [{ id: 'rr' }]), [{ type: 'route_rules', id: 'rr', namespace: undefined }]);
    assert.equal(ruleOf(t, 'listLaneGroups').access, 'read');
    assert.equal(ruleOf(t, 'reportServiceContract').plane, 'client');
  });

  it('config: files and releases are guarded as their config group, in its namespace', () => {
    const t: OperationTable<ConfigCenter> = configOperations((ns, g) => (ns === 'ns1' && g === 'app' ? '7' : undefined));
    assert.deepEqual(refsOf(t, 'createFile', { namespace: 'ns1', group: 'app', name: 'a.yaml' }), [
      { type: 'config_groups', id: '7', namespace: 'ns1' },
    ]);
    assert.deepEqual(refsOf(t, 'deleteFile', 'ns2', 'other', 'x'), [{ type: 'config_groups', id: '', namespace: 'ns2' }]);
    assert.deepEqual(refsOf(t, 'importFiles', new Uint8Array(), { namespace: 'ns3', group: '', conflictHandling: 'skip' }), [
      { type: 'namespaces', id: 'ns3' },
    ]);
    assert.deepEqual(refsOf(t, 'createTemplate', { name: 'tpl' }), []);
    assert.equal(ruleOf(t, 'watchConfigFiles').plane, 'client');
    assert.equal(t.start, PASS);
  });
});

describe('guards over a real decision', () => {
  it('a sub-user granted ns1 may write in ns1 only, through the naming table', async () => {
    const { guard } = await import('./guard.js');
    const { decide } = await import('../evaluate.js');
    const checker: AuthChecker = {
      isOpen: () => true,
      async authorize(_ctx: RequestContext, req: AccessRequest): Promise<Operator> {
        const grants = [
          {
            id: 's', name: 's', action: 'ALLOW' as const, comment: '', owner: 'm', defaultStrategy: false, source: '',
            metadata: {}, functions: [], resourceLabels: [], principals: [],
            resources: [{ type: 'namespaces' as const, id: 'ns1', namespace: '', name: '' }], ctime: 0, mtime: 0,
          },
        ];
        if (!decide(grants, req.fn, req.access, req.resources())) throw new PolarisError(Code.NotAllowedAccess);
        return { kind: 'user', id: 'u', name: 'u', ownerId: 'm', role: 'sub' };
      },
    };
    const calls: string[] = [];
    const inner = new Proxy({} as NamingService, {
      get: (_t, key) => async () => {
        calls.push(String(key));
        return [];
      },
    });
    const g = guard(inner, namingOperations(naming), checker);
    const ctx: RequestContext = { reqId: 'r', clientIp: '', protocol: 'http', token: 't' };
    await g.createServices(ctx, [{ name: 'x', namespace: 'ns1' }]);
    await assert.rejects(g.createServices(ctx, [{ name: 'x', namespace: 'ns2' }]), /access is not approved/);
    await assert.rejects(g.createServices(ctx, [{ name: 'x', namespace: 'ns1' }, { name: 'y', namespace: 'ns2' }]));
    const refused = await g.registerInstance(ctx, { service: 'svc', namespace: 'ns2', host: 'h', port: 1 });
    assert.equal(refused.code, Code.NotAllowedAccess);
    assert.deepEqual(calls, ['createServices']);
  });
});
