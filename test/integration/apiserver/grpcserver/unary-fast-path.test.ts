/**
 * The SDK's unary calls are read from the HTTP/2 stream by the server itself (unary-fast-path.ts),
 * not by grpc-js. These tests talk raw HTTP/2 so the framing, headers and statuses are what is
 * checked, plus a grpc-js client for what an SDK sees.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodeProto, encodeProto } from '../../../../src/common/api/codec.js';
import { grpcFrame as frame, newClient, rawGrpcCall as rawCall, rawGrpcStatus as statusOf, startServer, unary, uw, w, type Harness } from './grpc-client.js';

/** The single message of a gRPC response body. */
function message(body: Buffer): Buffer {
  assert.ok(body.length >= 5, 'a message was sent');
  assert.equal(body[0], 0, 'not compressed');
  const len = body.readUInt32BE(1);
  assert.equal(body.length, len + 5, 'exactly one message');
  return body.subarray(5);
}

/** A varint field of a number nobody defines (kept by decoders as unknown). */
function unknownField(num: number, value: number): Buffer {
  const bytes: number[] = [];
  let tag = (num << 3) | 0;
  while (tag > 0x7f) {
    bytes.push((tag & 0x7f) | 0x80);
    tag >>>= 7;
  }
  bytes.push(tag, value);
  return Buffer.from(bytes);
}

