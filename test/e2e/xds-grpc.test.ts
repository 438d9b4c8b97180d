import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import type { Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import { deleteInstances, putInstances, putRouteRule, startXdsDaemon } from '../helpers/xds-daemon.js';

/**
 * Proxyless gRPC: the real @grpc/grpc-js-xds client resolves `xds:///echo.<ns>` through polaris-ts
 * (bootstrap pointing at the daemon's xds-v3 port) and calls small gRPC backends registered in
 * polaris, following a route rule's weights and an instance going away.
 */

const JSON_CODEC = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()),
};

const WHO = {
  Who: {
    path: '/test.Echo/Who',
    requestStream: false,
    responseStream: false,
    requestSerialize: JSON_CODEC.serialize,
    requestDeserialize: JSON_CODEC.deserialize,
    responseSerialize: JSON_CODEC.serialize,
    responseDeserialize: JSON_CODEC.deserialize,
  },
} satisfies grpc.ServiceDefinition;

const EchoClient = grpc.makeGenericClientConstructor(WHO, 'Echo');

async function backend(name: string): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(WHO, { Who: (_call: unknown, cb: grpc.sendUnaryData<{ name: string }>) => cb(null, { name }) });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { port, server };
}

let d: Daemon;
let xdsPort: number;
const backends: Array<{ port: number; server: grpc.Server }> = [];

before(async () => {
  grpcXds.register();
  ({ d, xdsPort } = await startXdsDaemon());
  backends.push(await backend('A'), await backend('B'));
});
after(async () => {
  for (const b of backends) b.server.forceShutdown();
  await d?.stop();
});

function xdsClient(target: string, nodeId: string): any {
  const bootstrap = {
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, locality: {} },
  };
  return new EchoClient(target, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify(bootstrap),
  });
}

function who(client: any, meta?: Record<string, string>): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(meta ?? {})) md.set(k, v);
  return new Promise((res, rej) =>
    client.Who({}, md, { deadline: Date.now() + 5000 }, (e: Error | null, r: { name: string }) => (e ? rej(e) : res(r.name))),
  );
}

/** Names answering `n` calls in a row. */
async function answers(client: any, n: number, meta?: Record<string, string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(await who(client, meta));
  return out;
}

/** Polls until `n` calls in a row all answer exactly `expected` (a push reached the client). */
async function until(client: any, expected: string[], meta?: Record<string, string>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = new Set<string>();
  while (Date.now() < deadline) {
    try {
      last = await answers(client, 8, meta);
      if ([...last].sort().join() === [...expected].sort().join()) return;
    } catch {
      // the channel is between configurations
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`expected answers from ${expected.join(',')}, last saw ${[...last].join(',')}`);
}

describe('proxyless gRPC through polaris-ts xDS', () => {
  it('resolves xds:///echo.<ns>, follows route weights and header routes, and drops an instance that goes away', async () => {
    const ns = uniq('grpc');
    const [a, b] = backends;
    await putInstances(d.http, ns, 'echo', [
      { host: '127.0.0.1', port: a.port, metadata: { version: 'v1' } },
      { host: '127.0.0.1', port: b.port, metadata: { version: 'v2' } },
    ]);
    // A node id of gRPC's own choosing (not `ns/uuid~ip`): named resources are served all the same.
    const client = xdsClient(`xds:///echo.${ns}`, `grpc-test-${ns}`);
    try {
      await until(client, ['A', 'B']);

      // All traffic to v2, except callers sending x-canary: 1, who go to v1.
      const v = (value: string) => ({ type: 'EXACT', value });
      const id = await putRouteRule(d.http, uniq('r'), [
        { name: 'canary', sources: [{ service: '*', namespace: ns, arguments: [{ type: 'HEADER', key: 'x-canary', value: v('1') }] }], destinations: [{ service: 'echo', namespace: ns, labels: { version: v('v1') }, weight: 100 }] },
        { name: 'rest', sources: [{ service: '*', namespace: ns, arguments: [] }], destinations: [{ service: 'echo', namespace: ns, labels: { version: v('v2') }, weight: 100 }] },
      ]);
      await until(client, ['B']);
      await until(client, ['A'], { 'x-canary': '1' });

      // Weights move: the match-all sub-rule now sends everything to v1.
      await putRouteRule(
        d.http,
        'moved',
        [
          { name: 'canary', sources: [{ service: '*', namespace: ns, arguments: [{ type: 'HEADER', key: 'x-canary', value: v('1') }] }], destinations: [{ service: 'echo', namespace: ns, labels: { version: v('v2') }, weight: 100 }] },
          { name: 'rest', sources: [{ service: '*', namespace: ns, arguments: [] }], destinations: [{ service: 'echo', namespace: ns, labels: { version: v('v1') }, weight: 100 }] },
        ],
        id,
      );
      await until(client, ['A']);
      await until(client, ['B'], { 'x-canary': '1' });

      // The rule goes: both instances again; then the v1 instance goes away.
      const del = await fetch(`${d.http}/naming/v2/routings/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ id }]) });
      assert.equal(del.status, 200);
      await until(client, ['A', 'B']);
      await deleteInstances(d.http, ns, 'echo', [{ host: '127.0.0.1', port: a.port }]);
      await until(client, ['B']);
    } finally {
      client.close();
    }
  });
});
