import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient } from '../helpers/grpc-client.js';
import { code, createServices, discoverRules, httpDiscover, uniq } from '../helpers/rules.js';

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

function cbRule(name: string, ns: string, dst: { service: string; namespace: string }, extra: Record<string, unknown> = {}) {
  return {
    name,
    namespace: ns,
    enable: true,
    level: 'SERVICE',
    description: 'trip on errors',
    rule_matcher: { source: { service: '*', namespace: '*' }, destination: dst },
    error_conditions: [{ input_type: 'RET_CODE', condition: { type: 'EXACT', value: '500' } }],
    trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 10 }],
    max_ejection_percent: 50,
    recoverCondition: { sleep_window: 60, consecutiveSuccess: 3 },
    faultDetectConfig: { enable: true },
    fallbackConfig: { enable: true, response: { code: 503, headers: [{ key: 'x', value: 'y' }], body: 'down' } },
    ...extra,
  };
}

function fdRule(name: string, ns: string, target: { service: string; namespace: string }) {
  return {
    name,
    namespace: ns,
    description: 'probe',
    target_service: target,
    interval: 10,
    timeout: 1000,
    port: 8080,
    protocol: 'HTTP',
    http_config: { method: 'GET', url: '/health', headers: [{ key: 'a', value: 'b' }], body: '' },
  };
}

const ruleIds = (r: any, field: 'circuitBreaker' | 'faultDetector') => (r[field]?.rules ?? []).map((x: any) => x.id).sort();

