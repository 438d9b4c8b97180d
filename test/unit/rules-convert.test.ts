import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compositeRevision, EMPTY_REVISION, sortedRevision } from '../../src/service/rules/common.js';
import {
  argumentsToLabels,
  buildRoutes,
  normaliseRuleRouting,
  routeKeys,
  routeRuleToRow,
  v1RouteToRuleRouting,
  type RouteBody,
} from '../../src/service/rules/convert.js';
import { targetKey } from '../../src/service/rules/convert-fault.js';
import { laneServices } from '../../src/service/rules/lane-ops.js';

describe('route rule conversions', () => {
  it('maps each source argument type to the v1 label key SDKs match on', () => {
    const m = (value: string) => ({ type: 'EXACT' as const, value, value_type: 'TEXT' as const });
    const labels = argumentsToLabels([
      { type: 'CUSTOM', key: 'k', value: m('1') },
      { type: 'METHOD', key: 'ignored', value: m('GET') },
      { type: 'HEADER', key: 'h', value: m('2') },
      { type: 'QUERY', key: 'q', value: m('3') },
      { type: 'CALLER_IP', key: '', value: m('10.0.0.1') },
      { type: 'COOKIE', key: 'c', value: m('4') },
      { type: 'PATH', key: '', value: m('/x') },
      { type: 'CALLER_METADATA', key: 'dropped', value: m('5') },
    ]);
    assert.deepEqual(Object.keys(labels).sort(), ['$caller_ip', '$cookie.c', '$header.h', '$method', '$path', '$query.q', 'k']);
    assert.equal(labels['$method'].value, 'GET');
  });

  it('normalises the deprecated top-level sources/destinations into sub-rules (polaris parseSubRouteRule)', () => {
    const src = [{ service: 'a', namespace: 'n' }];
    const dst = [{ service: 'b', namespace: 'n' }];
    assert.deepEqual(normaliseRuleRouting({ sources: src, destinations: dst }).rules, [{ name: '', sources: src, destinations: dst }]);
    const mixed = normaliseRuleRouting({ sources: src, destinations: dst, rules: [{ name: 'x', sources: [], destinations: [] }] });
    assert.deepEqual(mixed.rules, [{ name: 'x', sources: src, destinations: dst }]);
    assert.deepEqual(mixed.sources, []);
  });

  it('caller and callee come from the first sub-rule; either may be missing', () => {
    const cfg = normaliseRuleRouting({ rules: [{ name: 's', sources: [{ service: 'a', namespace: 'n' }], destinations: [] }] });
    assert.deepEqual(routeKeys(cfg), { caller: { namespace: 'n', service: 'a' }, callee: undefined });
  });

  it('builds inbound routes naming the callee and outbound routes naming the caller', () => {
    const cfg = normaliseRuleRouting({
      rules: [
        {
          name: 'sub',
          sources: [{ service: '*', namespace: 'n', arguments: [{ type: 'HEADER', key: 'u', value: { type: 'EXACT', value: '1' } }] }],
          destinations: [{ service: 'b', namespace: 'n', name: 'g', weight: 5, labels: { v: { type: 'EXACT', value: '2' } } }],
        },
      ],
    });
    const row = routeRuleToRow({ name: 'r', priority: 3 }, cfg, { id: 'id1', revision: 'rev', enable: true, etime: 0 });
    const entry = { row, body: JSON.parse(row.body) as RouteBody };
    const keys = routeKeys(cfg);
    const [inbound] = buildRoutes(entry, keys, 'in');
    assert.equal(inbound.destinations?.[0].service, 'b');
    assert.equal(inbound.destinations?.[0].name, 'r.sub.g');
    assert.deepEqual(inbound.extendInfo, { __routing_v2_id__: 'id1', __routing_v2_priority__: '3' });
    const [outbound] = buildRoutes(entry, keys, 'out');
    assert.equal(outbound.sources?.[0].service, '*');
    assert.equal(outbound.sources?.[0].metadata?.['$header.u'].value, '1');
    assert.deepEqual(row.services, [
      { namespace: 'n', service: '*' },
      { namespace: 'n', service: 'b' },
    ]);
  });

  it('turns v1 routes into v2 sub-rules, filling the owning service where v1 leaves it implicit', () => {
    const own = { namespace: 'n', service: 's' };
    const inbound = v1RouteToRuleRouting({ sources: [{ metadata: { k: { value: 'v' } } }], destinations: [{ weight: 7 }] }, own, 'in');
    const sub = inbound.rules?.[0];
    assert.equal(sub?.sources?.[0].service, '*');
    assert.equal(sub?.sources?.[0].arguments?.[0].key, 'k');
    assert.deepEqual([sub?.destinations?.[0].service, sub?.destinations?.[0].weight], ['s', 7]);
    const outbound = v1RouteToRuleRouting({ destinations: [{ service: 'd', namespace: 'n' }] }, own, 'out');
    assert.deepEqual(outbound.rules?.[0].sources?.map((x) => x.service), ['s']);
  });
});

describe('revisions and bindings', () => {
  it('composite: none is SHA-1 of empty input, one is itself, more are hashed in order', () => {
    assert.equal(compositeRevision([]), EMPTY_REVISION);
    assert.equal(compositeRevision(['abc']), 'abc');
    assert.notEqual(compositeRevision(['a', 'b']), compositeRevision(['b', 'a']));
  });

  it('sorted: order-free, and "" for no rules', () => {
    assert.equal(sortedRevision([]), '');
    assert.equal(sortedRevision(['a', 'b']), sortedRevision(['b', 'a']));
  });

  it('an empty target part means `*`; lanes bind destinations and selected entry services', () => {
    assert.deepEqual(targetKey({ service: '', namespace: 'n' }), { namespace: 'n', service: '*' });
    assert.deepEqual(targetKey(undefined), { namespace: '*', service: '*' });
    const keys = laneServices({
      destinations: [{ service: 'a', namespace: 'n' }],
      entries: [{ type: 'polarismesh.cn/service', selector: { '@type': 'type.googleapis.com/v1.ServiceSelector', namespace: 'n', service: 'gw' } }],
    });
    assert.deepEqual(keys, [
      { namespace: 'n', service: 'a' },
      { namespace: 'n', service: 'gw' },
    ]);
  });
});
