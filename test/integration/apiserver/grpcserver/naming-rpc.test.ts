import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { DiscoverStream, newClient, startServer, unary, uw, w, type Harness } from './grpc-client.js';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('service-grpc unary RPCs', () => {
  let h: Harness;
  let client: ReturnType<typeof newClient>;

  before(async () => {
    h = await startServer();
    client = newClient('PolarisGRPC', h.port);
  });
  after(async () => {
    client.close();
    await h.stop();
  });

  it('binds a real port when asked for port 0', () => {
    assert.equal(h.server.port, 0);
    assert.ok(h.port > 0);
    assert.equal(h.server.protocol, 'grpc');
    assert.equal(h.server.name, 'service-grpc');
  });

  it('registers an instance: code in the body, id derived, token/request-id/peer passed down', async () => {
    const res = await unary(
      client,
      'RegisterInstance',
      {
        service: w('echo'),
        namespace: w('default'),
        host: w('10.0.0.1'),
        port: w(8080),
        service_token: w('inst-token'),
        health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } },
      },
      { 'x-polaris-token': 'header-token', 'request-id': '1abc' },
    );
    assert.equal(uw(res.code), 200000);
    assert.equal(typeof uw(res.info), 'string');
    assert.equal(uw(res.instance.id), sha1('default##echo##10.0.0.1##8080'));
    assert.equal(uw(res.instance.port), 8080);
    const call = h.fake.callsOf('registerInstance').at(-1)!;
    assert.equal(call.ctx.protocol, 'grpc');
    assert.equal(call.ctx.reqId, '1abc');
    assert.equal(call.ctx.clientIp, '127.0.0.1');
    assert.equal(call.ctx.token, 'inst-token', 'service_token overrides the header');
    const req = call.req as Record<string, any>;
    assert.equal(req.service, 'echo', 'wrappers arrive unwrapped');
    assert.equal(req.port, 8080);
    assert.equal(req.health_check.type, 'HEARTBEAT');
  });

  it('answers a business failure in the body with gRPC status OK', async () => {
    const res = await unary(client, 'RegisterInstance', { service: w('echo'), namespace: w('default'), port: w(1) });
    assert.equal(uw(res.code), 400131);
    assert.equal(uw(res.instance.service), 'echo');
  });

  it('heartbeats: 200000 for a known instance, 400202 for an unknown one; header token when no service_token', async () => {
    const ok = await unary(
      client,
      'Heartbeat',
      { service: w('echo'), namespace: w('default'), host: w('10.0.0.1'), port: w(8080) },
      { 'x-polaris-token': 'header-token' },
    );
    assert.equal(uw(ok.code), 200000);
    assert.equal(uw(ok.instance.host), '10.0.0.1');
    assert.equal(h.fake.callsOf('heartbeat').at(-1)!.ctx.token, 'header-token');
    const unknown = await unary(client, 'Heartbeat', { id: w('nope') });
    assert.equal(uw(unknown.code), 400202);
    assert.ok(h.fake.callsOf('heartbeat').at(-1)!.ctx.reqId.length > 0, 'a request id is generated');
  });

  it('reports a client and answers its location', async () => {
    const res = await unary(client, 'ReportClient', { id: w('c-1'), host: w('10.1.1.1'), type: 'SDK', version: w('1.7.1') });
    assert.equal(uw(res.code), 200000);
    assert.equal(uw(res.client.location.region), 'south');
    assert.equal(uw(res.client.id), 'c-1');
    const noId = await unary(client, 'ReportClient', { host: w('10.1.1.1') });
    assert.equal(uw(noId.code), 200000);
    assert.equal(uw(noId.client.host), '10.1.1.1');
  });

  it('deregisters an instance, echoing the resolved id', async () => {
    const res = await unary(client, 'DeregisterInstance', {
      service: w('echo'),
      namespace: w('default'),
      host: w('10.0.0.1'),
      port: w(8080),
    });
    assert.equal(uw(res.code), 200000);
    assert.equal(uw(res.instance.id), sha1('default##echo##10.0.0.1##8080'));
    const again = await unary(client, 'Heartbeat', { id: w(sha1('default##echo##10.0.0.1##8080')) });
    assert.equal(uw(again.code), 400202);
  });
});

