import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';

let d: Daemon;
const u = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.stop();
});

describe('namespaces over /core/v1 and /naming/v1', () => {
  test('first start seeds Polaris and default, and polaris.checker', async () => {
    const r = await call(d.http, 'GET', '/core/v1/namespaces?limit=100');
    assert.equal(r.status, 200);
    const names = r.body.namespaces.map((n: any) => n.name);
    assert.ok(names.includes('Polaris') && names.includes('default'), names.join(','));
    const s = await call(d.http, 'GET', '/naming/v1/services?namespace=Polaris&name=polaris.checker');
    assert.equal(s.body.amount, 1);
  });

  test('create, duplicate, list with wildcard, update, delete', async () => {
    const name = u();
    const c = await call(d.http, 'POST', '/core/v1/namespaces', [{ name, comment: 'c1', owners: 'alice', metadata: { a: '1' } }]);
    assert.equal(c.status, 200);
    assert.equal(c.body.code, 200000);
    assert.equal(c.body.responses[0].namespace.name, name);
    assert.match(c.body.responses[0].namespace.token, /^[0-9a-f]{32}$/);

    const dup = await call(d.http, 'POST', '/core/v1/namespaces', [{ name }]);
    assert.equal(dup.status, 400);
    assert.equal(dup.body.code, 400201);
    assert.equal(dup.headers.get('x-polaris-code'), '400201');
    assert.equal(dup.headers.get('x-polaris-message'), 'existed resource');

    const l = await call(d.http, 'GET', `/naming/v1/namespaces?name=${name.slice(0, 6)}*`);
    assert.ok(l.body.namespaces.some((n: any) => n.name === name && n.comment === 'c1' && n.owners === 'alice'));
    assert.ok(l.body.summary);

    const up = await call(d.http, 'PUT', '/core/v1/namespaces', [{ name, comment: 'c2' }]);
    assert.equal(up.body.code, 200000);
    const l2 = await call(d.http, 'GET', `/core/v1/namespaces?name=${name}`);
    assert.equal(l2.body.namespaces[0].comment, 'c2');

    const del = await call(d.http, 'POST', '/core/v1/namespaces/delete', [{ name }]);
    assert.equal(del.body.code, 200000);
    const l3 = await call(d.http, 'GET', `/core/v1/namespaces?name=${name}`);
    assert.equal(l3.body.amount, 0);
  });

  test('delete is refused while services exist (400203)', async () => {
    const ns = u();
    await call(d.http, 'POST', '/core/v1/namespaces', [{ name: ns }]);
    await call(d.http, 'POST', '/naming/v1/services', [{ name: 'svc', namespace: ns }]);
    const del = await call(d.http, 'POST', '/core/v1/namespaces/delete', [{ name: ns }]);
    assert.equal(del.status, 400);
    assert.equal(del.body.responses[0].code, 400203);
  });

  test('illegal and over-long names are refused with 400110', async () => {
    const bad = await call(d.http, 'POST', '/core/v1/namespaces', [{ name: 'bad name!' }]);
    assert.equal(bad.body.responses[0].code, 400110);
    const long = await call(d.http, 'POST', '/core/v1/namespaces', [{ name: 'x'.repeat(65) }]);
    assert.equal(long.body.responses[0].code, 400110);
  });
});

