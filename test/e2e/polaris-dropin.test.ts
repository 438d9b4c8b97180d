import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

/**
 * The wire gaps found when the daemon was driven as polaris 1.18 users drive polaris-server
 * (issue 15, sections 2, 3 and 5): per-item codes and echoes of instance batches, heartbeats of
 * unknown ids, service and alias answers, and Discover types 1.18.1 does not have.
 */

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

const u = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
const w = (value: unknown) => ({ value });

describe('instances', () => {
  test('delete by host of an unknown service answers 400301 per item; a mixed batch 400000 in request order', async () => {
    const ns = u();
    const reg = await call(d.http, 'POST', '/naming/v1/instances', [{ service: 'known', namespace: ns, host: '10.0.0.1', port: 80 }]);
    assert.equal(reg.body.code, 200000, reg.text);

    const unknown = await call(d.http, 'POST', '/naming/v1/instances/delete/host', [
      { service: 'nope', namespace: ns, host: '10.0.0.1' },
      { service: 'nope2', namespace: ns, host: '10.0.0.2' },
    ]);
    assert.equal(unknown.body.code, 400301, unknown.text);
    assert.deepEqual(unknown.body.responses.map((r: any) => r.code), [400301, 400301]);
    assert.equal(unknown.body.responses[1].instance.service, 'nope2');

    const mixed = await call(d.http, 'POST', '/naming/v1/instances/delete/host', [
      { service: 'nope', namespace: ns, host: '10.0.0.1' },
      { service: 'known', namespace: ns, host: '10.0.0.1' },
    ]);
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.code, 400000);
    assert.deepEqual(mixed.body.responses.map((r: any) => r.code), [400301, 200000]);
    assert.deepEqual(
      mixed.body.responses.map((r: any) => r.instance.service),
      ['nope', 'known'],
    );
    const left = await call(d.http, 'GET', `/naming/v1/instances?service=known&namespace=${ns}`);
    assert.equal(left.body.amount, 0, 'the good item of the mixed batch was applied');
  });

  test('a registration batch refused for one item by the core still writes the other; answers keep request order and ids', async () => {
    const ns = u();
    // An alias cannot hold instances: a core-level refusal, decided per item after validation.
    await call(d.http, 'POST', '/naming/v1/services', [{ name: 'target', namespace: ns }]);
    const al = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'target', namespace: ns, alias: 'al', alias_namespace: ns });
    assert.equal(al.body.code, 200000, al.text);
    const r = await call(d.http, 'POST', '/naming/v1/instances', [
      { service: 'al', namespace: ns, host: '10.1.0.1', port: 1 },
      { service: 'target', namespace: ns, host: '10.1.0.2', port: 2 },
    ]);
    assert.equal(r.body.code, 400000, r.text);
    const [bad, good] = r.body.responses;
    assert.notEqual(bad.code, 200000);
    assert.equal(good.code, 200000);
    assert.equal(bad.instance.host, '10.1.0.1');
    assert.match(bad.instance.id, /^[0-9a-f]{40}$/);
    assert.equal(good.instance.host, '10.1.0.2');
    assert.match(good.instance.id, /^[0-9a-f]{40}$/);
    assert.notEqual(bad.instance.id, good.instance.id);
    const l = await call(d.http, 'GET', `/naming/v1/instances?service=target&namespace=${ns}`);
    assert.deepEqual(l.body.instances.map((i: any) => i.id), [good.instance.id]);
  });

  test('heartbeats of an unknown id: the first four are answered 200000, later ones 400202 (per id)', async () => {
    const id = `unknown-${u()}`;
    const grpcCodes: number[] = [];
    for (let i = 0; i < 6; i++) grpcCodes.push((await unary(client, 'Heartbeat', { id: w(id) })).code.value);
    assert.deepEqual(grpcCodes, [200000, 200000, 200000, 200000, 400202, 400202]);

    // Another id has its own count, also over HTTP.
    const other = `unknown-${u()}`;
    const httpCodes: number[] = [];
    for (let i = 0; i < 5; i++) httpCodes.push((await call(d.http, 'POST', '/v1/Heartbeat', { id: other })).body.code);
    assert.deepEqual(httpCodes, [200000, 200000, 200000, 200000, 400202]);
  });
});

