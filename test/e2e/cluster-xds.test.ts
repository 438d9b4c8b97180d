/**
 * xDS in cluster mode: two server processes sharing MariaDB (127.0.0.1:3306) and Redis
 * (127.0.0.1:6379); node B serves xDS. Instances and routing rules written on node A reach an
 * Envoy-like ADS stream on node B through the shared store's change feed, on the real clock.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { daemonPorts, startDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort, retryPortClash } from '../helpers/ports.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, byName, node, T, type AdsClient, type SotwResponse, type SotwSession } from '../helpers/xds-client.js';
import { deleteInstances, putInstances, putRouteRule } from '../helpers/xds-daemon.js';

const DB = uniqueDatabaseName();

let a: Daemon | undefined;
let b: Daemon | undefined;
let ads: AdsClient | undefined;

before(async () => {
  a = await startDaemon({ yaml: clusterConfigYaml(DB) });
  let xdsPort = 0;
  b = await retryPortClash(async () => {
    xdsPort = await freePort();
    const yaml = clusterConfigYaml(DB).replace('apiservers:\n', `apiservers:\n  - name: xds-v3\n    option:\n      listenIP: 127.0.0.1\n      listenPort: ${xdsPort}\n`);
    return startDaemon({ yaml, ports: await daemonPorts() });
  });
  ads = adsClient(xdsPort);
});

after(async () => {
  ads?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  } finally {
    await conn.end();
  }
});

const outbound = (ns: string, svc: string) => `OUTBOUND|${ns}|${svc}`;

/** The hosts of the load assignment `name` in an EDS answer, sorted. */
function hosts(res: SotwResponse, name: string): string[] {
  const cla = byName(res).get(name);
  return (cla?.endpoints ?? []).flatMap((l: any) => l.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address)).sort();
}

/** Reads answers of `type` (ACKing each) until `ok` holds for one; the time that took. */
async function until(s: SotwSession, type: string, names: string[], ok: (r: SotwResponse) => boolean, ms: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const left = ms - (Date.now() - start);
    if (left <= 0) throw new Error(`no matching ${type} answer within ${ms} ms`);
    const r = await s.next(left);
    if (r.type_url === type) s.request(type, names, { ack: r });
    if (r.type_url === type && ok(r)) return Date.now() - start;
  }
}

test('instances written on node A reach an xDS stream on node B: added, then removed', async (t) => {
  const ns = uniq('cxds');
  await putInstances(a!.http, ns, 'web', [{ host: '10.61.0.1', port: 8080 }]);
  const s = ads!.sotw();
  const eds = [outbound(ns, 'web')];
  // Node B may not have followed A's first write yet: its answer then grows to the instance.
  s.request(T.EDS, eds, { node: node(`${ns}/c1~10.0.0.5`) });
  await until(s, T.EDS, eds, (r) => hosts(r, eds[0]).includes('10.61.0.1'), 10_000);

  await putInstances(a!.http, ns, 'web', [{ host: '10.61.0.2', port: 8080 }]);
  const added = await until(s, T.EDS, eds, (r) => hosts(r, eds[0]).join() === '10.61.0.1,10.61.0.2', 10_000);

  await deleteInstances(a!.http, ns, 'web', [{ host: '10.61.0.1', port: 8080 }]);
  const removed = await until(s, T.EDS, eds, (r) => hosts(r, eds[0]).join() === '10.61.0.2', 10_000);
  t.diagnostic(`pushed on node B ${added} ms after the write on A returned (added), ${removed} ms (removed)`);
  s.end();
});

test('a routing rule created on node A reaches the outbound route on node B', async () => {
  const ns = uniq('cxdsr');
  await putInstances(a!.http, ns, 'api', [{ host: '10.62.0.1', port: 9090, metadata: { version: 'v2' } }]);
  const s = ads!.sotw();
  const names = ['polaris-outbound-router'];
  s.request(T.RDS, names, { node: node(`${ns}/c2~10.0.0.6`) });
  const vhost = (r: SotwResponse) => byName(r).get('polaris-outbound-router')?.virtual_hosts?.find((v: any) => v.name === outbound(ns, 'api'));
  await until(s, T.RDS, names, (r) => vhost(r) !== undefined, 10_000);
  await putRouteRule(a!.http, uniq('r'), [
    {
      name: 'v2',
      sources: [{ service: '*', namespace: ns, arguments: [{ type: 'HEADER', key: 'x-v2', value: { type: 'EXACT', value: '1' } }] }],
      destinations: [{ service: 'api', namespace: ns, labels: { version: { type: 'EXACT', value: 'v2' } }, weight: 100 }],
    },
  ]);
  let routes: any[] = [];
  await until(s, T.RDS, names, (r) => (routes = vhost(r)?.routes ?? []).length === 2, 10_000);
  assert.deepEqual(routes[0].match.headers, [{ name: 'x-v2', string_match: { exact: '1' } }]);
  assert.deepEqual(routes[1], { match: { prefix: '/' }, route: { cluster: outbound(ns, 'api') } });
  s.end();
});