describe('service-grpc api.client.include', () => {
  it('refuses methods outside the included groups with 400401 in the body', async () => {
    const h = await startServer({ api: { client: { enable: true, include: ['discover'] } } });
    const client = newClient('PolarisGRPC', h.port);
    const contracts = newClient('PolarisServiceContractGRPC', h.port);
    const peers = newClient('PolarisHeartbeatGRPC', h.port);
    try {
      const reg = await unary(client, 'RegisterInstance', { service: w('a'), namespace: w('default'), host: w('1.1.1.1'), port: w(1) });
      assert.equal(uw(reg.code), 400401);
      assert.equal(h.fake.callsOf('registerInstance').length, 0, 'the module is not called');
      const hb = await unary(client, 'Heartbeat', { id: w('x') });
      assert.equal(uw(hb.code), 400401);
      const rc = await unary(client, 'ReportClient', { host: w('1.1.1.1') });
      assert.equal(uw(rc.code), 200000);
      const get = await unary(contracts, 'GetServiceContract', { name: 'c', namespace: 'default', service: 'a', protocol: 'http' });
      assert.equal(uw(get.code), 400202, 'contract reads belong to the discover group');
      const del = await unary(peers, 'BatchDelHeartbeat', { instanceIds: ['x'] });
      assert.equal(del.code, 400401);
      await assert.rejects(unary(peers, 'BatchGetHeartbeat', { instanceIds: ['x'] }), (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.PERMISSION_DENIED);
        return true;
      });
    } finally {
      client.close();
      contracts.close();
      peers.close();
      await h.stop();
    }
  });

  it('refuses Discover messages with an answer the SDK can match, and keeps the stream open', async () => {
    const h = await startServer({ api: { client: { enable: true, include: ['register', 'healthcheck'] } } });
    const client = newClient('PolarisGRPC', h.port);
    try {
      const rc = await unary(client, 'ReportClient', { host: w('1.1.1.1') });
      assert.equal(uw(rc.code), 400401);
      const reg = await unary(client, 'RegisterInstance', { service: w('a'), namespace: w('default'), host: w('1.1.1.1'), port: w(1) });
      assert.equal(uw(reg.code), 200000);
      const s = new DiscoverStream(client);
      s.send({ type: 'INSTANCE', service: { name: w('a'), namespace: w('default') } });
      s.send({ type: 'ROUTING', service: { name: w('a'), namespace: w('default') } });
      const [a, b] = await s.next(2);
      assert.equal(uw(a.code), 400401);
      assert.equal(a.type, 'INSTANCE');
      assert.equal(uw(a.service.name), 'a');
      assert.equal(uw(a.service.namespace), 'default');
      assert.equal(uw(b.code), 400401);
      assert.equal(b.type, 'ROUTING');
      const status = await s.close();
      assert.equal(status.code, grpc.status.OK);
      assert.equal(h.fake.callsOf('discover').length, 0);
    } finally {
      client.close();
      await h.stop();
    }
  });

  it('registers no service when api.client is disabled (UNIMPLEMENTED)', async () => {
    const h = await startServer({ api: { client: { enable: false, include: [] } } });
    const client = newClient('PolarisGRPC', h.port);
    try {
      await assert.rejects(unary(client, 'ReportClient', { host: w('1.1.1.1') }), (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.UNIMPLEMENTED);
        return true;
      });
    } finally {
      client.close();
      await h.stop();
    }
  });
});

