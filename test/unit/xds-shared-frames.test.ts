import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ADS_SERVICE, serviceDefinition } from '../../src/apiserver/xdsserverv3/protos.js';
import { ResponseCache, shareFrames, SharedResponse } from '../../src/apiserver/xdsserverv3/response-cache.js';

const DR = 'envoy.service.discovery.v3.DiscoveryResponse';
const T_CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

/** A real grpc-js ADS server whose one method answers every request with `answer()`. */
let server: grpc.Server;
let client: grpc.Client;
let hooked: boolean[] = [];
let answer: () => object = () => ({});

before(async () => {
  server = new grpc.Server();
  server.addService(serviceDefinition(ADS_SERVICE), {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) => {
      hooked.push(shareFrames(call));
      call.on('data', () => call.write(answer()));
      call.on('end', () => call.end());
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const Ctor = grpc.makeGenericClientConstructor(serviceDefinition(ADS_SERVICE), 'ads');
  client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});
after(() => {
  client?.close();
  server?.forceShutdown();
});

function ask(): Promise<Record<string, unknown>> {
  const s = (client as unknown as { StreamAggregatedResources: () => grpc.ClientDuplexStream<object, Record<string, unknown>> }).StreamAggregatedResources();
  return new Promise((resolve, reject) => {
    s.once('data', (m) => {
      resolve(m);
      s.end();
    });
    s.once('error', reject);
    s.write({ type_url: T_CDS });
  });
}

describe('xDS answers shared between streams', () => {
  it('hooks grpc-js so one framed Buffer goes to many streams, and the streams decode it intact', async () => {
    const cache = new ResponseCache();
    const shared = cache.encodeShared(DR, 'k', 'v7', 1, () => ({ type_url: T_CDS, resources: [] }), (nonce) => ({ version_info: 'v7', nonce }));
    const framed = shared.framed();
    answer = () => shared;
    hooked = [];
    const got = await Promise.all([ask(), ask(), ask()]);
    assert.deepEqual(hooked, [true, true, true], 'grpc-js 1.14 call internals found and framing verified');
    for (const m of got) assert.deepEqual([m.version_info, m.nonce, m.type_url], ['v7', shared.nonce, T_CDS]);
    assert.equal(shared.framed(), framed, 'framed once');
    // Plain objects still go through grpc-js's own serializer on a hooked call.
    answer = () => ({ version_info: 'plain', nonce: 'x', type_url: T_CDS });
    assert.equal((await ask()).version_info, 'plain');
  });

  it('leaves calls alone when the internals are not there or frame differently', () => {
    assert.equal(shareFrames({}), false);
    assert.equal(shareFrames({ call: {} }), false);
    const odd = { serializeMessage: (v: unknown) => Buffer.concat([Buffer.from([1, 0, 0, 0, 6]), (v as SharedResponse).serialize()]) };
    const before = odd.serializeMessage;
    assert.equal(shareFrames({ call: odd }), false, 'a compressed-flag frame is not ours');
    assert.equal(odd.serializeMessage, before, 'not wrapped');
  });

  it('gives each generation new nonces, shares within one, and never reuses a nonce', () => {
    const cache = new ResponseCache();
    const enc = (variant: string, gen: number) => cache.encodeShared(DR, 'k', variant, gen, () => ({ type_url: T_CDS }), (nonce) => ({ version_info: variant, nonce }));
    const a = enc('v1', 1);
    assert.equal(enc('v1', 1), a);
    const b = enc('v2', 1);
    const c = enc('v1', 2);
    const own = cache.nextNonce();
    assert.equal(new Set([a.nonce, b.nonce, c.nonce, own.nonce]).size, 4);
    assert.ok(a.seq < b.seq && b.seq < c.seq && c.seq < own.seq, 'increasing');
  });
});
