import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { discoverOnce, polarisClient, unary } from '../helpers/grpc-client.js';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const w = (value: unknown) => ({ value });

test('an SDK lifecycle: report client, register, heartbeat, discover with revisions, deregister', async () => {
  const ns = `sdk${Date.now()}`;
  const rc = await unary(client, 'ReportClient', { host: w('127.0.0.1'), version: w('1.5.0'), type: 'SDK', id: w('client-1') });
  assert.equal(rc.code.value, 200000);

  const inst = {
    service: w('orders'),
    namespace: w(ns),
    host: w('10.1.1.1'),
    port: w(9000),
    protocol: w('grpc'),
    version: w('2.0'),
    enable_health_check: w(true),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } },
    metadata: { zone: 'a' },
  };
  const reg = await unary(client, 'RegisterInstance', inst);
  assert.equal(reg.code.value, 200000, JSON.stringify(reg));
  const id = reg.instance.id.value;
  assert.match(id, /^[0-9a-f]{40}$/);

  // Visible to Discover at once (no 1 s cache poll).
  const first = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('orders'), namespace: w(ns) } });
  assert.equal(first.code.value, 200000);
  assert.equal(first.type, 'INSTANCE');
  assert.equal(first.service.name.value, 'orders');
  assert.equal(first.instances.length, 1);
  assert.equal(first.instances[0].metadata.protocol, 'grpc', 'derived metadata keys are added for SDKs');
  assert.equal(first.instances[0].metadata.version, '2.0');
  const revision = first.service.revision.value;

  const hb = await unary(client, 'Heartbeat', { id: w(id) });
  assert.equal(hb.code.value, 200000);

  const same = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('orders'), namespace: w(ns), revision: w(revision) } });
  assert.equal(same.code.value, 200001);
  assert.equal((same.instances ?? []).length, 0);

  const unknown = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('nope'), namespace: w(ns) } });
  assert.equal(unknown.code.value, 400202);
  assert.equal(unknown.service.name.value, 'nope');

  const lane = await discoverOnce(client, { type: 'LANE', service: { name: w('orders'), namespace: w(ns) } });
  assert.equal(lane.type, 'LANE', 'unsupported types are answered with the requested type');

  const dereg = await unary(client, 'DeregisterInstance', { id: w(id) });
  assert.equal(dereg.code.value, 200000);
  const gone = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('orders'), namespace: w(ns) } });
  assert.equal((gone.instances ?? []).length, 0, 'a deregister is visible at once');
  assert.notEqual(gone.service.revision.value, revision);
});

test('an instance without beats turns unhealthy after 3×TTL, healthy again on its next beat', async () => {
  const ns = `ttl${Date.now()}`;
  const reg = await unary(client, 'RegisterInstance', {
    service: w('pay'),
    namespace: w(ns),
    host: w('10.2.2.2'),
    port: w(80),
    enable_health_check: w(true),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } },
  });
  const id = reg.instance.id.value;
  assert.equal((await unary(client, 'Heartbeat', { id: w(id) })).code.value, 200000, 'a beat right after register is accepted');
  const healthyOf = async () => (await call(d.http, 'GET', `/naming/v1/instances?id=${id}`)).body.instances[0].healthy;
  assert.equal(await healthyOf(), true);
  let turned = false;
  for (let i = 0; i < 60 && !turned; i++) {
    await sleep(200);
    turned = (await healthyOf()) === false;
  }
  assert.ok(turned, 'unhealthy after missing beats');
  const disc = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('pay'), namespace: w(ns) } });
  // proto3 leaves a false value out of the wrapper: present wrapper, no value.
  assert.ok(disc.instances[0].healthy, 'the healthy wrapper is sent');
  assert.equal(disc.instances[0].healthy.value ?? false, false, 'still registered, seen unhealthy');
  await unary(client, 'Heartbeat', { id: w(id) });
  let back = false;
  for (let i = 0; i < 30 && !back; i++) {
    await sleep(100);
    back = (await healthyOf()) === true;
  }
  assert.ok(back, 'healthy again after a beat');
});

