/**
 * plugin.ratelimit (token-bucket) through the running daemon: a per-API rule refuses the gRPC SDK
 * with 403003 in the answer, a per-service rule (instance-limit) answers 429001 over HTTP and gRPC
 * from one bucket per service, and after a SIGHUP with a per-IP rule the HTTP API answers 429 /
 * 429002 in its envelope.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

const w = (value: unknown) => ({ value });
const apiRule = `
plugin:
  ratelimit:
    name: token-bucket
    option:
      api-limit:
        open: true
        rules:
          - name: store-write
            limit: { open: true, bucket: 2, rate: 0.01 }
        apis:
          - name: RegisterInstance
            rule: store-write
      instance-limit:
        open: true
        global: { open: true, bucket: 2, rate: 0.01 }
`;
const ipRule = `
plugin:
  ratelimit:
    name: token-bucket
    option:
      ip-limit:
        open: true
        global: { open: true, bucket: 3, rate: 0.01 }
`;

let d: Daemon;
let grpc: any;

before(async () => {
  d = await startDaemon({ extraYaml: apiRule });
  grpc = polarisClient(d.ports.grpc);
});

after(async () => {
  grpc?.close();
  await d?.stop();
});

test('a per-API bucket refuses the third RegisterInstance with 403003; other methods pass', async () => {
  const reg = (port: number) => unary(grpc, 'RegisterInstance', { service: w('rl'), namespace: w('default'), host: w('10.6.0.1'), port: w(port) });
  assert.equal((await reg(1)).code.value, 200000);
  assert.equal((await reg(2)).code.value, 200000);
  const refused = await reg(3);
  assert.equal(refused.code.value, 403003);
  assert.equal((await unary(grpc, 'ReportClient', { host: w('127.0.0.1') })).code.value, 200000);
  const m = await call(d.http, 'GET', '/metrics');
  assert.match(m.text, /client_rq_total\{[^}]*api="RegisterInstance"[^}]*err_code="403003"/);
});

test('a per-service bucket answers 429001 over HTTP (body, batch body, query) and gRPC, one bucket per service', async () => {
  const http = (path: string, body: unknown) => call(d.http, 'POST', path, body);
  const inst = (service: string, port: number) => ({ service, namespace: 'default', host: '10.6.1.1', port });
  assert.equal((await http('/v1/RegisterInstance', inst('rl-a', 1))).body.code, 200000);
  assert.equal((await http('/v1/RegisterInstance', inst('rl-a', 2))).body.code, 200000);
  const refused = await http('/v1/RegisterInstance', inst('rl-a', 3));
  assert.equal(refused.status, 429);
  assert.equal(refused.body.code, 429001);
  assert.equal(refused.headers.get('x-polaris-code'), '429001');
  const list = await call(d.http, 'GET', '/naming/v1/instances?service=rl-a&namespace=default');
  assert.equal(list.status, 429, 'a query naming the service takes from its bucket');
  const grpcRefused = await unary(grpc, 'DeregisterInstance', { service: w('rl-a'), namespace: w('default'), host: w('10.6.1.1'), port: w(1) });
  assert.equal(grpcRefused.code.value, 429001, 'gRPC shares the bucket of the service');
  assert.equal((await http('/v1/RegisterInstance', inst('rl-b', 1))).body.code, 200000, 'another service has its own bucket');
  // A batch naming rl-b (one token left) and rl-c (fresh): refused as a whole once rl-b runs dry.
  assert.equal((await http('/naming/v1/instances', [inst('rl-b', 2), inst('rl-c', 1)])).body.code, 200000);
  const batch = await http('/naming/v1/instances', [inst('rl-b', 3), inst('rl-c', 2)]);
  assert.equal(batch.status, 429);
  assert.equal(batch.body.code, 429001);
  const stored = await call(d.http, 'GET', '/naming/v1/instances?service=rl-c&namespace=default');
  assert.equal(stored.status, 429, 'rl-c spent its second token on the refused batch');
  const m = await call(d.http, 'GET', '/metrics');
  assert.match(m.text, /client_rq_total\{[^}]*api="POST:\/v1\/RegisterInstance"[^}]*err_code="429001"/);
});

test('after SIGHUP a per-IP bucket answers HTTP with 429 and code 429002 in the envelope', async () => {
  const file = readdirSync(d.dir).find((f) => /^polaris-server-.*\.yaml$/.test(f));
  assert.ok(file);
  writeFileSync(join(d.dir, file), defaultYaml().replaceAll('{{DIR}}', d.dir).replace('{{HTTP}}', String(d.ports.http)).replace('{{GRPC}}', String(d.ports.grpc)) + ipRule);
  d.proc.kill('SIGHUP');
  let refused: Awaited<ReturnType<typeof call>> | undefined;
  for (let i = 0; i < 100 && !refused; i++) {
    const r = await call(d.http, 'GET', '/naming/v1/services');
    if (r.status === 429) refused = r;
    else await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(refused, 'the per-IP limit took effect');
  assert.equal(refused.body.code, 429002);
  assert.equal(refused.headers.get('x-polaris-code'), '429002');
  assert.equal((await call(d.http, 'GET', '/readyz')).status, 200, 'probes are exempt');
  assert.equal((await call(d.http, 'GET', '/metrics')).status, 200, 'scrapes are exempt');
});
