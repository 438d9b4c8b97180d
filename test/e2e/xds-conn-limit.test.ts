/**
 * connLimit on the xds-v3 listener through the running daemon: with maxConnPerHost 1, a second
 * Envoy connection from the same host is refused (its stream fails UNAVAILABLE) while the first
 * connection keeps being served, and the refusal shows in the maintain connection stats.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { call, daemonPorts, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort, retryPortClash } from '../helpers/ports.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, byName, node, T, type AdsClient } from '../helpers/xds-client.js';
import { putInstances } from '../helpers/xds-daemon.js';

let d: Daemon;
let xdsPort: number;
const clients: AdsClient[] = [];

before(async () => {
  d = await retryPortClash(async () => {
    xdsPort = await freePort();
    const yaml = defaultYaml().replace(
      'apiservers:\n',
      `apiservers:\n  - name: xds-v3\n    option:\n      listenIP: 127.0.0.1\n      listenPort: ${xdsPort}\n` +
        '      connLimit:\n        openConnLimit: true\n        maxConnPerHost: 1\n        maxConnLimit: 100\n        purgeCounterInterval: 60s\n',
    );
    return startDaemon({ yaml, ports: await daemonPorts() });
  });
});

after(async () => {
  for (const c of clients) c.close();
  await d?.stop();
});

test('a second xDS connection from a host over maxConnPerHost 1 is refused; the first keeps working', async () => {
  const ns = uniq('xdslimit');
  await putInstances(d.http, ns, 'svc', [{ host: '10.1.0.1', port: 80 }]);
  const cluster = `OUTBOUND|${ns}|svc`;

  const first = adsClient(xdsPort, { ownConnection: true });
  clients.push(first);
  const s1 = first.sotw();
  s1.request(T.CDS, [], { node: node(`${ns}/first~10.0.0.1`) });
  const cds = await s1.next();
  assert.ok(byName(cds).has(cluster));
  s1.request(T.CDS, [], { ack: cds });
  s1.request(T.EDS, [cluster]);
  const eds = await s1.next();
  s1.request(T.EDS, [cluster], { ack: eds });

  const second = adsClient(xdsPort, { ownConnection: true });
  clients.push(second);
  const s2 = second.sotw();
  s2.request(T.CDS, [], { node: node(`${ns}/second~10.0.0.2`) });
  const err = await s2.inbox.closed(10_000);
  assert.equal(err.code, status.UNAVAILABLE, `refused connection: ${err.message}`);

  const stats = await call(d.http, 'GET', '/maintain/v1/apiserver/conn/stats?protocol=xds-v3&host=127.0.0.1');
  assert.equal(stats.status, 200, stats.text);
  assert.equal(stats.body.ActiveConnTotal, 1, stats.text);
  assert.ok(stats.body.RefusedTotal >= 1, stats.text);

  // The admitted connection still follows changes.
  await putInstances(d.http, ns, 'svc', [{ host: '10.1.0.2', port: 80 }]);
  const pushed = await s1.next(10_000);
  assert.equal(pushed.type_url, T.EDS);
  const hosts = byName(pushed)
    .get(cluster)
    .endpoints.flatMap((l: any) => l.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address))
    .sort();
  assert.deepEqual(hosts, ['10.1.0.1', '10.1.0.2']);
});
