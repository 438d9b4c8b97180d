import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient } from '../helpers/grpc-client.js';
import { code, createServices, discoverRules, httpDiscover, uniq } from '../helpers/rules.js';

const EMPTY = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

let d: Daemon;
let client: any;

before(async () => {
  d = await startDaemon();
  client = polarisClient(d.ports.grpc);
});
after(async () => {
  client?.close();
  await d?.stop();
});

function ruleConfig(rules: unknown[], typeUrl = 'type.googleapis.com/v1.RuleRoutingConfig') {
  return { '@type': typeUrl, rules };
}

function routeRule(name: string, rules: unknown[], extra: Record<string, unknown> = {}) {
  return { name, enable: true, routing_policy: 'RulePolicy', priority: 0, routing_config: ruleConfig(rules), ...extra };
}

/** caller → callee with one destination group carrying `env` and `weight`. */
function callerToCallee(ns: string, caller: string, callee: string, weight = 100, env = 'gray') {
  return [
    {
      name: 'sub',
      sources: [{ service: caller, namespace: ns, arguments: [{ type: 'HEADER', key: 'uid', value: { type: 'EXACT', value: '7' } }] }],
      destinations: [{ service: callee, namespace: ns, labels: { env: { type: 'EXACT', value: env } }, weight, priority: 1, name: 'grp' }],
    },
  ];
}

async function createRule(rule: unknown): Promise<string> {
  const res = await call(d.http, 'POST', '/naming/v2/routings', [rule]);
  assert.equal(res.body.code, 200000, res.text);
  return res.body.responses[0].data.id;
}

