import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Eureka } from 'eureka-js-client';
import { call, defaultYaml } from '../helpers/daemon.js';
import { eu, jsClient, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

/** The real eureka-js-client against the started daemon, on the real clock. */

let d: EurekaDaemon;
const clients: Eureka[] = [];

before(async () => {
  // The Eureka listener is one of the server's own registered endpoints, as api-http and gRPC are.
  d = await startEurekaDaemon({ yamlBase: defaultYaml().replace('          - service-grpc\n', '          - service-grpc\n          - service-eureka\n') });
});
after(async () => {
  for (const c of clients) clearInterval((c as any).heartbeat), clearInterval((c as any).registryFetch);
  await d?.stop();
});

function instanceConfig(app: string, host: string, port: number, lease?: { renewalIntervalInSecs: number; durationInSecs: number }) {
  return {
    app,
    hostName: host,
    ipAddr: host,
    port: { $: port, '@enabled': true },
    vipAddress: app.toLowerCase(),
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    ...(lease ? { leaseInfo: lease } : {}),
  };
}

async function started(c: Eureka): Promise<void> {
  clients.push(c);
  await new Promise<void>((resolve, reject) => c.start((err) => (err ? reject(err) : resolve())));
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function visible(app: string, host: string): Promise<boolean> {
  const r = await eu(d.eureka, 'GET', `/eureka/apps/${app}`, { headers: { accept: 'application/json' } });
  return r.status === 200 && r.json.application.instance.some((i: any) => i.hostName === host);
}

async function polarisInstance(app: string): Promise<any> {
  const r = await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`);
  return r.body.instances?.[0];
}

const uniq = () => `JS${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

describe('eureka-js-client', () => {
  test('the server registers its Eureka endpoint (protocol eureka) in polaris.checker', async () => {
    const r = await call(d.http, 'GET', '/naming/v1/instances?service=polaris.checker&namespace=Polaris');
    const eureka = r.body.instances.filter((i: any) => i.protocol === 'eureka');
    assert.deepEqual(eureka.map((i: any) => i.port), [d.eurekaPort]);
  });

  test('registers, renews, fetches the registry (full then delta) and sees polaris instances', async () => {
    const app = uniq();
    const c = jsClient(d.eureka, instanceConfig(app, '192.168.50.1', 3000), {
      heartbeatInterval: 300,
      registryFetchInterval: 60_000,
    });
    (c as any).config.shouldUseDelta = true;
    let beats = 0;
    c.on('heartbeat', () => beats++);
    await started(c);
    const own = c.getInstancesByAppId(app);
    assert.equal(own.length, 1);
    assert.equal(own[0].status, 'UP');
    assert.equal(own[0].vipAddress, app.toLowerCase());
    await until('two renewals', () => beats >= 2);

    // Visible over polaris' own protocols.
    const disc = await call(d.http, 'POST', '/v1/Discover', { type: 'INSTANCE', service: { name: app.toLowerCase(), namespace: 'default' } });
    assert.equal(disc.body.code, 200000, disc.text);
    assert.deepEqual(disc.body.instances.map((i: any) => `${i.host}:${i.port}`), ['192.168.50.1:3000']);

    // A polaris SDK registration reaches the client through a delta fetch.
    const svc = `sdk-${app.toLowerCase()}`;
    const reg = await call(d.http, 'POST', '/v1/RegisterInstance', { service: svc, namespace: 'default', host: '10.20.0.1', port: 8081 });
    assert.equal(reg.body.code, 200000);
    assert.equal(c.hasFullRegistry, true);
    await new Promise<void>((resolve, reject) => c.fetchRegistry((err) => (err ? reject(err) : resolve())));
    const seen = c.getInstancesByAppId(svc);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].ipAddr, '10.20.0.1');
    assert.deepEqual(c.getInstancesByVipAddress(svc.toUpperCase()).map((i) => i.ipAddr), ['10.20.0.1']);
  });

  test('a renewal answered 404 makes the client register again', async () => {
    const app = uniq();
    const c = jsClient(d.eureka, instanceConfig(app, '192.168.50.2', 3001), { heartbeatInterval: 60_000, fetchRegistry: false });
    await started(c);
    const inst = await polarisInstance(app);
    const del = await call(d.http, 'POST', '/naming/v1/instances/delete', [{ id: inst.id }]);
    assert.equal(del.body.code, 200000, del.text);
    assert.equal(await visible(app, '192.168.50.2'), false);
    const again = once(c, 'registered');
    c.renew();
    await again;
    assert.equal(await visible(app, '192.168.50.2'), true);
  });

  test('a client that stops renewing turns unhealthy after its lease and is hidden; a renewal brings it back; stop removes it', async () => {
    const app = uniq();
    const host = '192.168.50.3';
    const c = jsClient(d.eureka, instanceConfig(app, host, 3002, { renewalIntervalInSecs: 2, durationInSecs: 6 }), {
      heartbeatInterval: 1000,
      fetchRegistry: false,
    });
    await started(c);
    assert.equal((await polarisInstance(app)).healthCheck.heartbeat.ttl, 2); // min(ceil(6 / 3), 2)
    // Renewing every second keeps it well past its 6 s lease (3 × TTL).
    await new Promise((r) => setTimeout(r, 8000));
    assert.equal(await visible(app, host), true);
    assert.equal((await polarisInstance(app)).healthy, true);

    clearInterval((c as any).heartbeat);
    const stoppedAt = Date.now();
    await until('the lease to expire', async () => !(await visible(app, host)), 30_000);
    assert.ok(Date.now() - stoppedAt >= 4000, 'not hidden before the lease ran out');
    const inst = await polarisInstance(app);
    assert.equal(inst.healthy, false, 'expired, not deleted');

    c.renew();
    await until('a renewal to make it healthy again', () => visible(app, host));

    await new Promise<void>((resolve, reject) => c.stop((err) => (err ? reject(err) : resolve())));
    assert.equal(await visible(app, host), false);
    assert.equal(await polarisInstance(app), undefined);
  });
});
