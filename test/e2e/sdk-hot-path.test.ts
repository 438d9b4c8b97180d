/**
 * The SDK hot path's shortcuts seen from a real SDK-style client (protobufjs over grpc-js) against
 * the started daemon: Heartbeat answers written from the request's own bytes, Discover answers
 * served pre-encoded, and neither ever serving stale data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
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

const w = (value: unknown) => ({ value });

test('a Heartbeat answer carries the instance exactly as sent', async () => {
  const inst = {
    service: w('beats'),
    namespace: w('default'),
    host: w('10.9.0.1'),
    port: w(7001),
    enable_health_check: w(true),
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } },
  };
  const reg = await unary(client, 'RegisterInstance', inst);
  assert.equal(reg.code.value, 200000, JSON.stringify(reg));
  const beat = { ...inst, metadata: { 'x-k': 'v' }, service_token: w('tok'), weight: w(7) };
  for (let i = 0; i < 3; i++) {
    const hb = await unary(client, 'Heartbeat', beat);
    assert.equal(hb.code.value, 200000);
    assert.equal(hb.info.value, 'execute success');
    assert.equal(hb.instance.service.value, 'beats');
    assert.equal(hb.instance.namespace.value, 'default');
    assert.equal(hb.instance.host.value, '10.9.0.1');
    assert.equal(hb.instance.port.value, 7001);
    assert.equal(hb.instance.weight.value, 7);
    assert.equal(hb.instance.service_token.value, 'tok');
    assert.deepEqual(hb.instance.metadata, { 'x-k': 'v' });
  }
  // A refused beat carries the instance as sent too, under its own code.
  const bad = await unary(client, 'Heartbeat', { service: w('beats'), namespace: w('default'), host: w('10.9.0.1') });
  assert.notEqual(bad.code.value, 200000);
  assert.match(bad.info.value, /port/i);
  assert.equal(bad.instance.host.value, '10.9.0.1');
  assert.equal(bad.instance.port ?? null, null);
  const byId = await unary(client, 'Heartbeat', { id: w(reg.instance.id.value) });
  assert.equal(byId.code.value, 200000);
  assert.deepEqual(Object.keys(byId.instance).filter((k) => byId.instance[k] !== null), ['id']);
});

test('pre-encoded Discover answers follow every change at once, on every stream', async () => {
  const svc = { name: w('hot'), namespace: w('default') };
  const add = async (i: number) => {
    const r = await unary(client, 'RegisterInstance', { service: svc.name, namespace: svc.namespace, host: w(`10.8.0.${i}`), port: w(80), metadata: { n: String(i) } });
    assert.equal(r.code.value, 200000, JSON.stringify(r));
    return r.instance.id.value as string;
  };
  const ids = [await add(1), await add(2)];
  const other = polarisClient(d.ports.grpc);
  try {
    let revision = '';
    for (let round = 3; round <= 8; round++) {
      // The same answer twice on each of two connections (the later ones come from the cache).
      const answers = [];
      for (const c of [client, other, client, other]) answers.push(await discoverOnce(c, { type: 'INSTANCE', service: svc }));
      for (const a of answers) {
        assert.equal(a.code.value, 200000);
        assert.equal(a.service.revision.value, answers[0].service.revision.value);
        assert.deepEqual(a.instances.map((x: any) => x.id.value).sort(), [...ids].sort());
        for (const x of a.instances) assert.equal(`10.8.0.${x.metadata.n}`, x.host.value);
      }
      assert.notEqual(answers[0].service.revision.value, revision, 'every change is a new revision');
      revision = answers[0].service.revision.value;
      const same = await discoverOnce(other, { type: 'INSTANCE', service: { ...svc, revision: w(revision) } });
      assert.equal(same.code.value, 200001);
      // Read-your-writes: the next change is visible to the very next Discover.
      if (round % 2 === 1) ids.push(await add(round));
      else assert.equal((await unary(client, 'DeregisterInstance', { id: w(ids.shift()) })).code.value, 200000);
    }
  } finally {
    other.close();
  }
});