describe('route rules (v2) reach SDKs through Discover ROUTING', () => {
  it('the polaris docs example creates a rule an SDK sees in its outbound routes', async () => {
    const ns = uniq('docs');
    await createServices(d.http, ns, ['echo']);
    // The JSON of polaris's OpenAPI docs ("批量创建路由规则"), pointed at this test's namespace.
    const docs = [
      {
        name: 'demo-123',
        namespace: '',
        enable: true,
        routing_policy: 'RulePolicy',
        routing_config: {
          '@type': 'type.googleapis.com/v1.RuleRoutingConfig',
          rules: [
            {
              name: '规则一',
              sources: [
                {
                  service: 'echo',
                  namespace: ns,
                  arguments: [{ type: 'CUSTOM', key: 'uid', value: { type: 'EXACT', value: '123', value_type: 'TEXT' } }],
                },
              ],
              destinations: [],
            },
          ],
        },
      },
    ];
    const res = await call(d.http, 'POST', '/naming/v2/routings', docs);
    assert.equal(res.status, 200);
    assert.equal(res.body.code, 200000);
    assert.equal(res.body.size, 1);
    const data = res.body.responses[0].data;
    assert.equal(data['@type'], 'type.googleapis.com/v1.RouteRule');
    assert.match(data.id, /^[0-9a-f]{32}$/);
    assert.equal(data.name, 'demo-123');

    const got = await discoverRules(client, 'ROUTING', ns, 'echo');
    assert.equal(code(got), 200000);
    assert.equal(got.type, 'ROUTING');
    assert.equal(got.routing.inbounds?.length ?? 0, 0);
    assert.equal(got.routing.outbounds.length, 1);
    const out = got.routing.outbounds[0];
    assert.equal(out.sources[0].service.value, 'echo');
    assert.equal(out.sources[0].metadata.uid.value.value, '123');
    assert.equal(out.extendInfo.__routing_v2_id__, data.id);
    assert.notEqual(got.routing.revision.value, EMPTY);
    assert.equal(got.service.revision.value, got.routing.revision.value);
  });

  it('create, change, disable, enable and delete: payload and revision follow, equal revision answers 200001', async () => {
    const ns = uniq('life');
    await createServices(d.http, ns, ['caller', 'callee']);
    const start = Date.now();
    const id = await createRule(routeRule('life', callerToCallee(ns, 'caller', 'callee')));
    const first = await discoverRules(client, 'ROUTING', ns, 'callee');
    const visibleAfter = Date.now() - start;
    assert.equal(code(first), 200000);
    assert.equal(first.routing.inbounds.length, 1, 'the first Discover after the write sees the rule');
    assert.ok(visibleAfter < 2_000, `write + discover took ${visibleAfter} ms`);
    const route = first.routing.inbounds[0];
    assert.equal(route.sources[0].service.value, 'caller');
    assert.equal(route.sources[0].metadata['$header.uid'].value.value, '7');
    const dest = route.destinations[0];
    assert.equal(dest.service.value, 'callee');
    assert.equal(dest.name.value, 'life.sub.grp');
    assert.equal(dest.weight.value, 100);
    assert.equal(dest.priority.value, 1);
    assert.equal(dest.metadata.env.value.value, 'gray');
    const r1 = first.routing.revision.value;
    assert.notEqual(r1, EMPTY);

    const caller = await discoverRules(client, 'ROUTING', ns, 'caller');
    assert.equal(caller.routing.outbounds.length, 1);
    assert.equal(caller.routing.outbounds[0].destinations[0].service.value, 'callee');

    const same = await discoverRules(client, 'ROUTING', ns, 'callee', r1);
    assert.equal(code(same), 200001);
    assert.equal(same.type, 'ROUTING');
    assert.equal(same.service.revision.value, r1);
    assert.equal(same.routing ?? null, null);

    const upd = await call(d.http, 'PUT', '/naming/v2/routings', [{ id, ...routeRule('life', callerToCallee(ns, 'caller', 'callee', 30)) }]);
    assert.equal(upd.body.code, 200000, upd.text);
    const changed = await discoverRules(client, 'ROUTING', ns, 'callee', r1);
    assert.equal(code(changed), 200000);
    const r2 = changed.routing.revision.value;
    assert.notEqual(r2, r1);
    assert.equal(changed.routing.inbounds[0].destinations[0].weight.value, 30);

    const off = await call(d.http, 'PUT', '/naming/v2/routings/enable', [{ id, enable: false }]);
    assert.equal(off.body.code, 200000, off.text);
    const disabled = await discoverRules(client, 'ROUTING', ns, 'callee', r2);
    assert.equal(code(disabled), 200000);
    assert.equal(disabled.routing.inbounds?.length ?? 0, 0);
    assert.equal(disabled.routing.revision.value, EMPTY);

    await call(d.http, 'PUT', '/naming/v2/routings/enable', [{ id, enable: true }]);
    const on = await discoverRules(client, 'ROUTING', ns, 'callee', EMPTY);
    assert.equal(on.routing.inbounds.length, 1);
    assert.notEqual(on.routing.revision.value, r2, 'enabling gives the rule a new revision');

    const list = await call(d.http, 'GET', `/naming/v2/routings?id=${id}`);
    assert.equal(list.body.amount, 1);
    const listed = list.body.data[0];
    assert.equal(listed['@type'], 'type.googleapis.com/v1.RouteRule');
    assert.equal(listed.enable, true);
    assert.equal(listed.routing_config['@type'], 'type.googleapis.com/v1.RuleRoutingConfig');
    assert.equal(listed.routing_config.rules[0].destinations[0].weight, 30);
    assert.match(listed.ctime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(listed.etime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const http = await httpDiscover(d.http, 'ROUTING', ns, 'callee');
    assert.equal(http.code, 200000);
    assert.equal(http.routing.inbounds.length, 1);
    assert.equal(http.routing.revision, on.routing.revision.value, 'HTTP /v1/Discover answers the same revision');

    const del = await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id }]);
    assert.equal(del.body.code, 200000);
    const gone = await discoverRules(client, 'ROUTING', ns, 'callee', on.routing.revision.value);
    assert.equal(gone.routing.inbounds?.length ?? 0, 0);
    assert.equal(gone.routing.revision.value, EMPTY);
  });

  it('a change made over HTTP is in the very next answer of an open Discover stream, well within 50 ms', async () => {
    const ns = uniq('fast');
    await createServices(d.http, ns, ['src', 'dst']);
    const stream = client.Discover();
    const answers: any[] = [];
    let wake: (() => void) | undefined;
    stream.on('data', (a: any) => {
      answers.push(a);
      wake?.();
    });
    const ask = (revision: string) =>
      new Promise<any>((resolve) => {
        const n = answers.length;
        wake = () => answers.length > n && resolve(answers[n]);
        stream.write({ type: 'ROUTING', service: { name: { value: 'dst' }, namespace: { value: ns }, revision: { value: revision } } });
      });
    try {
      let revision = (await ask('')).routing.revision.value;
      const id = await createRule(routeRule('fast', callerToCallee(ns, 'src', 'dst', 1)));
      const latencies: number[] = [];
      for (const weight of [2, 3, 4]) {
        const res = await call(d.http, 'PUT', '/naming/v2/routings', [{ id, ...routeRule('fast', callerToCallee(ns, 'src', 'dst', weight)) }]);
        assert.equal(res.body.code, 200000);
        const t0 = performance.now();
        const a = await ask(revision);
        latencies.push(performance.now() - t0);
        assert.equal(code(a), 200000, 'the change is visible to the next poll');
        assert.equal(a.routing.inbounds[0].destinations[0].weight.value, weight);
        revision = a.routing.revision.value;
      }
      latencies.sort((x, y) => x - y);
      assert.ok(latencies[1] < 50, `median write-to-answer latency ${latencies[1].toFixed(1)} ms`);
    } finally {
      stream.end();
    }
  });

  it('namespace- and global-wildcard sources reach every matching service; revisions move only where a rule applies', async () => {
    const ns = uniq('wild');
    const other = uniq('wild2');
    await createServices(d.http, ns, ['a', 'b']);
    await createServices(d.http, other, ['c']);
    const nsRule = routeRule('ns-wide', [
      { name: 's', sources: [{ service: '*', namespace: ns }], destinations: [{ service: 'b', namespace: ns, weight: 100, name: 'g' }] },
    ]);
    const nsId = await createRule(nsRule);
    const globalId = await createRule(
      routeRule('everyone', [
        { name: 's', sources: [{ service: '*', namespace: '*' }], destinations: [{ service: 'c', namespace: other, weight: 100, name: 'g' }] },
      ]),
    );
    const ids = (r: any, dir: 'inbounds' | 'outbounds') => (r.routing[dir] ?? []).map((x: any) => x.extendInfo.__routing_v2_id__);

    const a = await discoverRules(client, 'ROUTING', ns, 'a');
    assert.ok(ids(a, 'outbounds').includes(nsId) && ids(a, 'outbounds').includes(globalId));
    assert.equal(a.routing.outbounds.find((x: any) => x.extendInfo.__routing_v2_id__ === nsId).sources[0].service.value, '*');
    const b = await discoverRules(client, 'ROUTING', ns, 'b');
    assert.ok(ids(b, 'inbounds').includes(nsId), 'b is the callee of the namespace rule');
    assert.ok(ids(b, 'outbounds').includes(nsId) && ids(b, 'outbounds').includes(globalId));
    const c = await discoverRules(client, 'ROUTING', other, 'c');
    assert.ok(!ids(c, 'outbounds').includes(nsId), 'another namespace does not get the namespace rule');
    assert.ok(ids(c, 'outbounds').includes(globalId) && ids(c, 'inbounds').includes(globalId));
    const unknown = await discoverRules(client, 'ROUTING', uniq('nowhere'), 'ghost');
    assert.equal(code(unknown), 200000, 'ROUTING never answers 400202');
    assert.deepEqual(ids(unknown, 'outbounds'), [globalId], 'an unknown service still gets the global wildcard');

    // Changing the namespace rule moves a's revision but not c's.
    await call(d.http, 'PUT', '/naming/v2/routings', [{ id: nsId, ...nsRule, priority: 3 }]);
    const a2 = await discoverRules(client, 'ROUTING', ns, 'a', a.routing.revision.value);
    assert.equal(code(a2), 200000);
    const c2 = await discoverRules(client, 'ROUTING', other, 'c', c.routing.revision.value);
    assert.equal(code(c2), 200001);

    // An alias discovers the rules of the service it points at.
    const alias = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'b', namespace: ns, alias: 'b-alias', alias_namespace: ns });
    assert.equal(alias.body.code, 200000, alias.text);
    const viaAlias = await discoverRules(client, 'ROUTING', ns, 'b-alias');
    assert.equal(viaAlias.service.name.value, 'b-alias');
    assert.equal(viaAlias.aliasFor.name.value, 'b');
    assert.ok(ids(viaAlias, 'inbounds').includes(nsId));

    await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id: nsId }, { id: globalId }]);
  });

  it('a service named by a route rule cannot be deleted (400205) until the rule is gone', async () => {
    const ns = uniq('guard');
    await createServices(d.http, ns, ['x', 'y']);
    const id = await createRule(routeRule('guard', callerToCallee(ns, 'x', 'y')));
    const refused = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'y', namespace: ns }]);
    assert.equal(refused.body.code, 400205, refused.text);
    assert.equal(refused.status, 400);
    await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id }]);
    const ok = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'y', namespace: ns }]);
    assert.equal(ok.body.code, 200000, ok.text);
  });
});