test('the server registers itself as Polaris/polaris.checker on its service-grpc port', async () => {
  const disc = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('polaris.checker'), namespace: w('Polaris') } });
  assert.equal(disc.code.value, 200000);
  assert.ok(disc.instances.some((i: any) => i.port.value === d.ports.grpc && i.metadata.protocol === 'grpc'));
});

test('client HTTP routes answer as the gRPC ones', async () => {
  const ns = `http${Date.now()}`;
  const r = await call(d.http, 'POST', '/v1/RegisterInstance', { service: 'web', namespace: ns, host: '10.3.3.3', port: 8080 });
  assert.equal(r.body.code, 200000, r.text);
  const disc = await call(d.http, 'POST', '/v1/Discover', { type: 'INSTANCE', service: { name: 'web', namespace: ns } });
  assert.equal(disc.body.code, 200000);
  assert.equal(disc.body.instances.length, 1);
  const hb = await call(d.http, 'POST', '/v1/Heartbeat', { id: r.body.instance.id });
  assert.equal(hb.body.code, 200000);
  const de = await call(d.http, 'POST', '/v1/DeregisterInstance', { id: r.body.instance.id });
  assert.equal(de.body.code, 200000);
});

test('reported clients become Prometheus targets and expire after 3×clientCheckTtl without reports', async () => {
  const id = `client-${Date.now()}`;
  const rc = await unary(client, 'ReportClient', {
    host: w('10.9.9.9'),
    type: 'SDK',
    version: w('1.0'),
    id: w(id),
    stat: [{ target: w('prometheus'), port: w(9100), path: w('/metrics'), protocol: w('http') }],
  });
  assert.equal(rc.code.value, 200000);
  const plain = await call(d.http, 'GET', '/prometheus/v1/clients');
  const mine = plain.body.find((t: any) => t.labels.__meta_polaris_client_id === id);
  assert.deepEqual(mine, { targets: ['10.9.9.9:9100'], labels: { __metrics_path__: '/metrics', __scheme__: 'http', __meta_polaris_client_id: id } });
  const wrapped = await call(d.http, 'GET', '/core/v1/clients');
  assert.equal(wrapped.body.Code, 200000);
  assert.ok(wrapped.body.Response.some((t: any) => t.labels.__meta_polaris_client_id === id));
  assert.ok(
    wrapped.body.Response.some((t: any) => t.targets[0] === `127.0.0.1:${d.ports.http}`),
    'the server lists its own nodes too',
  );
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    await sleep(200);
    const now = await call(d.http, 'GET', '/prometheus/v1/clients');
    gone = !now.body.some((t: any) => t.labels.__meta_polaris_client_id === id);
  }
  assert.ok(gone, 'a client that stopped reporting is removed');
});

test('async-regis answers at once and the instance appears', async () => {
  const ns = `async${Date.now()}`;
  const reg = await unary(client, 'RegisterInstance', {
    service: w('bg'),
    namespace: w(ns),
    host: w('10.4.4.4'),
    port: w(1),
    metadata: { 'async-regis': 'true' },
  });
  assert.equal(reg.code.value, 200000);
  let seen = 0;
  for (let i = 0; i < 20 && seen === 0; i++) {
    const disc = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('bg'), namespace: w(ns) } });
    seen = (disc.instances ?? []).length;
    if (!seen) await sleep(50);
  }
  assert.equal(seen, 1);
});

test('a service exported to another namespace is discoverable there', async () => {
  const home = `home${Date.now()}`;
  const guest = `guest${Date.now()}`;
  await call(d.http, 'POST', '/core/v1/namespaces', [{ name: guest }]);
  const c = await call(d.http, 'POST', '/naming/v1/services', [{ name: 'shared', namespace: home, export_to: [guest] }]);
  assert.equal(c.body.code, 200000, c.text);
  await unary(client, 'RegisterInstance', { service: w('shared'), namespace: w(home), host: w('10.5.5.5'), port: w(7) });
  const there = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('shared'), namespace: w(guest) } });
  assert.equal(there.code.value, 200000);
  assert.equal(there.service.namespace.value, guest);
  assert.equal(there.instances.length, 1);
  const elsewhere = await discoverOnce(client, { type: 'INSTANCE', service: { name: w('shared'), namespace: w('default') } });
  assert.equal(elsewhere.code.value, 400202, 'not exported to default');
});
