import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { DiscoverStream, grpcFrame as frame, newClient, rawGrpcCall as rawGrpcPost, rawGrpcStatus as grpcStatusOf, startServer, unary, uw, w } from './grpc-client.js';

describe('service-grpc robustness', () => {
  it('invalid protobuf bytes get a gRPC error for that call only; the server keeps serving', async () => {
    const h = await startServer();
    const client = newClient('PolarisGRPC', h.port);
    try {
      // Field 1 (id, a StringValue) claiming a length far beyond the message.
      const bad = await rawGrpcPost(h.port, '/v1.PolarisGRPC/RegisterInstance', frame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])));
      assert.notEqual(grpcStatusOf(bad), grpc.status.OK);
      // Not even gRPC framing: a length prefix announcing ~4 GiB.
      const worse = await rawGrpcPost(h.port, '/v1.PolarisGRPC/RegisterInstance', Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
      assert.notEqual(grpcStatusOf(worse), grpc.status.OK);
      // Garbage on a Discover stream ends that stream only.
      const badStream = await rawGrpcPost(h.port, '/v1.PolarisGRPC/Discover', frame(Buffer.from([0x12, 0xff, 0xff, 0xff, 0x0f])));
      assert.notEqual(grpcStatusOf(badStream), grpc.status.OK);
      assert.equal(h.fake.calls.length, 0, 'nothing reached the module');

      const res = await unary(client, 'RegisterInstance', { service: w('a'), namespace: w('default'), host: w('1.1.1.1'), port: w(1) });
      assert.equal(uw(res.code), 200000);
      const s = new DiscoverStream(client);
      s.send({ type: 'INSTANCE', service: { name: w('a'), namespace: w('default') } });
      const [answer] = await s.next();
      assert.equal(uw(answer.code), 200000);
      await s.close();
    } finally {
      client.close();
      await h.stop();
    }
  });

  it('graceful stop lets an in-flight unary call finish, then refuses connections', async () => {
    const h = await startServer();
    const client = newClient('PolarisGRPC', h.port);
    try {
      await unary(client, 'ReportClient', { host: w('1.1.1.1') }); // connect first
      h.fake.registerDelayMs = 300;
      const inflight = unary(client, 'RegisterInstance', { service: w('a'), namespace: w('default'), host: w('1.1.1.1'), port: w(1) });
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const stopping = h.server.stop();
      const res = await inflight;
      assert.equal(uw(res.code), 200000);
      await stopping;
      assert.ok(Date.now() - started < 2500, 'stop did not wait for the force timeout');
      await h.server.stop(); // idempotent

      const late = newClient('PolarisGRPC', h.port);
      try {
        await assert.rejects(unary(late, 'ReportClient', { host: w('1.1.1.1') }), (err: grpc.ServiceError) => {
          assert.equal(err.code, grpc.status.UNAVAILABLE);
          return true;
        });
      } finally {
        late.close();
      }
    } finally {
      client.close();
      await h.stop();
    }
  });

  it('stop ends open Discover streams with status OK instead of waiting for them', async () => {
    const h = await startServer({ shutdownTimeoutMs: 5000 });
    const client = newClient('PolarisGRPC', h.port);
    try {
      const s = new DiscoverStream(client);
      s.send({ type: 'ROUTING', service: { name: w('a'), namespace: w('default') } });
      await s.next();
      assert.equal(h.server.openStreams(), 1);
      const started = Date.now();
      await h.server.stop();
      assert.ok(Date.now() - started < 2000, `stop took ${Date.now() - started} ms`);
      for (let i = 0; i < 50 && !s.status; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(s.status?.code, grpc.status.OK);
    } finally {
      client.close();
    }
  });

  it('serves TLS when certFile and keyFile are set', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
    try {
      try {
        execFileSync(
          'openssl',
          [
            'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
            '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
            '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
      } catch {
        t.skip('openssl is not available');
        return;
      }
      const h = await startServer({ tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), trustedCAFile: join(dir, 'cert.pem') } });
      const secure = newClient('PolarisGRPC', h.port, grpc.credentials.createSsl(readFileSync(join(dir, 'cert.pem'))));
      try {
        const res = await unary(secure, 'ReportClient', { host: w('1.1.1.1') });
        assert.equal(uw(res.code), 200000);
        const plain = newClient('PolarisGRPC', h.port);
        try {
          await assert.rejects(unary(plain, 'ReportClient', { host: w('1.1.1.1') }));
        } finally {
          plain.close();
        }
      } finally {
        secure.close();
        await h.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects start() when the port is taken', async () => {
    const h = await startServer();
    try {
      const clash = await startServer({ listenPort: h.port }).then(
        (x) => x,
        (err: unknown) => err,
      );
      assert.ok(clash instanceof Error, 'second bind must fail');
    } finally {
      await h.stop();
    }
  });
});
