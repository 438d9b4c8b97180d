/**
 * The xDS debug handlers of api-http (`/debug/apiserver/xds/envoy_nodes` and `/resources`, polaris
 * DebugHandlers) through the running daemon with console auth on: the connected sidecars and
 * gateways as node views, the resources a namespace gets (filtered by service), a node's
 * listeners, admin only, and a clear error for an unknown resource type.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, daemonPorts, startDaemon, type Daemon } from '../helpers/daemon.js';
import { authOnYaml, loginToken } from '../helpers/ops.js';
import { freePort, retryPortClash } from '../helpers/ports.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, node, T, type AdsClient } from '../helpers/xds-client.js';

const PASSWORD = 'xds-Debug-1';
let d: Daemon;
let ads: AdsClient;
let token = '';
const h = () => ({ 'X-Polaris-Token': token });

before(async () => {
  let xdsPort = 0;
  d = await retryPortClash(async () => {
    xdsPort = await freePort();
    const yaml = authOnYaml().replace('apiservers:\n', `apiservers:\n  - name: xds-v3\n    option:\n      listenIP: 127.0.0.1\n      listenPort: ${xdsPort}\n`);
    return startDaemon({ yaml, env: { POLARIS_ADMIN_PASSWORD: PASSWORD }, ports: await daemonPorts() });
  });
  token = await loginToken(d.http, PASSWORD);
  ads = adsClient(xdsPort);
});

after(async () => {
  ads?.close();
  await d?.stop();
});

async function register(ns: string, service: string, host: string): Promise<void> {
  const r = await call(d.http, 'POST', '/naming/v1/instances', [{ service, namespace: ns, host, port: 8080, weight: 100, healthy: true }], h());
  assert.equal(r.body?.code, 200000, r.text);
}

test('lists connected sidecars and gateways, a namespace resources by type and service, a node listeners; admin only', async () => {
  const ns = uniq('xdsdebug');
  await register(ns, 'svc-a', '10.7.0.1');
  await register(ns, 'svc-b', '10.7.0.2');

  const sidecarId = `${ns}/3f1e~10.0.0.21`;
  const sidecar = ads.sotw();
  sidecar.request(T.CDS, [], { node: node(sidecarId, { 'sidecar.polarismesh.cn/serviceName': 'svc-a' }) });
  await sidecar.next();
  const gatewayId = `gateway~${ns}/77aa~10.0.0.22`;
  const gateway = ads.sotw();
  gateway.request(T.CDS, [], { node: node(gatewayId, { 'gateway.polarismesh.cn/serviceNamespace': ns, 'gateway.polarismesh.cn/serviceName': 'svc-b' }) });
  await gateway.next();

  // Admin only: no token, no answer.
  const anonymous = await call(d.http, 'GET', '/debug/apiserver/xds/envoy_nodes?type=sidecar');
  assert.ok(anonymous.status >= 400 && anonymous.status < 500 && anonymous.status !== 404, String(anonymous.status));
  assert.equal((await call(d.http, 'GET', `/debug/apiserver/xds/resources?type=cds&namespace=${ns}`)).status, anonymous.status);

  const sidecars = await call(d.http, 'GET', '/debug/apiserver/xds/envoy_nodes?type=sidecar', undefined, h());
  assert.equal(sidecars.status, 200, sidecars.text);
  assert.equal(sidecars.body.code, 200000);
  assert.equal(sidecars.body.info, 'execute success');
  const mine = sidecars.body.data.find((n: any) => n.ID === sidecarId);
  assert.deepEqual(mine, {
    ID: sidecarId,
    RunType: 'sidecar',
    User: '',
    Namespace: ns,
    IPAddr: '10.0.0.21',
    PodIP: '10.0.0.21',
    Metadata: { 'sidecar.polarismesh.cn/serviceName': 'svc-a' },
    Version: '',
    TLSMode: 'none',
    OpenOnDemand: false,
  });
  assert.ok(!sidecars.body.data.some((n: any) => n.ID === gatewayId), 'gateways are not listed as sidecars');
  const gateways = await call(d.http, 'GET', '/debug/apiserver/xds/envoy_nodes?type=gateway', undefined, h());
  assert.deepEqual(
    gateways.body.data.filter((n: any) => n.Namespace === ns).map((n: any) => [n.ID, n.RunType]),
    [[gatewayId, 'gateway']],
  );

  const cds = await call(d.http, 'GET', `/debug/apiserver/xds/resources?type=cds&namespace=${ns}`, undefined, h());
  assert.equal(cds.status, 200, cds.text);
  assert.deepEqual(Object.keys(cds.body.data).sort(), [`OUTBOUND|${ns}|svc-a`, `OUTBOUND|${ns}|svc-b`, 'PassthroughCluster'].sort());
  assert.equal(cds.body.data[`OUTBOUND|${ns}|svc-a`].name, `OUTBOUND|${ns}|svc-a`);
  assert.equal(cds.body.data[`OUTBOUND|${ns}|svc-a`].type, 'EDS');

  const eds = await call(d.http, 'GET', `/debug/apiserver/xds/resources?type=eds&namespace=${ns}&service=svc-b`, undefined, h());
  assert.deepEqual(Object.keys(eds.body.data), [`OUTBOUND|${ns}|svc-b`]);
  const hosts = eds.body.data[`OUTBOUND|${ns}|svc-b`].endpoints.flatMap((l: any) => l.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address));
  assert.deepEqual(hosts, ['10.7.0.2']);

  const lds = await call(d.http, 'GET', `/debug/apiserver/xds/resources?type=lds&nodeId=${encodeURIComponent(sidecarId)}`, undefined, h());
  assert.ok('OUTBOUND_15001' in lds.body.data, lds.text);
  assert.ok(`svc-a.${ns}_INBOUND_15006` in lds.body.data, 'the sidecar inbound listener of its own service');
  const nobody = await call(d.http, 'GET', '/debug/apiserver/xds/resources?type=lds&nodeId=nobody', undefined, h());
  assert.deepEqual(nobody.body.data, {});

  const bad = await call(d.http, 'GET', `/debug/apiserver/xds/resources?type=bogus&namespace=${ns}`, undefined, h());
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.code, 400103);
  assert.match(bad.body.info, /cds, eds, rds, lds, vhds/);

  // A closed stream is no longer listed.
  sidecar.end();
  let listed = true;
  for (let i = 0; i < 50 && listed; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await call(d.http, 'GET', '/debug/apiserver/xds/envoy_nodes?type=sidecar', undefined, h());
    listed = now.body.data.some((n: any) => n.ID === sidecarId);
  }
  assert.equal(listed, false);
  gateway.end();
});
