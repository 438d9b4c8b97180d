import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { EMPTY_REVISION } from '../../../helpers/fake-client-ops.js';
import { DiscoverStream, newClient, startServer, unary, uw, w, type Harness } from './grpc-client.js';

const svc = (name: string, namespace = 'default', revision?: string) => ({
  name: w(name),
  namespace: w(namespace),
  ...(revision !== undefined ? { revision: w(revision) } : {}),
});

async function register(client: ReturnType<typeof newClient>, service: string, host: string, port: number): Promise<string> {
  const res = await unary(client, 'RegisterInstance', { service: w(service), namespace: w('default'), host: w(host), port: w(port) });
  assert.equal(uw(res.code), 200000);
  return uw(res.instance.id) as string;
}

describe('service-grpc Discover stream', () => {
  let h: Harness;
  let client: ReturnType<typeof newClient>;

  before(async () => {
    h = await startServer();
    client = newClient('PolarisGRPC', h.port);
    await register(client, 'alpha', '10.0.0.1', 80);
    await register(client, 'alpha', '10.0.0.2', 80);
    await register(client, 'beta', '10.0.0.3', 81);
  });
  after(async () => {
    client.close();
    await h.stop();
  });

  it('answers several requests on one stream in order, echoing type and service, even when an early one is slow', async () => {
    h.fake.discoverDelay = (req) => (req.service?.name === 'alpha' && req.type === 'INSTANCE' ? 150 : 0);
    try {
      const s = new DiscoverStream(client, { 'x-polaris-token': 't1', 'request-id': '4xyz' });
      s.send({ type: 'INSTANCE', service: svc('alpha') });
      s.send({ type: 'ROUTING', service: svc('beta') });
      s.send({ type: 'INSTANCE', service: svc('missing') });
      s.send({ type: 'INSTANCE', service: svc('beta') });
      const [a, b, c, d] = await s.next(4);
      assert.equal(a.type, 'INSTANCE');
      assert.equal(uw(a.service.name), 'alpha');
      assert.equal(uw(a.code), 200000);
      assert.equal(a.instances.length, 2);
      assert.equal(uw(a.instances[0].weight), 100);
      assert.equal(b.type, 'ROUTING');
      assert.equal(uw(b.service.name), 'beta');
      assert.equal(uw(b.routing.revision), EMPTY_REVISION);
      assert.equal(c.type, 'INSTANCE');
      assert.equal(uw(c.code), 400202);
      assert.equal(uw(c.service.name), 'missing');
      assert.equal(uw(c.service.namespace), 'default');
      assert.equal(d.type, 'INSTANCE');
      assert.equal(uw(d.service.name), 'beta');
      assert.equal(d.instances.length, 1);

      // The client sends back the revision it got: nothing changed.
      s.send({ type: 'INSTANCE', service: svc('alpha', 'default', uw(a.service.revision)) });
      const [again] = await s.next();
      assert.equal(uw(again.code), 200001);
      assert.equal(again.type, 'INSTANCE');
      assert.equal(uw(again.service.revision), uw(a.service.revision));
      assert.equal(again.instances?.length ?? 0, 0);

      const ctx = h.fake.callsOf('discover').at(-1)!.ctx;
      assert.equal(ctx.token, 't1');
      assert.equal(ctx.reqId, '4xyz');
      assert.equal(ctx.protocol, 'grpc');

      const status = await s.close();
      assert.equal(status.code, grpc.status.OK);
    } finally {
      h.fake.discoverDelay = () => 0;
    }
  });

  it('service.token of a request overrides the header token', async () => {
    const s = new DiscoverStream(client, { 'x-polaris-token': 'header' });
    s.send({ type: 'INSTANCE', service: { ...svc('alpha'), token: w('svc-token') } });
    await s.next();
    assert.equal(h.fake.callsOf('discover').at(-1)!.ctx.token, 'svc-token');
    await s.close();
  });

  it('answers an unsupported type with the requested type and keeps the stream open', async () => {
    const s = new DiscoverStream(client);
    s.send({ type: 'LANE', service: svc('alpha') });
    s.send({ type: 'NEARBY_ROUTE_RULE', service: svc('beta') });
    s.send({ type: 'INSTANCE', service: svc('beta') });
    const [lane, nearby, inst] = await s.next(3);
    assert.equal(lane.type, 'LANE');
    assert.equal(uw(lane.code), 400004);
    assert.equal(uw(lane.service.name), 'alpha');
    assert.equal(nearby.type, 'NEARBY_ROUTE_RULE');
    assert.equal(uw(nearby.service.name), 'beta');
    assert.equal(inst.type, 'INSTANCE');
    assert.equal(uw(inst.code), 200000);
    // A type this spec does not know (BLOCK_ALLOW_RULE = 104, spec v1.8.0) is echoed as its number.
    s.send({ type: 104, service: svc('alpha') });
    const [newer] = await s.next();
    assert.equal(newer.type, 104);
    assert.equal(uw(newer.code), 400004);
    assert.equal(uw(newer.service.name), 'alpha');
    assert.equal((await s.close()).code, grpc.status.OK);
  });

  it('answers a request without service with 400002 (type echoed, a service present) and keeps the stream open', async () => {
    const s = new DiscoverStream(client);
    s.send({ type: 'INSTANCE' });
    s.send({ type: 'ROUTING', service: svc('alpha') });
    const [empty, routing] = await s.next(2);
    assert.equal(uw(empty.code), 400002);
    assert.equal(empty.type, 'INSTANCE');
    assert.ok(empty.service, 'polaris-go drops answers without a service');
    assert.equal(routing.type, 'ROUTING');
    assert.equal(uw(routing.code), 200000);
    assert.equal((await s.close()).code, grpc.status.OK);
  });

  it('survives a failing module: the answer is typed, not 5xx, and the stream goes on', async () => {
    h.fake.discoverThrows = true;
    const s = new DiscoverStream(client);
    try {
      s.send({ type: 'INSTANCE', service: svc('alpha') });
      const [bad] = await s.next();
      assert.equal(bad.type, 'INSTANCE');
      assert.equal(uw(bad.service.name), 'alpha');
      assert.notEqual(Math.floor((uw(bad.code) as number) / 100000), 5);
    } finally {
      h.fake.discoverThrows = false;
    }
    s.send({ type: 'INSTANCE', service: svc('alpha') });
    const [good] = await s.next();
    assert.equal(uw(good.code), 200000);
    assert.equal((await s.close()).code, grpc.status.OK);
  });

  it('a cancelled stream does not disturb another stream', async () => {
    h.fake.discoverDelay = (req) => (req.service?.name === 'alpha' ? 100 : 0);
    try {
      const doomed = new DiscoverStream(client);
      const other = new DiscoverStream(client);
      doomed.send({ type: 'ROUTING', service: svc('beta') });
      await doomed.next(); // established on the server
      doomed.send({ type: 'INSTANCE', service: svc('alpha') }); // slow: cancelled while being answered
      other.send({ type: 'INSTANCE', service: svc('alpha') });
      doomed.call.cancel();
      other.send({ type: 'INSTANCE', service: svc('beta') });
      const [a, b] = await other.next(2);
      assert.equal(uw(a.service.name), 'alpha');
      assert.equal(uw(b.service.name), 'beta');
      assert.equal((await other.close()).code, grpc.status.OK);
      for (let i = 0; i < 50 && h.server.openStreams() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(h.server.openStreams(), 0, 'the cancelled stream is forgotten');
    } finally {
      h.fake.discoverDelay = () => 0;
    }
  });

  it('many streams in parallel each get their own answers', async () => {
    const streams = Array.from({ length: 20 }, () => new DiscoverStream(client));
    streams.forEach((s, i) => {
      s.send({ type: 'INSTANCE', service: svc(i % 2 === 0 ? 'alpha' : 'beta') });
      s.send({ type: 'ROUTING', service: svc(`r${i}`) });
    });
    await Promise.all(
      streams.map(async (s, i) => {
        const [inst, routing] = await s.next(2);
        assert.equal(uw(inst.service.name), i % 2 === 0 ? 'alpha' : 'beta');
        assert.equal(uw(routing.service.name), `r${i}`);
        assert.equal((await s.close()).code, grpc.status.OK);
      }),
    );
  });
});

describe('service-grpc pre-encoded Discover answers (enableCacheProto)', () => {
  it('encodes a service once per revision and reuses the bytes across streams', async () => {
    const h = await startServer({ enableCacheProto: true, sizeCacheProto: 8 });
    const client = newClient('PolarisGRPC', h.port);
    try {
      await register(client, 'popular', '10.1.0.1', 80);
      assert.deepEqual(h.server.cacheStats(), { hits: 0, misses: 0, size: 0, bytes: 0, capacity: 8 * 1024 * 1024 });

      const s1 = new DiscoverStream(client);
      const s2 = new DiscoverStream(client);
      s1.send({ type: 'INSTANCE', service: svc('popular') });
      const [a] = await s1.next();
      s2.send({ type: 'INSTANCE', service: svc('popular') });
      const [b] = await s2.next();
      s1.send({ type: 'INSTANCE', service: svc('popular') });
      const [c] = await s1.next();
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      let stats = h.server.cacheStats()!;
      assert.equal(stats.misses, 1);
      assert.equal(stats.hits, 2);
      assert.ok(stats.bytes > 0);

      // DataNoChange answers are encoded directly and never cached.
      s2.send({ type: 'INSTANCE', service: svc('popular', 'default', uw(a.service.revision)) });
      const [same] = await s2.next();
      assert.equal(uw(same.code), 200001);
      // Error answers neither.
      s2.send({ type: 'INSTANCE', service: svc('absent') });
      assert.equal(uw((await s2.next())[0].code), 400202);
      stats = h.server.cacheStats()!;
      assert.equal(stats.misses, 1);
      assert.equal(stats.hits, 2);

      // A new revision replaces the service's entry: the answer carries the new instance.
      await register(client, 'popular', '10.1.0.2', 80);
      s1.send({ type: 'INSTANCE', service: svc('popular') });
      const [d] = await s1.next();
      assert.equal(d.instances.length, 2);
      assert.notEqual(uw(d.service.revision), uw(a.service.revision));
      s2.send({ type: 'INSTANCE', service: svc('popular') });
      assert.deepEqual((await s2.next())[0], d);
      stats = h.server.cacheStats()!;
      assert.equal(stats.misses, 2);
      assert.equal(stats.hits, 3);
      assert.equal(stats.size, 1);

      // Same service under another type is its own key.
      s1.send({ type: 'ROUTING', service: svc('popular') });
      s2.send({ type: 'ROUTING', service: svc('popular') });
      await s1.next();
      await s2.next();
      stats = h.server.cacheStats()!;
      assert.equal(stats.misses, 3);
      assert.equal(stats.hits, 4);
      assert.equal(stats.size, 2);

      await s1.close();
      await s2.close();
    } finally {
      client.close();
      await h.stop();
    }
  });

  it('evicts the least recently used answers beyond sizeCacheProto (MiB)', async () => {
    // Measure one ROUTING answer, then allow room for two of them.
    const probe = await startServer({ enableCacheProto: true });
    const probeClient = newClient('PolarisGRPC', probe.port);
    let size: number;
    try {
      const s = new DiscoverStream(probeClient);
      s.send({ type: 'ROUTING', service: svc('r1') });
      await s.next();
      size = probe.server.cacheStats()!.bytes;
      await s.close();
    } finally {
      probeClient.close();
      await probe.stop();
    }
    const h = await startServer({ enableCacheProto: true, sizeCacheProto: (2 * size + 1) / (1024 * 1024) });
    const client = newClient('PolarisGRPC', h.port);
    try {
      const s = new DiscoverStream(client);
      for (const name of ['r1', 'r2', 'r1', 'r3', 'r1', 'r2']) {
        s.send({ type: 'ROUTING', service: svc(name) });
        await s.next();
      }
      // r1 miss, r2 miss, r1 hit, r3 miss (evicts r2), r1 hit, r2 miss (evicts r3).
      const stats = h.server.cacheStats()!;
      assert.equal(stats.misses, 4);
      assert.equal(stats.hits, 2);
      assert.equal(stats.size, 2);
      assert.ok(stats.bytes <= stats.capacity);
      await s.close();
    } finally {
      client.close();
      await h.stop();
    }
  });

  it('has no cache when enableCacheProto is off', async () => {
    const h = await startServer();
    try {
      assert.equal(h.server.cacheStats(), undefined);
    } finally {
      await h.stop();
    }
  });
});