describe('route rule validation answers polaris codes and writes nothing', () => {
  const post = (body: unknown) => call(d.http, 'POST', '/naming/v2/routings', body);

  it('refuses bad rules item by item, without a dropped connection', async () => {
    const ns = uniq('bad');
    const good = routeRule('good', callerToCallee(ns, 'p', 'q'));
    const noConfig = await post([{ name: 'x', routing_policy: 'RulePolicy' }]);
    assert.equal(noConfig.status, 400, 'v1.18.1 drops the connection here; we answer');
    assert.equal(noConfig.body.responses[0].code, 400103);
    assert.equal((await post([{ ...good, priority: 11 }])).body.code, 400703);
    assert.equal((await post([{ ...good, routing_policy: 'MetadataPolicy' }])).body.code, 400701);
    assert.equal((await post([{ ...good, name: 'n'.repeat(65) }])).body.code, 400702);
    const badSvc = routeRule('bad', [{ name: 's', sources: [{ service: 'no spaces', namespace: ns }], destinations: [] }]);
    assert.equal((await post([badSvc])).body.code, 400120);
    const wrongType = { ...good, routing_config: { '@type': 'type.googleapis.com/v1.MetadataRoutingConfig' } };
    assert.equal((await post([wrongType])).body.code, 400103);

    const name = uniq('half');
    const mixed = await post([{ ...good, name }, { ...good, name: `${name}-bad`, priority: 99 }]);
    assert.equal(mixed.body.code, 400703);
    assert.equal(mixed.body.size, 1, 'only the refused item is answered');
    assert.equal(mixed.body.responses[0].data.name, `${name}-bad`);
    const listed = await call(d.http, 'GET', `/naming/v2/routings?name=${name}`);
    assert.equal(listed.body.amount, 0, 'nothing of a refused batch is written');
  });

  it('answers batch-level, id and lookup errors as polaris does', async () => {
    assert.equal((await post([])).body.code, 400002);
    const many = Array.from({ length: 101 }, (_, i) => routeRule(`r${i}`, []));
    assert.equal((await post(many)).body.code, 400003);
    const malformed = await post('[{');
    assert.equal(malformed.body.code, 400001);
    assert.equal(malformed.status, 400);
    assert.equal((await post([{ unknownField: 1 }])).body.code, 400001, 'unknown fields are refused (v1.18.1)');
    const put = (body: unknown) => call(d.http, 'PUT', '/naming/v2/routings', body);
    assert.equal((await put([routeRule('x', [])])).body.code, 400700);
    assert.equal((await put([{ id: 'nope', ...routeRule('x', []) }])).body.code, 400302);
    const enable = await call(d.http, 'PUT', '/naming/v2/routings/enable', [{ id: 'nope', enable: true }]);
    assert.equal(enable.body.code, 400302);
    assert.equal((await call(d.http, 'PUT', '/naming/v2/routings/enable', [{ enable: true }])).body.code, 400700);
    const del = await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id: 'nope' }]);
    assert.equal(del.body.code, 200000, 'deleting an unknown rule succeeds');
    const q = await call(d.http, 'GET', '/naming/v2/routings?color=blue');
    assert.equal(q.body.code, 400103);
    assert.equal((await call(d.http, 'GET', '/naming/v2/routings?offset=-1')).body.code, 400103);
  });

  it('accepts the legacy v2 type URL and stores it as v1', async () => {
    const ns = uniq('legacy');
    const rule = {
      ...routeRule('legacy', callerToCallee(ns, 'p', 'q')),
      routing_config: ruleConfig(callerToCallee(ns, 'p', 'q'), 'type.googleapis.com/v2.RuleRoutingConfig'),
    };
    const res = await post([rule]);
    assert.equal(res.body.code, 200000, res.text);
    const listed = await call(d.http, 'GET', `/naming/v2/routings?id=${res.body.responses[0].data.id}`);
    assert.equal(listed.body.data[0].routing_config['@type'], 'type.googleapis.com/v1.RuleRoutingConfig');
  });
});