describe('service-grpc PolarisServiceContractGRPC', () => {
  it('answers well-formed v1.Responses while contracts are not implemented', async () => {
    const h = await startServer();
    const client = newClient('PolarisServiceContractGRPC', h.port);
    try {
      const get = await unary(client, 'GetServiceContract', { name: 'rest', namespace: 'default', service: 'echo', protocol: 'http' });
      assert.equal(uw(get.code), 400202);
      assert.equal(uw(get.service.name), 'echo');
      assert.equal(uw(get.service.namespace), 'default');
      const bad = await unary(client, 'GetServiceContract', { namespace: 'default', service: 'echo', protocol: 'http' });
      assert.equal(uw(bad.code), 400103);
      const noNs = await unary(client, 'GetServiceContract', { name: 'rest', service: 'echo', protocol: 'http' });
      assert.equal(uw(noNs.code), 400110);
      const report = await unary(client, 'ReportServiceContract', { name: 'rest', namespace: 'default', service: 'echo', protocol: 'http', content: '{}' });
      assert.equal(uw(report.code), 400000);
      assert.match(uw(report.info) ?? '', /not supported/);
    } finally {
      client.close();
      await h.stop();
    }
  });
});

describe('service-grpc PolarisHeartbeatGRPC', () => {
  it('BatchHeartbeat beats each id and answers every message with an empty response', async () => {
    const h = await startServer();
    const naming = newClient('PolarisGRPC', h.port);
    const peers = newClient('PolarisHeartbeatGRPC', h.port);
    try {
      const reg = await unary(naming, 'RegisterInstance', { service: w('a'), namespace: w('default'), host: w('1.1.1.1'), port: w(1) });
      const id = uw(reg.instance.id) as string;
      const call = (peers.BatchHeartbeat as Function).call(peers) as grpc.ClientDuplexStream<object, object>;
      const answers: object[] = [];
      const done = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      call.on('data', (m: object) => answers.push(m));
      call.write({ heartbeats: [{ instanceId: id, host: '1.1.1.1', port: 1 }, { instanceId: 'unknown' }] });
      call.write({ heartbeats: [] });
      call.end();
      const st = await done;
      assert.equal(st.code, grpc.status.OK);
      assert.equal(answers.length, 2);
      const beats = h.fake.callsOf('heartbeat').map((c) => (c.req as Record<string, unknown>).id);
      assert.deepEqual(beats, [id, 'unknown']);
    } finally {
      naming.close();
      peers.close();
      await h.stop();
    }
  });

  it('BatchGetHeartbeat / BatchDelHeartbeat without a checker: no records, code 0', async () => {
    const h = await startServer();
    const peers = newClient('PolarisHeartbeatGRPC', h.port);
    try {
      const got = await unary(peers, 'BatchGetHeartbeat', { instanceIds: ['a', 'b'] });
      assert.deepEqual(got.records ?? [], []);
      const del = await unary(peers, 'BatchDelHeartbeat', { instanceIds: ['a'] });
      assert.equal(del.code ?? 0, 0);
    } finally {
      peers.close();
      await h.stop();
    }
  });

  it('BatchGetHeartbeat / BatchDelHeartbeat use the heartbeat records when wired', async () => {
    const store = new Map<string, { lastBeatMs: number }>([['a', { lastBeatMs: 1_700_000_123_456 }]]);
    const deleted: string[] = [];
    const h = await startServer({}, undefined, {
      heartbeatRecords: {
        get: async (ids) => new Map(ids.filter((id) => store.has(id)).map((id) => [id, store.get(id)!])),
        delete: async (ids) => {
          if (ids.includes('fail')) throw new Error('store down');
          for (const id of ids) {
            deleted.push(id);
            store.delete(id);
          }
        },
      },
    });
    const peers = newClient('PolarisHeartbeatGRPC', h.port);
    try {
      const got = await unary(peers, 'BatchGetHeartbeat', { instanceIds: ['a', 'b'] });
      assert.equal(got.records.length, 2);
      assert.equal(got.records[0].instanceId, 'a');
      assert.equal(got.records[0].lastHeartbeatSec, '1700000123');
      assert.equal(got.records[0].exist, true);
      assert.equal(got.records[1].instanceId, 'b');
      assert.ok(!got.records[1].exist);
      const del = await unary(peers, 'BatchDelHeartbeat', { instanceIds: ['a'] });
      assert.equal(del.code ?? 0, 0);
      assert.deepEqual(deleted, ['a']);
      await assert.rejects(unary(peers, 'BatchDelHeartbeat', { instanceIds: ['fail'] }), (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.INTERNAL);
        return true;
      });
    } finally {
      peers.close();
      await h.stop();
    }
  });
});
