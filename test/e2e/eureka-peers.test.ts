import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eu, instanceBody, JSON_HEADERS, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

/**
 * Outbound replication to `peersToReplicate`. The peer is a small HTTP server speaking the peer
 * batch protocol (as a Eureka server does): it records every item and answers 404 to heartbeats
 * for instances it has not seen registered, like Eureka.
 */

interface Seen {
  headers: IncomingHttpHeaders;
  items: any[];
}
/** A Eureka-like peer: records every batch, answers 404 to heartbeats of instances it has not seen. */
function fakePeer(): { server: Server; batches: Seen[]; known: Set<string> } {
  const batches: Seen[] = [];
  const known = new Set<string>();
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      // the start-up read of the peer's registry: nothing yet
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ applications: { application: [] } }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const items = (JSON.parse(body).replicationList ?? []) as any[];
      batches.push({ headers: req.headers, items });
      const responseList = items.map((i) => {
        const key = `${i.appName}/${i.id}`;
        if (i.action === 'Register') known.add(key);
        if (i.action === 'Cancel') known.delete(key);
        return { statusCode: i.action === 'Heartbeat' && !known.has(key) ? 404 : 200 };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ responseList }));
    });
  });
  return { server, batches, known };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const { server: peer, batches, known } = fakePeer();
const other = fakePeer();
let d: EurekaDaemon;

before(async () => {
  const port = await listen(peer);
  const otherPort = await listen(other.server);
  // refreshInterval 30: changes must reach the peer without waiting for a tick or a read.
  // The second item is the per-namespace map form: namespace peer-ns has its own peer.
  d = await startEurekaDaemon({
    eurekaOption: { refreshInterval: 30 },
    eurekaRaw: `      peersToReplicate:\n        - 127.0.0.1:${port}\n        - peer-ns: [127.0.0.1:${otherPort}]\n`,
  });
});
after(async () => {
  await d?.stop();
  await new Promise((r) => peer.close(r));
  await new Promise((r) => other.server.close(r));
});

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const items = () => batches.flatMap((b) => b.items);

test('registrations, renewals and cancels reach the peer; a 404 heartbeat is followed by a registration', async () => {
  const app = 'PEER-APP';
  const id = `10.50.0.1:${app.toLowerCase()}:80`;
  assert.equal((await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body: instanceBody(app, '10.50.0.1', 80), headers: JSON_HEADERS })).status, 204);
  await until('the registration at the peer', () => items().some((i) => i.action === 'Register' && i.id === id));
  const reg = items().find((i) => i.action === 'Register' && i.id === id);
  assert.equal(reg.appName, app);
  assert.equal(reg.instanceInfo.ipAddr, '10.50.0.1');
  assert.equal(reg.instanceInfo.port.$, 80);
  const headers = batches[0].headers;
  assert.equal(headers['discoveryidentity-name'], 'PolarisServer');
  assert.equal(headers['x-namespace'], 'default');

  known.delete(`${app}/${id}`); // the peer forgets it: the next heartbeat answers 404
  const before = items().filter((i) => i.action === 'Register' && i.id === id).length;
  assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
  await until('the heartbeat at the peer', () => items().some((i) => i.action === 'Heartbeat' && i.id === id));
  const beat = items().find((i) => i.action === 'Heartbeat' && i.id === id);
  assert.equal(beat.lastDirtyTimestamp, Number(reg.instanceInfo.lastDirtyTimestamp), 'the registration\'s dirty time, not now');
  assert.equal(beat.instanceInfo, undefined);
  await until('the re-registration after 404', () => items().filter((i) => i.action === 'Register' && i.id === id).length > before);

  assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 200);
  await until('the cancel at the peer', () => items().some((i) => i.action === 'Cancel' && i.id === id), 5000);
  assert.equal(known.has(`${app}/${id}`), false);
});

test('the map form replicates a namespace to its own peers under its x-namespace, and only there', async () => {
  const app = 'NS-PEER-APP';
  const id = `10.51.0.1:${app.toLowerCase()}:80`;
  const headers = { ...JSON_HEADERS, 'x-namespace': 'peer-ns' };
  assert.equal((await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body: instanceBody(app, '10.51.0.1', 80), headers })).status, 204);
  const seen = () => other.batches.flatMap((b) => b.items.map((i) => ({ ...i, ns: b.headers['x-namespace'] })));
  await until('the registration at the peer-ns peer', () => seen().some((i) => i.action === 'Register' && i.id === id));
  assert.equal(seen().find((i) => i.id === id).ns, 'peer-ns');
  assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`, { headers: { 'x-namespace': 'peer-ns' } })).status, 200);
  await until('the renewal at the peer-ns peer', () => seen().some((i) => i.action === 'Heartbeat' && i.id === id));
  assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`, { headers: { 'x-namespace': 'peer-ns' } })).status, 200);
  await until('the cancel at the peer-ns peer', () => seen().some((i) => i.action === 'Cancel' && i.id === id));
  assert.ok(!items().some((i) => i.id === id), 'the default namespace peer is not sent peer-ns changes');
  assert.ok(other.batches.every((b) => b.headers['x-namespace'] === 'peer-ns'), 'the peer-ns peer is sent nothing of the default namespace');
});

test('a server starting with a peer takes over what the peer holds before it serves', async () => {
  const a = await startEurekaDaemon();
  let c: EurekaDaemon | undefined;
  try {
    const app = 'SYNC-APP';
    const id = `10.60.0.1:${app.toLowerCase()}:80`;
    assert.equal((await eu(a.eureka, 'POST', `/eureka/apps/${app}`, { body: instanceBody(app, '10.60.0.1', 80), headers: JSON_HEADERS })).status, 204);
    assert.equal((await eu(a.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=OUT_OF_SERVICE`)).status, 200);
    c = await startEurekaDaemon({ eurekaRaw: `      peersToReplicate:\n        - ${a.eureka.replace('http://', '')}\n` });
    const r = await eu(c.eureka, 'GET', `/eureka/apps/${app}/${id}`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.instance.status, 'OUT_OF_SERVICE');
    assert.equal(r.json.instance.healthCheckUrl, 'http://10.60.0.1:80/actuator/health');
    assert.equal((await eu(c.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
  } finally {
    await c?.stop();
    await a.stop();
  }
});