describe('the deprecated /naming/v1/routings (v1.18.1: stored as v2 rules)', () => {
  it('creates, updates and deletes v1 routings that SDKs discover; the v1 list stays empty', async () => {
    const ns = uniq('v1');
    const missing = await call(d.http, 'POST', '/naming/v1/routings', [{ service: 'ghost', namespace: ns, inbounds: [] }]);
    assert.equal(missing.body.code, 400301);
    await createServices(d.http, ns, ['svc']);
    const v1 = (weight: number) => ({
      service: 'svc',
      namespace: ns,
      inbounds: [
        {
          sources: [{ service: '*', namespace: '*', metadata: { env: { type: 'EXACT', value: 'test' } } }],
          destinations: [{ metadata: { version: { type: 'EXACT', value: '1.0' } }, weight }],
        },
      ],
      outbounds: [{ sources: [{ metadata: {} }], destinations: [{ service: 'dep', namespace: ns, weight: 100 }] }],
    });
    const created = await call(d.http, 'POST', '/naming/v1/routings', [v1(80)]);
    assert.equal(created.body.code, 200000, created.text);
    assert.equal(created.body.responses[0].routing.service, 'svc');

    const got = await discoverRules(client, 'ROUTING', ns, 'svc');
    assert.equal(got.routing.inbounds.length, 1);
    assert.equal(got.routing.inbounds[0].sources[0].metadata.env.value.value, 'test');
    assert.equal(got.routing.inbounds[0].destinations[0].weight.value, 80);
    assert.equal(got.routing.inbounds[0].destinations[0].service.value, 'svc');
    // The inbound route's `*` source makes it a global-wildcard rule: it is in every outbound list too.
    const toDep = got.routing.outbounds.filter((r: any) => r.destinations[0]?.service.value === 'dep');
    assert.equal(toDep.length, 1);
    assert.equal(toDep[0].sources[0].service.value, 'svc');

    const v1List = await call(d.http, 'GET', `/naming/v1/routings?service=svc&namespace=${ns}`);
    assert.equal(v1List.body.code, 200000);
    assert.equal(v1List.body.amount, 0);
    assert.equal((await call(d.http, 'GET', '/naming/v1/routings?color=x')).body.code, 400103);
    const v2List = await call(d.http, 'GET', `/naming/v2/routings?service=svc&namespace=${ns}`);
    assert.equal(v2List.body.amount, 2, 'one v2 rule per v1 route');

    const upd = await call(d.http, 'PUT', '/naming/v1/routings', [v1(20)]);
    assert.equal(upd.body.code, 200000, upd.text);
    const changed = await discoverRules(client, 'ROUTING', ns, 'svc', got.routing.revision.value);
    assert.equal(changed.routing.inbounds.length, 1);
    assert.equal(changed.routing.inbounds[0].destinations[0].weight.value, 20);

    const del = await call(d.http, 'POST', '/naming/v1/routings/delete', [{ service: 'svc', namespace: ns }]);
    assert.equal(del.body.code, 200000);
    const gone = await discoverRules(client, 'ROUTING', ns, 'svc');
    assert.equal(gone.routing.revision.value, EMPTY);
    assert.equal((await call(d.http, 'PUT', '/naming/v1/routings', [v1(10)])).body.code, 400302);
  });
});
