import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, hdsClient, node, T } from '../helpers/xds-client.js';
import { startXdsDaemon } from '../helpers/xds-daemon.js';

let d: Daemon;
let xdsPort: number;

before(async () => {
  ({ d, xdsPort } = await startXdsDaemon());
});
after(async () => {
  await d?.stop();
});

async function instances(ns: string, service: string): Promise<any[]> {
  const res = await call(d.http, 'GET', `/naming/v1/instances?namespace=${ns}&service=${service}`);
  return res.body?.instances ?? [];
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(what);
}

describe('xDS health discovery (HDS): sidecars register their services', () => {
  it('registers each (service, protocol, port), answers what to probe, heartbeats HEALTHY and deregisters DRAINING', async () => {
    const ns = uniq('hds');
    const hds = hdsClient(xdsPort);
    const s = hds.stream();
    const services = [{ name: 'web', ports: { HTTP: [8080], GRPC: [9090] }, health_check_path: '/healthz', health_check_ttl: 5 }];
    s.send({
      health_check_request: {
        node: { ...node(`${ns}/pod-1~127.0.0.5`, { 'sidecar.polarismesh.cn/registerServices': JSON.stringify(services), team: 'a' }), locality: { region: 'r1', zone: 'z1', sub_zone: 'c1' } },
        capability: { health_check_protocols: ['HTTP', 'TCP'] },
      },
    });
    const spec = await s.next();
    const names = spec.cluster_health_checks.map((c: any) => c.cluster_name).sort();
    assert.deepEqual(names, ['INBOUND|8080|web', 'INBOUND|9090|web']);
    const c0 = spec.cluster_health_checks.find((c: any) => c.cluster_name === 'INBOUND|8080|web');
    assert.equal(c0.health_checks[0].http_health_check.path, '/healthz');
    assert.equal(c0.locality_endpoints[0].endpoints[0].address.socket_address.address, '127.0.0.5');
    assert.equal(spec.interval.seconds, '5');

    const list = await instances(ns, 'web');
    assert.deepEqual(list.map((i) => [i.host, i.port, i.protocol]).sort(), [['127.0.0.5', 8080, 'HTTP'], ['127.0.0.5', 9090, 'GRPC']]);
    const web = list.find((i) => i.port === 8080);
    assert.equal(web.metadata['internal-register-from'], 'xdsv3');
    assert.equal(web.metadata.team, 'a');
    assert.equal(web.enableHealthCheck ?? web.enable_health_check, true);
    assert.equal(web.location.campus, 'c1');

    const report = (port: number, health: string) =>
      s.send({ endpoint_health_response: { endpoints_health: [{ endpoint: { address: { socket_address: { address: '127.0.0.5', port_value: port } } }, health_status: health }] } });
    report(8080, 'HEALTHY');
    report(9090, 'DRAINING');
    await eventually(async () => (await instances(ns, 'web')).length === 1, 'the DRAINING port is deregistered');
    const left = await instances(ns, 'web');
    assert.equal(left[0].port, 8080);
    assert.equal(left[0].healthy, true);
    s.end();
    hds.close();
  });

  it('a daemon stopping with open ADS and HDS streams ends them and exits cleanly', async () => {
    const ns = uniq('hds');
    const ads = adsClient(xdsPort);
    const hds = hdsClient(xdsPort);
    const a = ads.sotw();
    a.request(T.CDS, [], { node: node(`${ns}/x~127.0.0.6`) });
    await a.next();
    const h = hds.stream();
    h.send({ health_check_request: { node: node(`${ns}/y~127.0.0.7`) } });
    await h.next();
    const t0 = Date.now();
    const code = await d.stop();
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 4000, `stopped after ${Date.now() - t0} ms`);
    ads.close();
    hds.close();
  });
});