describe('services and aliases', () => {
  test('create auto-creates the namespace, list filters, update, owners, count, delete', async () => {
    const ns = u();
    const c = await call(d.http, 'POST', '/naming/v1/services', [
      { name: 'echo-server', namespace: ns, business: 'Demo', department: 'infra', metadata: { lang: 'go' }, owners: 'bob' },
    ]);
    assert.equal(c.body.code, 200000, c.text);
    const created = c.body.responses[0].service;
    assert.match(created.id, /^[0-9a-f]{32}$/);
    assert.match(created.token, /^[0-9a-f]{32}$/);

    const dup = await call(d.http, 'POST', '/naming/v1/services', [{ name: 'echo-server', namespace: ns }]);
    assert.equal(dup.body.responses[0].code, 400201);
    assert.equal(dup.body.responses[0].service.id, created.id);

    const nsList = await call(d.http, 'GET', `/core/v1/namespaces?name=${ns}`);
    assert.equal(nsList.body.amount, 1);

    for (const q of [`namespace=${ns}`, `namespace=${ns}&name=echo*`, `namespace=${ns}&name=*server`, `namespace=${ns}&business=demo`, `namespace=${ns}&keys=lang&values=go`]) {
      const l = await call(d.http, 'GET', `/naming/v1/services?${q}`);
      assert.equal(l.body.amount, 1, q);
      assert.equal(l.body.services[0].name, 'echo-server');
      assert.equal(l.body.services[0].token, null, 'the list never shows tokens');
    }
    const none = await call(d.http, 'GET', `/naming/v1/services?namespace=${ns}&keys=lang&values=java`);
    assert.equal(none.body.amount, 0);

    const bad = await call(d.http, 'GET', `/naming/v1/services?color=red`);
    assert.equal(bad.body.code, 400103);

    const up = await call(d.http, 'PUT', '/naming/v1/services', [{ name: 'echo-server', namespace: ns, comment: 'new' }]);
    assert.equal(up.body.code, 200000);
    const same = await call(d.http, 'PUT', '/naming/v1/services', [{ name: 'echo-server', namespace: ns, comment: 'new' }]);
    assert.equal(same.body.responses[0].code, 200002);

    const owners = await call(d.http, 'POST', '/naming/v1/service/owner', [{ name: 'echo-server', namespace: ns }]);
    assert.equal(owners.body.services[0].owners, 'bob');

    const all = await call(d.http, 'GET', `/naming/v1/services/all?namespace=${ns}`);
    assert.equal(all.body.services.length, 1);
    const count = await call(d.http, 'GET', '/naming/v1/services/count');
    assert.ok(count.body.amount >= 2);

    const del = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'echo-server', namespace: ns }]);
    assert.equal(del.body.code, 200000);
    const after = await call(d.http, 'GET', `/naming/v1/services?namespace=${ns}`);
    assert.equal(after.body.amount, 0);
  });

  test('aliases: create, list, refuse deleting an aliased service, delete', async () => {
    const ns = u();
    await call(d.http, 'POST', '/naming/v1/services', [{ name: 'src', namespace: ns }]);
    const a = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'src', namespace: ns, alias: 'src-alias', alias_namespace: ns });
    assert.equal(a.body.code, 200000, a.text);
    const l = await call(d.http, 'GET', `/naming/v1/service/aliases?alias_namespace=${ns}`);
    assert.equal(l.body.aliases.length, 1);
    assert.equal(l.body.aliases[0].service, 'src');
    const del = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'src', namespace: ns }]);
    assert.equal(del.body.responses[0].code, 400210);
    const miss = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'nope', namespace: ns, alias: 'x', alias_namespace: ns });
    assert.equal(miss.body.code, 400306);
    const da = await call(d.http, 'POST', '/naming/v1/service/aliases/delete', [{ alias: 'src-alias', alias_namespace: ns }]);
    assert.equal(da.body.code, 200000);
    const del2 = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'src', namespace: ns }]);
    assert.equal(del2.body.code, 200000);
  });
});

