import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADS_SERVICE, messageType, rawResourceNames, serviceDefinition } from '../../src/apiserver/xdsserverv3/protos.js';

const SOTW = 'envoy.service.discovery.v3.DiscoveryRequest';
const DELTA = 'envoy.service.discovery.v3.DeltaDiscoveryRequest';
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

const encode = (typeName: string, obj: object) => {
  const t = messageType(typeName);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
};
/** What the server got before: the generic protobufjs decode and conversion. */
const general = (typeName: string, b: Buffer) => messageType(typeName).toObject(messageType(typeName).decode(b), { enums: String, longs: String, arrays: true });

/** Every field of the message type as the decoder's result reads (own, or through its prototype's getters and defaults). */
const view = (typeName: string, obj: Record<string, unknown>) =>
  Object.fromEntries(
    messageType(typeName)
      .fieldsArray.map((f) => [f.name, obj[f.name]] as const)
      .filter(([, v]) => v !== undefined),
  );

const def = serviceDefinition(ADS_SERVICE) as unknown as Record<string, { requestDeserialize(b: Buffer): Record<string, unknown> }>;
const sotw = (b: Buffer) => def.StreamAggregatedResources.requestDeserialize(b);
const delta = (b: Buffer) => def.DeltaAggregatedResources.requestDeserialize(b);

const envoyNode = {
  id: 'default/pod~10.0.0.1',
  cluster: 'c',
  metadata: { fields: { 'sidecar.polarismesh.cn/serviceName': { string_value: 'echo' }, n: { number_value: 3 } } },
  user_agent_name: 'envoy',
  user_agent_build_version: { version: { major_number: 1, minor_number: 28 } },
  extensions: [{ name: 'envoy.filters.http.router', category: 'envoy.filters.http' }],
  locality: { region: 'r', zone: 'z' },
};

describe('xDS discovery requests decode lean, to what the general decode gives', () => {
  it('state of the world: ACKs, the first request with its node, NACKs, empty and unknown fields', () => {
    const cases: object[] = [
      { version_info: 'v1', resource_names: ['OUTBOUND|ns|a', 'OUTBOUND|ns|b'], type_url: CDS, response_nonce: '7' },
      { node: envoyNode, type_url: CDS, resource_names: [] },
      { node: envoyNode, version_info: '', type_url: CDS, response_nonce: '3', error_detail: { code: 3, message: 'bad cluster' } },
      {},
      { resource_locators: [{ url: 'xdstp://x' }], type_url: CDS },
    ];
    for (const c of cases) {
      const b = encode(SOTW, c);
      const got = sotw(b);
      assert.deepEqual(view(SOTW, got), view(SOTW, general(SOTW, b)), JSON.stringify(c));
    }
    // A field this server does not know (a newer Envoy) is skipped, as the general decode does.
    const withUnknown = Buffer.concat([encode(SOTW, { type_url: CDS, response_nonce: '1' }), Buffer.from([0xf8, 0x06, 0x01])]);
    assert.deepEqual(view(SOTW, sotw(withUnknown)), view(SOTW, general(SOTW, withUnknown)));
  });

  it('the node is decoded only when read, and absent repeated fields are empty', () => {
    const got = sotw(encode(SOTW, { node: envoyNode, type_url: CDS }));
    assert.equal(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(got), 'node')?.get, 'function', 'decoded on first read');
    assert.equal((got.node as { id: string }).id, envoyNode.id);
    assert.equal(got.node, got.node, 'decoded once');
    assert.deepEqual(got.resource_names, []);
    assert.equal(sotw(encode(SOTW, { type_url: CDS })).node, undefined);
  });

  it('resource_names stay bytes until read, and names split by other fields decode the general way', () => {
    const ack = encode(SOTW, { version_info: 'v', resource_names: ['x', 'yy'], type_url: CDS, response_nonce: '1' });
    const got = sotw(ack);
    assert.deepEqual(Buffer.from(rawResourceNames(got) ?? []), encode(SOTW, { resource_names: ['x', 'yy'] }));
    assert.deepEqual(got.resource_names, ['x', 'yy']);
    assert.equal(rawResourceNames(sotw(encode(SOTW, { type_url: CDS }))), undefined);
    const split = Buffer.concat([encode(SOTW, { resource_names: ['a'] }), encode(SOTW, { type_url: CDS }), encode(SOTW, { resource_names: ['b'] })]);
    assert.deepEqual(view(SOTW, sotw(split)), view(SOTW, general(SOTW, split)));
    assert.deepEqual(sotw(split).resource_names, ['a', 'b']);
  });

  it('delta: subscriptions, initial versions, nonces, and resource locators the general way', () => {
    const cases: object[] = [
      { node: envoyNode, type_url: CDS, resource_names_subscribe: ['a', 'b'], initial_resource_versions: { a: '1', b: '2' } },
      { type_url: CDS, response_nonce: '9' },
      { type_url: CDS, resource_names_unsubscribe: ['a'], error_detail: { code: 13, message: 'x' } },
      { type_url: CDS, resource_locators_subscribe: [{ url: 'xdstp://y' }] },
    ];
    for (const c of cases) {
      const b = encode(DELTA, c);
      assert.deepEqual(view(DELTA, delta(b)), view(DELTA, general(DELTA, b)), JSON.stringify(c));
    }
  });
});