describe('services and aliases', () => {
  test('updating an unknown service or its token answers 400202', async () => {
    const ns = u();
    await call(d.http, 'POST', '/core/v1/namespaces', [{ name: ns }]);
    const upd = await call(d.http, 'PUT', '/naming/v1/services', [{ name: 'ghost', namespace: ns, comment: 'x' }]);
    assert.equal(upd.body.code, 400202, upd.text);
    assert.equal(upd.body.responses[0].code, 400202);
    const tok = await call(d.http, 'PUT', '/naming/v1/service/token', { name: 'ghost', namespace: ns });
    assert.equal(tok.body.code, 400202, tok.text);
  });

  test('an alias is created with its own token; updating it to the target it has answers 200002', async () => {
    const ns = u();
    const svc = await call(d.http, 'POST', '/naming/v1/services', [{ name: 'a', namespace: ns }, { name: 'b', namespace: ns }]);
    assert.equal(svc.body.code, 200000, svc.text);
    const targetToken = svc.body.responses[0].service.token;
    const created = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'a', namespace: ns, alias: 'al', alias_namespace: ns });
    assert.equal(created.body.code, 200000, created.text);
    const aliasToken = created.body.alias.service_token;
    assert.match(aliasToken, /^[0-9a-f]{32}$/);
    assert.notEqual(aliasToken, targetToken, "the alias's own token, not the target's");

    const same = await call(d.http, 'PUT', '/naming/v1/service/alias', { service: 'a', namespace: ns, alias: 'al', alias_namespace: ns });
    assert.equal(same.status, 200);
    assert.equal(same.body.code, 200002, same.text);
    assert.equal(same.body.alias.alias, 'al');

    const moved = await call(d.http, 'PUT', '/naming/v1/service/alias', { service: 'b', namespace: ns, alias: 'al', alias_namespace: ns });
    assert.equal(moved.body.code, 200000, moved.text);
    const list = await call(d.http, 'GET', `/naming/v1/service/aliases?alias_namespace=${ns}`);
    assert.equal(list.body.aliases[0].service, 'b');
  });
});

describe('Discover types 1.18.1 does not have', () => {
  for (const type of ['CUSTOM_ROUTE_RULE', 'NEARBY_ROUTE_RULE', 'LOSSLESS'] as const) {
    test(`${type} is answered 400004 with the type and service echoed, on a stream that stays open`, async () => {
      const ns = u();
      const stream = client.Discover();
      const answers: any[] = [];
      const waiters: ((a: any) => void)[] = [];
      stream.on('data', (a: any) => (waiters.length ? waiters.shift()!(a) : answers.push(a)));
      const next = () =>
        new Promise<any>((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`no answer within 3 s for ${type}`)), 3000);
          const done = (a: any) => {
            clearTimeout(timer);
            res(a);
          };
          if (answers.length) done(answers.shift());
          else waiters.push(done);
        });
      try {
        stream.write({ type, service: { name: w('svc'), namespace: w(ns) } });
        const a = await next();
        assert.equal(a.code.value, 400004);
        assert.equal(a.type, type);
        assert.equal(a.service.name.value, 'svc');
        assert.equal(a.service.namespace.value, ns);
        // The same stream still answers.
        stream.write({ type: 'SERVICES', service: { namespace: w('default') } });
        const b = await next();
        assert.equal(b.type, 'SERVICES');
        assert.equal(b.code.value, 200000);
      } finally {
        stream.end();
      }

      const http = await call(d.http, 'POST', '/v1/Discover', { type, service: { name: 'svc', namespace: ns } });
      assert.equal(http.body.code, 400004, http.text);
      assert.equal(http.body.type, type);
      assert.equal(http.body.service.name, 'svc');
    });
  }
});