describe('circuit-breaker rules through Discover CIRCUIT_BREAKER', () => {
  it('service, namespace-wildcard and global rules apply as polaris matches them', async () => {
    const ns = uniq('cb');
    const other = uniq('cb2');
    await createServices(d.http, ns, ['pay', 'cart']);
    const post = (rules: unknown[]) => call(d.http, 'POST', '/naming/v1/circuitbreaker/rules', rules);
    const created = await post([
      cbRule(uniq('exact'), ns, { service: 'pay', namespace: ns }),
      cbRule(uniq('nsw'), ns, { service: '*', namespace: ns }),
      cbRule(uniq('all'), ns, { service: '*', namespace: '*' }),
    ]);
    assert.equal(created.body.code, 200000, created.text);
    const [exact, nsWide, global] = created.body.responses.map((r: any) => {
      assert.equal(r.data['@type'], 'type.googleapis.com/v1.CircuitBreakerRule');
      return r.data.id as string;
    });

    const pay = await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'pay');
    assert.equal(code(pay), 200000);
    assert.deepEqual(ruleIds(pay, 'circuitBreaker'), [exact, nsWide, global].sort());
    assert.equal(pay.circuitBreaker.service.value, 'pay');
    assert.equal(pay.circuitBreaker.service_namespace.value, ns);
    const full = pay.circuitBreaker.rules.find((r: any) => r.id === exact);
    assert.equal(full.enable, true);
    assert.equal(full.fallbackConfig.response.body, 'down');
    assert.equal(full.rule_matcher.destination.service, 'pay');
    const rev = pay.circuitBreaker.revision.value;
    assert.equal(pay.service.revision.value, rev);

    const cart = await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'cart');
    assert.deepEqual(ruleIds(cart, 'circuitBreaker'), [nsWide, global].sort());
    const elsewhere = await discoverRules(client, 'CIRCUIT_BREAKER', other, 'ghost');
    assert.deepEqual(ruleIds(elsewhere, 'circuitBreaker'), [global], 'an unknown service still gets the global rule');

    assert.equal(code(await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'pay', rev)), 200001);

    // Update never changes `enable` (v1.18.1); the enable route does.
    const name = pay.circuitBreaker.rules.find((r: any) => r.id === exact).name;
    const upd = await call(d.http, 'PUT', '/naming/v1/circuitbreaker/rules', [
      { ...cbRule(name, ns, { service: 'pay', namespace: ns }, { enable: false, max_ejection_percent: 80 }), id: exact },
    ]);
    assert.equal(upd.body.code, 200000, upd.text);
    assert.equal(upd.body.responses[0].data.id, exact);
    assert.equal(upd.body.responses[0].data.name, '', 'an update answers only the id, as polaris');
    const afterUpd = await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'pay', rev);
    assert.equal(code(afterUpd), 200000);
    const updated = afterUpd.circuitBreaker.rules.find((r: any) => r.id === exact);
    assert.equal(updated.enable, true, 'update kept enable');
    assert.equal(updated.max_ejection_percent, 80);

    const off = await call(d.http, 'PUT', '/naming/v1/circuitbreaker/rules/enable', [{ id: exact, enable: false }]);
    assert.equal(off.body.code, 200000, off.text);
    const disabled = await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'pay', afterUpd.circuitBreaker.revision.value);
    assert.equal(code(disabled), 200000);
    assert.equal(disabled.circuitBreaker.rules.find((r: any) => r.id === exact).enable ?? false, false);
    const listed = await call(d.http, 'GET', `/naming/v1/circuitbreaker/rules?id=${exact}`);
    assert.equal(listed.body.amount, 1);
    assert.equal(listed.body.data[0].enable, false);
    assert.equal(listed.body.data[0].level, 'SERVICE');

    const http = await httpDiscover(d.http, 'CIRCUIT_BREAKER', ns, 'pay');
    assert.equal(http.code, 200000);
    assert.equal(http.circuitBreaker.revision, disabled.circuitBreaker.revision.value);

    const del = await call(d.http, 'POST', '/naming/v1/circuitbreaker/rules/delete', [{ id: exact }, { id: nsWide }, { id: global }]);
    assert.equal(del.body.code, 200000);
    const gone = await discoverRules(client, 'CIRCUIT_BREAKER', ns, 'pay', disabled.circuitBreaker.revision.value);
    assert.equal(code(gone), 200000);
    assert.equal(gone.circuitBreaker ?? null, null, 'no rules left: the skeleton only');
  });

  it('answers invalid input with polaris codes', async () => {
    const ns = uniq('cbbad');
    const post = (b: unknown) => call(d.http, 'POST', '/naming/v1/circuitbreaker/rules', b);
    const name = uniq('dup');
    assert.equal((await post([cbRule(name, ns, { service: 'a', namespace: ns })])).body.code, 200000);
    assert.equal((await post([cbRule(name, ns, { service: 'b', namespace: ns })])).body.code, 400209, 'name taken');
    assert.equal((await post([cbRule('', ns, { service: 'a', namespace: ns })])).body.code, 400162);
    assert.equal((await post([cbRule('n'.repeat(65), ns, { service: 'a', namespace: ns })])).body.code, 400162);
    assert.equal((await post([cbRule('x', ns, { service: 'a', namespace: ns }, { description: 'd'.repeat(1025) })])).body.code, 400128);
    const put = (b: unknown) => call(d.http, 'PUT', '/naming/v1/circuitbreaker/rules', b);
    assert.equal((await put([cbRule('x', ns, { service: 'a', namespace: ns })])).body.code, 400160);
    assert.equal((await put([{ ...cbRule('x', ns, { service: 'a', namespace: ns }), id: 'nope' }])).body.code, 400308);
    const enable = await call(d.http, 'PUT', '/naming/v1/circuitbreaker/rules/enable', [{ id: 'nope', enable: true }]);
    assert.equal(enable.body.code, 400308);
    assert.equal((await call(d.http, 'POST', '/naming/v1/circuitbreaker/rules/delete', [{ id: 'nope' }])).body.code, 200000);
    assert.equal((await call(d.http, 'GET', '/naming/v1/circuitbreaker/rules?bogus=1')).body.code, 400103);
  });

  it('the deprecated v1 circuit-breaker routes answer 400000 "API is Deprecated"', async () => {
    const batch = await call(d.http, 'POST', '/naming/v1/circuitbreakers', [{ name: 'x' }]);
    assert.equal(batch.status, 400);
    assert.equal(batch.body.code, 400000);
    assert.equal(batch.body.info, 'bad request: API is Deprecated');
    assert.equal(batch.headers.get('x-polaris-code'), '400000');
    const release = await call(d.http, 'POST', '/naming/v1/circuitbreakers/release', [{}]);
    assert.equal(release.body.code, 400000);
    const query = await call(d.http, 'GET', '/naming/v1/circuitbreaker?id=1&version=1');
    assert.equal(query.body.code, 400000);
    assert.equal(query.body.info, 'bad request: API is Deprecated');
    const token = await call(d.http, 'GET', '/naming/v1/circuitbreaker/token?id=1');
    assert.equal(token.body.code, 400000);
    const malformed = await call(d.http, 'POST', '/naming/v1/circuitbreakers', '{');
    assert.equal(malformed.body.code, 400001, 'the body is still read first');
  });
});