describe('service-grpc unary calls read from the HTTP/2 stream', () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
    h.fake.instances.set('hb-1', { id: 'hb-1' });
  });
  after(async () => {
    await h.stop();
  });

  it('a heartbeat with fields in reverse order and an unknown field is read right and echoed byte for byte', async () => {
    const body = Buffer.concat([
      unknownField(999, 7),
      encodeProto('v1.Instance', { port: 8080 }),
      encodeProto('v1.Instance', { host: '10.0.0.9' }),
      encodeProto('v1.Instance', { namespace: 'default' }),
      encodeProto('v1.Instance', { service: 'echo' }),
      encodeProto('v1.Instance', { id: 'hb-1' }),
    ]);
    const taken = h.server.fastPathCalls();
    assert.notEqual(taken, undefined, 'the fast path is installed (grpc-js internals as expected)');
    const a = await rawCall(h.port, '/v1.PolarisGRPC/Heartbeat', frame(body), { 'x-polaris-token': 'tok-1', 'request-id': 'req-42' });
    assert.equal(h.server.fastPathCalls(), taken! + 1, 'served by the fast path, not grpc-js');
    assert.equal(a.headers[':status'], 200);
    assert.equal(a.headers['content-type'], 'application/grpc+proto');
    assert.equal(a.headers['grpc-encoding'], 'identity');
    assert.equal(statusOf(a), grpc.status.OK);
    assert.equal(a.trailers['grpc-message'], 'OK');
    const resp = decodeProto<Record<string, any>>('v1.Response', message(a.body));
    assert.equal(resp.code, 200000);
    assert.deepEqual(
      { id: resp.instance.id, service: resp.instance.service, namespace: resp.instance.namespace, host: resp.instance.host, port: resp.instance.port },
      { id: 'hb-1', service: 'echo', namespace: 'default', host: '10.0.0.9', port: 8080 },
    );
    // The instance in the answer is the request as received, unknown field included.
    assert.ok(message(a.body).includes(body), 'the request bytes are echoed');
    const call = h.fake.callsOf('heartbeat').at(-1)!;
    assert.equal((call.req as { port: number }).port, 8080);
    assert.equal(call.ctx.token, 'tok-1');
    assert.equal(call.ctx.reqId, 'req-42');
    assert.equal(call.ctx.clientIp, '127.0.0.1');
  });

  it('a corrupt message is refused with INTERNAL and reaches no module; the next call is served', async () => {
    const before = h.fake.calls.length;
    // Field 1 (id) announcing a length far beyond the message.
    const bad = await rawCall(h.port, '/v1.PolarisGRPC/Heartbeat', frame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])));
    assert.equal(statusOf(bad), grpc.status.INTERNAL);
    assert.equal(bad.body.length, 0);
    // A truncated varint.
    const cut = await rawCall(h.port, '/v1.PolarisGRPC/RegisterInstance', frame(Buffer.from([0x10, 0xff])));
    assert.equal(statusOf(cut), grpc.status.INTERNAL);
    assert.equal(h.fake.calls.length, before, 'nothing reached the module');
    const client = newClient('PolarisGRPC', h.port);
    try {
      const ok = await unary(client, 'Heartbeat', { id: w('hb-1') });
      assert.equal(uw(ok.code), 200000);
    } finally {
      client.close();
    }
  });

  it('framing errors get the gRPC status grpc-js gives them', async () => {
    const hb = '/v1.PolarisGRPC/Heartbeat';
    const one = encodeProto('v1.Instance', { id: 'hb-1' });
    assert.equal(statusOf(await rawCall(h.port, hb, Buffer.alloc(0))), grpc.status.UNIMPLEMENTED, 'no message');
    assert.equal(statusOf(await rawCall(h.port, hb, Buffer.concat([frame(one), frame(one)]))), grpc.status.UNIMPLEMENTED, 'two messages');
    assert.equal(statusOf(await rawCall(h.port, hb, frame(one).subarray(0, 7))), grpc.status.UNIMPLEMENTED, 'a cut message');
    assert.equal(statusOf(await rawCall(h.port, hb, frame(one, 1))), grpc.status.OK, 'compressed flag under identity: read as is');
    const bad = await rawCall(h.port, hb, frame(one), { 'content-type': 'text/plain' });
    assert.equal(bad.headers[':status'], 415, 'not gRPC content (grpc-js answers it)');
  });

  it('a message over maxReceiveMessageBytes is refused with RESOURCE_EXHAUSTED', async () => {
    const small = await startServer({ maxReceiveMessageBytes: 64 });
    try {
      const big = encodeProto('v1.Instance', { id: 'x'.repeat(200) });
      const a = await rawCall(small.port, '/v1.PolarisGRPC/RegisterInstance', frame(big));
      assert.equal(statusOf(a), grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(small.fake.calls.length, 0);
    } finally {
      await small.stop();
    }
  });

  it('a gzip-compressed request is still answered (handed to grpc-js)', async () => {
    const req = encodeProto('v1.Instance', { id: 'hb-1' });
    const taken = h.server.fastPathCalls();
    const a = await rawCall(h.port, '/v1.PolarisGRPC/Heartbeat', frame(gzipSync(req), 1), { 'grpc-encoding': 'gzip' });
    assert.equal(h.server.fastPathCalls(), taken, 'grpc-js took it');
    assert.equal(statusOf(a), grpc.status.OK);
    assert.equal(decodeProto<Record<string, any>>('v1.Response', message(a.body)).code, 200000);
  });

  it('RegisterInstance, DeregisterInstance and ReportClient answer as before through an SDK client', async () => {
    const client = newClient('PolarisGRPC', h.port);
    try {
      const reg = await unary(client, 'RegisterInstance', { service: w('fast'), namespace: w('default'), host: w('10.0.0.1'), port: w(80) });
      assert.equal(uw(reg.code), 200000);
      const dereg = await unary(client, 'DeregisterInstance', { service: w('fast'), namespace: w('default'), host: w('10.0.0.1'), port: w(80) });
      assert.equal(uw(dereg.code), 200000);
      const rep = await unary(client, 'ReportClient', { host: w('10.1.1.1') });
      assert.equal(uw(rep.code), 200000);
      // Not an SDK unary method: still grpc-js' (unknown method → UNIMPLEMENTED).
      const a = await rawCall(h.port, '/v1.PolarisGRPC/NoSuchMethod', frame(Buffer.alloc(0)));
      assert.equal(statusOf(a), grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });
});

describe('unaryFastPath: false', () => {
  it('sends every call through grpc-js, with the same answers', async () => {
    const h = await startServer({ unaryFastPath: false });
    const client = newClient('PolarisGRPC', h.port);
    try {
      assert.equal(h.server.fastPathCalls(), undefined, 'no fast path installed');
      const reg = await unary(client, 'RegisterInstance', { service: w('slow'), namespace: w('default'), host: w('10.0.0.2'), port: w(80) });
      assert.equal(uw(reg.code), 200000);
      const a = await rawCall(h.port, '/v1.PolarisGRPC/Heartbeat', frame(Buffer.from('\x0a', 'latin1')));
      assert.equal(statusOf(a), grpc.status.INTERNAL, 'a corrupt beat is refused by grpc-js the same way');
    } finally {
      client.close();
      await h.stop();
    }
  });
});