describe('instances', () => {
  test('create is an upsert with the id rule and defaults; list, update, count, labels, delete', async () => {
    const ns = u();
    const inst = { service: 'echo', namespace: ns, host: '10.0.0.11', port: 8080, protocol: 'http', metadata: { env: 'dev' } };
    const c = await call(d.http, 'POST', '/naming/v1/instances', [inst]);
    assert.equal(c.body.code, 200000, c.text);
    const id = c.body.responses[0].instance.id;
    assert.match(id, /^[0-9a-f]{40}$/);

    const again = await call(d.http, 'POST', '/naming/v1/instances', [{ ...inst, metadata: { env: 'prod' } }]);
    assert.equal(again.body.code, 200000, 'create is an upsert');
    assert.equal(again.body.responses[0].instance.id, id);

    const l = await call(d.http, 'GET', `/naming/v1/instances?service=echo&namespace=${ns}`);
    assert.equal(l.body.amount, 1);
    const got = l.body.instances[0];
    assert.equal(got.weight, 100);
    assert.equal(got.healthy, true);
    assert.equal(got.isolate, false);
    assert.equal(got.metadata.env, 'prod');
    assert.match(got.service_token, /^[0-9a-f]{32}$/);
    assert.match(got.ctime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const up = await call(d.http, 'PUT', '/naming/v1/instances', [{ id, weight: 50, isolate: true }]);
    assert.equal(up.body.code, 200000, up.text);
    const l2 = await call(d.http, 'GET', `/naming/v1/instances?id=${id}`);
    assert.equal(l2.body.instances[0].weight, 50);
    assert.equal(l2.body.instances[0].isolate, true);
    const kept = await call(d.http, 'POST', '/naming/v1/instances', [inst]);
    assert.equal(kept.body.code, 200000);
    const l3 = await call(d.http, 'GET', `/naming/v1/instances?id=${id}`);
    assert.equal(l3.body.instances[0].isolate, true, 'isolate is kept when an upsert does not send it');

    const missing = await call(d.http, 'PUT', '/naming/v1/instances', [{ id: 'f'.repeat(40), weight: 1 }]);
    assert.equal(missing.body.responses[0].code, 400303);

    const labels = await call(d.http, 'GET', `/naming/v1/instances/labels?service=echo&namespace=${ns}`);
    assert.deepEqual(labels.body.instanceLabels.labels.env.values, ['dev']);

    const count = await call(d.http, 'GET', '/naming/v1/instances/count');
    assert.ok(count.body.amount >= 1);

    const del = await call(d.http, 'POST', '/naming/v1/instances/delete', [{ service: 'echo', namespace: ns, host: '10.0.0.11', port: 8080 }]);
    assert.equal(del.body.code, 200000);
    const l4 = await call(d.http, 'GET', `/naming/v1/instances?service=echo&namespace=${ns}`);
    assert.equal(l4.body.amount, 0, 'a delete is visible at once');
    const delAgain = await call(d.http, 'POST', '/naming/v1/instances/delete', [{ id }]);
    assert.equal(delAgain.body.code, 200000, 'deleting what is gone succeeds');
  });

  test('delete and isolate by host', async () => {
    const ns = u();
    await call(d.http, 'POST', '/naming/v1/instances', [
      { service: 's', namespace: ns, host: '1.1.1.1', port: 1 },
      { service: 's', namespace: ns, host: '1.1.1.1', port: 2 },
      { service: 's', namespace: ns, host: '2.2.2.2', port: 1 },
    ]);
    const iso = await call(d.http, 'PUT', '/naming/v1/instances/isolate/host', [{ service: 's', namespace: ns, host: '1.1.1.1', isolate: true }]);
    assert.equal(iso.body.code, 200000, iso.text);
    const l = await call(d.http, 'GET', `/naming/v1/instances?service=s&namespace=${ns}&isolate=true`);
    assert.equal(l.body.amount, 2);
    const del = await call(d.http, 'POST', '/naming/v1/instances/delete/host', [{ service: 's', namespace: ns, host: '1.1.1.1' }]);
    assert.equal(del.body.code, 200000);
    const l2 = await call(d.http, 'GET', `/naming/v1/instances?service=s&namespace=${ns}`);
    assert.equal(l2.body.amount, 1);
  });

  test('a mixed batch: the good item is written, each answer in request order echoes its request and id', async () => {
    const ns = u();
    const r = await call(d.http, 'POST', '/naming/v1/instances', [
      { service: 's', namespace: ns, host: '1.1.1.1', port: 1 },
      { service: 's', namespace: ns, host: '', port: 2 },
      { service: 's', namespace: ns, host: '1.1.1.3', port: 70000 },
    ]);
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 400000);
    assert.deepEqual(r.body.responses.map((x: any) => x.code), [200000, 400131, 400132]);
    const [good, noHost, badPort] = r.body.responses.map((x: any) => x.instance);
    assert.match(good.id, /^[0-9a-f]{40}$/);
    assert.equal(good.host, '1.1.1.1');
    assert.equal(noHost.port, 2, 'a refused item echoes its request');
    assert.equal(badPort.host, '1.1.1.3');
    assert.match(badPort.id, /^[0-9a-f]{40}$/, 'the id is computed wherever the key fields allow');
    const l = await call(d.http, 'GET', `/naming/v1/instances?namespace=${ns}`);
    assert.equal(l.body.amount, 1);
    assert.equal(l.body.instances[0].id, good.id);
  });

  test('list needs a filter (400104) and rejects unknown keys (400103)', async () => {
    assert.equal((await call(d.http, 'GET', '/naming/v1/instances')).body.code, 400104);
    assert.equal((await call(d.http, 'GET', '/naming/v1/instances?service=a&color=b')).body.code, 400103);
    assert.equal((await call(d.http, 'GET', '/naming/v1/instances?service=a&keys=x')).body.code, 400105);
  });
});

describe('bad input never hurts the server', () => {
  test('malformed JSON, wrong types, empty and over-long batches, unknown fields, unknown routes', async () => {
    const mal = await call(d.http, 'POST', '/core/v1/namespaces', '[{"name": ');
    assert.equal(mal.status, 400);
    assert.equal(mal.body.code, 400001);
    const wrongType = await call(d.http, 'POST', '/core/v1/namespaces', [{ name: 7 }]);
    assert.equal(wrongType.body.code, 400001);
    const empty = await call(d.http, 'POST', '/core/v1/namespaces', []);
    assert.equal(empty.body.code, 400002);
    const big = await call(d.http, 'POST', '/core/v1/namespaces', Array.from({ length: 101 }, (_, n) => ({ name: `n${n}` })));
    assert.equal(big.body.code, 400003);
    const unknown = await call(d.http, 'POST', '/core/v1/namespaces', [{ name: 'x', colour: 'red' }]);
    assert.equal(unknown.body.code, 400001);
    const nf = await call(d.http, 'GET', '/no/such/route');
    assert.equal(nf.status, 404);
    // A body over the limit is refused with 413; the server may cut the upload short, which the
    // client can see as a reset instead of the answer.
    const huge = await call(d.http, 'POST', '/core/v1/namespaces', `[{"name":"${'x'.repeat(20 * 1024 * 1024)}"}]`).catch(
      (err: Error) => ({ status: 413, reset: err.message }),
    );
    assert.equal(huge.status, 413);
    // still alive
    assert.equal((await call(d.http, 'GET', '/')).status, 200);
  });
});