describe('fault-detect rules through Discover FAULT_DETECTOR', () => {
  it('create, see, change and delete; wildcard targets apply too', async () => {
    const ns = uniq('fd');
    await createServices(d.http, ns, ['db']);
    const post = (b: unknown) => call(d.http, 'POST', '/naming/v1/faultdetectors', b);
    const created = await post([fdRule(uniq('probe'), ns, { service: 'db', namespace: ns }), fdRule(uniq('all'), ns, { service: '*', namespace: ns })]);
    assert.equal(created.body.code, 200000, created.text);
    const [exact, nsWide] = created.body.responses.map((r: any) => r.data.id as string);

    const got = await discoverRules(client, 'FAULT_DETECTOR', ns, 'db');
    assert.equal(code(got), 200000);
    assert.equal(got.type, 'FAULT_DETECTOR');
    assert.deepEqual(ruleIds(got, 'faultDetector'), [exact, nsWide].sort());
    const rule = got.faultDetector.rules.find((r: any) => r.id === exact);
    assert.equal(rule.protocol, 'HTTP');
    assert.equal(rule.http_config.url, '/health');
    const rev = got.faultDetector.revision;
    assert.equal(got.service.revision.value, rev);
    assert.equal(code(await discoverRules(client, 'FAULT_DETECTOR', ns, 'db', rev)), 200001);

    const name = rule.name;
    const upd = await call(d.http, 'PUT', '/naming/v1/faultdetectors', [{ ...fdRule(name, ns, { service: 'db', namespace: ns }), id: exact, interval: 30 }]);
    assert.equal(upd.body.code, 200000, upd.text);
    const changed = await discoverRules(client, 'FAULT_DETECTOR', ns, 'db', rev);
    assert.equal(code(changed), 200000);
    assert.equal(changed.faultDetector.rules.find((r: any) => r.id === exact).interval, 30);

    const listed = await call(d.http, 'GET', `/naming/v1/faultdetectors?namespace=${ns}&dstService=db`);
    assert.equal(listed.body.amount, 1);
    assert.equal(listed.body.data[0]['@type'], 'type.googleapis.com/v1.FaultDetectRule');

    const http = await httpDiscover(d.http, 'FAULT_DETECTOR', ns, 'db');
    assert.equal(http.faultDetector.revision, changed.faultDetector.revision);

    assert.equal((await post([fdRule(name, ns, { service: 'db', namespace: ns })])).body.code, 400903, 'name taken');
    assert.equal((await post([fdRule('', ns, { service: 'db', namespace: ns })])).body.code, 400162);
    const missing = await call(d.http, 'PUT', '/naming/v1/faultdetectors', [{ ...fdRule('x', ns, { service: 'db', namespace: ns }), id: 'nope' }]);
    assert.equal(missing.body.code, 400202);

    await call(d.http, 'POST', '/naming/v1/faultdetectors/delete', [{ id: exact }, { id: nsWide }]);
    const gone = await discoverRules(client, 'FAULT_DETECTOR', ns, 'db', changed.faultDetector.revision);
    assert.equal(code(gone), 200000);
    assert.equal(gone.faultDetector ?? null, null);
  });
});
