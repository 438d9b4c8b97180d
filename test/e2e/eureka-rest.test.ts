import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { call } from '../helpers/daemon.js';
import { eu, instanceBody, JSON_HEADERS, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

/** Raw REST against the started daemon: the wire shapes stock Eureka clients depend on. */

let d: EurekaDaemon;
const uniq = () => `app${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
const ACCEPT_JSON = { accept: 'application/json' };

before(async () => {
  d = await startEurekaDaemon({ eurekaRaw: '      customValues:\n        dataCenterInfoName: LabDC\n' });
});
after(async () => {
  await d?.stop();
});

function readLogs(dir: string): string {
  const logDir = join(dir, 'log');
  let out = '';
  for (const f of readdirSync(logDir, { recursive: true }) as string[]) {
    if (f.endsWith('.log')) out += readFileSync(join(logDir, f), 'utf8');
  }
  return out;
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function apps(path = '/eureka/apps', headers: Record<string, string> = ACCEPT_JSON): Promise<any> {
  const r = await eu(d.eureka, 'GET', path, { headers });
  assert.equal(r.status, 200, r.text);
  return r.json.applications;
}

function instancesOf(applications: any, app: string): any[] {
  return applications.application.find((a: any) => a.name === app)?.instance ?? [];
}

async function register(app: string, host: string, port: number, extra: Record<string, unknown> = {}, base = '/eureka'): Promise<string> {
  const r = await eu(d.eureka, 'POST', `${base}/apps/${app}`, { body: instanceBody(app, host, port, extra), headers: JSON_HEADERS });
  assert.equal(r.status, 204, r.text);
  return `${host}:${app.toLowerCase()}:${port}`;
}

describe('register, read, renew, cancel', () => {
  test('JSON registration is a polaris instance (lower-case service) shown upper-case to Eureka', async () => {
    const app = uniq();
    const id = await register(app, '10.0.0.5', 8080);
    const list = await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`);
    assert.equal(list.body.amount, 1);
    const inst = list.body.instances[0];
    assert.equal(inst.id, id);
    assert.equal(inst.host, '10.0.0.5');
    assert.equal(inst.port, 8080);
    assert.equal(inst.healthCheck.heartbeat.ttl, 30);
    assert.equal(inst.metadata['internal-eureka-instance-id'], id);
    assert.equal(inst.metadata['management.port'], '8080');
    assert.equal(inst.location.zone, 'zone-a');

    const view = await apps();
    const [info] = instancesOf(view, app);
    assert.equal(info.instanceId, id);
    assert.equal(info.app, app);
    assert.equal(info.status, 'UP');
    assert.deepEqual(info.port, { $: 8080, '@enabled': 'true' });
    assert.deepEqual(info.securePort, { $: 443, '@enabled': 'false' });
    assert.equal(info.vipAddress, app.toLowerCase());
    assert.equal(info.healthCheckUrl, 'http://10.0.0.5:8080/actuator/health');
    assert.equal(info.metadata.zone, 'zone-a');
    assert.equal(Object.keys(info.metadata).some((k) => k.startsWith('internal-')), false);
    assert.match(view.apps__hashcode, /UP_\d+_/);

    const one = await eu(d.eureka, 'GET', `/eureka/apps/${app.toLowerCase()}`, { headers: ACCEPT_JSON });
    assert.equal(one.json.application.name, app);
    const byId = await eu(d.eureka, 'GET', `/eureka/apps/${app}/${id}`, { headers: ACCEPT_JSON });
    assert.equal(byId.json.instance.instanceId, id);
    const anywhere = await eu(d.eureka, 'GET', `/eureka/instances/${id}`, { headers: ACCEPT_JSON });
    assert.equal(anywhere.json.instance.app, app);
    assert.equal((await eu(d.eureka, 'GET', `/eureka/apps/${uniq()}`)).status, 404);
    assert.equal((await eu(d.eureka, 'GET', `/eureka/apps/${app}/nope`)).status, 404);
    assert.equal((await eu(d.eureka, 'GET', `/eureka/instances/nope`)).status, 404);
  });

  test('XML in (charset parameter accepted) and XML out', async () => {
    const app = uniq();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<instance>
  <instanceId>x1</instanceId><hostName>h1.example</hostName><app>${app}</app><ipAddr>10.1.1.1</ipAddr>
  <status>UP</status><overriddenstatus>UNKNOWN</overriddenstatus>
  <port enabled="true">9001</port><securePort enabled="false">443</securePort><countryId>1</countryId>
  <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>
  <leaseInfo><renewalIntervalInSecs>10</renewalIntervalInSecs><durationInSecs>30</durationInSecs></leaseInfo>
  <metadata><k1>a &amp; b</k1></metadata>
  <vipAddress>${app.toLowerCase()}</vipAddress>
</instance>`;
    const r = await eu(d.eureka, 'POST', `/eureka/v2/apps/${app}`, { body: xml, headers: { 'content-type': 'application/xml; charset=UTF-8' } });
    assert.equal(r.status, 204, r.text);
    const x = await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept: 'application/xml' } });
    assert.equal(x.headers.get('content-type'), 'application/xml');
    assert.match(x.text, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.match(x.text, new RegExp(`<name>${app}</name>`));
    assert.match(x.text, /<port enabled="true">9001<\/port>/);
    assert.match(x.text, /<k1>a &amp; b<\/k1>/);
    const noAccept = await eu(d.eureka, 'GET', `/apps/${app}/x1`);
    assert.match(noAccept.text, /<instance><instanceId>x1<\/instanceId><hostName>h1.example<\/hostName>/);
    const inst = (await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`)).body.instances[0];
    assert.equal(inst.metadata.k1, 'a & b');
    assert.equal(inst.healthCheck.heartbeat.ttl, 10);
  });

  test('gzip request bodies; every base path; Accept lists with JSON get JSON', async () => {
    const app = uniq();
    const r = await eu(d.eureka, 'POST', `/apps/${app}`, {
      body: gzipSync(instanceBody(app, '10.2.2.2', 7000)),
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
    });
    assert.equal(r.status, 204, r.text);
    for (const base of ['', '/eureka', '/eureka/v1', '/eureka/v2']) {
      const a = await apps(`${base}/apps/`, { accept: 'application/json, application/*+json' });
      assert.equal(instancesOf(a, app).length, 1, base);
    }
    const q = await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept: 'application/json;q=0.9' } });
    assert.equal(q.headers.get('content-type'), 'application/json');
  });

  test('renew: 200 for a known instance, 404 for an unknown one or another app', async () => {
    const app = uniq();
    const id = await register(app, '10.3.3.3', 7001);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}?status=UP&lastDirtyTimestamp=1`)).status, 200);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/unknown-id`)).status, 404);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${uniq()}/${id}`)).status, 404);
  });

  test('registrations and cancels are access-logged', async () => {
    const app = uniq();
    const id = await register(app, '10.4.4.9', 7009);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 200);
    const logs = () => d.output() + readLogs(d.dir);
    await waitFor(() => logs().includes(`/eureka/apps/${app}/${id}`));
    assert.match(logs(), new RegExp(`"method":"POST","url":"/eureka/apps/${app}"`));
  });

  test('cancel removes at once; a second cancel is 404', async () => {
    const app = uniq();
    const id = await register(app, '10.4.4.4', 7002);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 200);
    assert.equal(instancesOf(await apps(), app).length, 0);
    const list = await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`);
    assert.equal(list.body.amount, 0);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 404);
  });

  test('bad input is 400 and stores nothing', async () => {
    const app = uniq();
    const post = (body: string | Buffer, headers: Record<string, string> = JSON_HEADERS) => eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body, headers });
    const cases: Array<[string, string | Buffer, Record<string, string>?]> = [
      ['malformed JSON', '{"instance": {'],
      ['malformed XML', '<instance><hostName>h</instance>', { 'content-type': 'application/xml' }],
      ['wrong XML root', '<application><name>x</name></application>', { 'content-type': 'application/xml' }],
      ['empty body', ''],
      ['no hostName', instanceBody(app, '', 8080)],
      ['no port', JSON.stringify({ instance: { ...JSON.parse(instanceBody(app, 'h', 1)).instance, port: undefined } })],
      ['bad port', instanceBody(app, 'h', 1, { port: { $: 'x', '@enabled': 'true' } })],
      ['no app', instanceBody(app, 'h', 1, { app: '' })],
      ['other app', instanceBody(app, 'h', 1, { app: 'SOMETHING-ELSE' })],
      ['bad gzip', 'not gzip', { ...JSON_HEADERS, 'content-encoding': 'gzip' }],
    ];
    for (const [name, body, headers] of cases) {
      const r = await post(body, headers);
      assert.equal(r.status, 400, `${name}: ${r.status} ${r.text}`);
      assert.ok(r.text.length > 0, `${name} has a reason`);
    }
    const svc = await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`);
    assert.equal(svc.body.amount ?? 0, 0);
  });
});

describe('media types', () => {
  test('a body in a type the routes do not consume is 415 and stores nothing; JSON and XML with parameters pass', async () => {
    const app = uniq();
    const body = instanceBody(app, '10.9.9.1', 8080);
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'text/xml']) {
      const r = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body, headers: { 'content-type': ct, accept: 'application/json' } });
      assert.equal(r.status, 415, `${ct}: ${r.status} ${r.text}`);
      assert.match(r.text, /Content-Type/);
    }
    assert.equal(instancesOf(await apps(), app).length, 0);
    const svc = await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`);
    assert.equal(svc.body.amount ?? 0, 0);
    const ok = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body, headers: { 'content-type': 'application/json; charset=UTF-8' } });
    assert.equal(ok.status, 204, ok.text);
    // body-less renewals, cancels and reads send no Content-Type and pass
    const id = `10.9.9.1:${app.toLowerCase()}:8080`;
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
  });

  test('an Accept naming neither JSON, XML nor */* is 406; lists and q-values that include one pass', async () => {
    for (const accept of ['text/html', 'text/plain, image/png', 'application/yaml']) {
      const r = await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept } });
      assert.equal(r.status, 406, `${accept}: ${r.status}`);
      assert.match(r.text, /Accept/);
    }
    assert.equal((await eu(d.eureka, 'PUT', '/eureka/apps/NOPE/nope', { headers: { accept: 'text/html' } })).status, 406, 'writes too');
    assert.equal((await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept: 'text/html, */*;q=0.1' } })).status, 200);
    const xml = await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept: 'application/xml;q=0.5' } });
    assert.equal(xml.status, 200);
    assert.match(xml.headers.get('content-type') ?? '', /application\/xml/);
    assert.equal((await eu(d.eureka, 'GET', '/eureka/apps')).status, 200, 'no Accept at all');
    assert.equal((await eu(d.eureka, 'GET', '/eureka/nothing-here', { headers: { accept: 'text/html' } })).status, 404, 'unknown paths stay 404');
  });
});

describe('status override, metadata, VIPs, replication', () => {
  test('an OUT_OF_SERVICE override survives renewals and re-registration until it is deleted', async () => {
    const app = uniq();
    const id = await register(app, '10.5.5.5', 7003);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=OUT_OF_SERVICE`)).status, 200);
    const statusOf = async () => instancesOf(await apps(), app)[0];
    assert.equal((await statusOf()).status, 'OUT_OF_SERVICE');
    assert.equal((await statusOf()).overriddenstatus, 'OUT_OF_SERVICE');
    assert.equal((await statusOf()).overriddenStatus, 'OUT_OF_SERVICE');
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
    await register(app, '10.5.5.5', 7003); // the client re-registers with status UP
    assert.equal((await statusOf()).status, 'OUT_OF_SERVICE');
    const polaris = (await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=default`)).body.instances[0];
    assert.equal(polaris.isolate, true);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}/status`)).status, 200);
    assert.equal((await statusOf()).status, 'UP');
    assert.equal((await statusOf()).overriddenstatus, 'UNKNOWN');
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=BOGUS`)).status, 400);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/nope/status?value=DOWN`)).status, 404);
  });

  test('STARTING and DOWN registrations read back as such', async () => {
    const app = uniq();
    await register(app, '10.6.6.1', 1, { status: 'STARTING' });
    await register(app, '10.6.6.2', 2, { status: 'DOWN' });
    const statuses = instancesOf(await apps(), app).map((i) => i.status).sort();
    assert.deepEqual(statuses, ['DOWN', 'STARTING']);
  });

  test('metadata PUT merges and keeps the Eureka fields', async () => {
    const app = uniq();
    const id = await register(app, '10.7.7.7', 7004);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/metadata?color=blue&zone=zone-b`)).status, 200);
    const info = instancesOf(await apps(), app)[0];
    assert.equal(info.metadata.color, 'blue');
    assert.equal(info.metadata.zone, 'zone-b');
    assert.equal(info.metadata['management.port'], '7004');
    assert.equal(info.healthCheckUrl, 'http://10.7.7.7:7004/actuator/health');
    assert.deepEqual(info.port, { $: 7004, '@enabled': 'true' });
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/metadata?internal-eureka-status=DOWN`)).status, 400);
  });

  test('VIP and SVIP queries are case-insensitive on both sides', async () => {
    const app = uniq();
    await register(app, '10.8.8.8', 7005, { vipAddress: `${app.toLowerCase()}-vip,Other-Vip`, secureVipAddress: `${app}-SECURE` });
    for (const q of [`${app.toLowerCase()}-VIP`, 'other-vip']) {
      const r = await eu(d.eureka, 'GET', `/eureka/vips/${q}`, { headers: ACCEPT_JSON });
      assert.equal(instancesOf(r.json.applications, app).length, 1, q);
    }
    const s = await eu(d.eureka, 'GET', `/eureka/svips/${app.toLowerCase()}-secure`, { headers: ACCEPT_JSON });
    assert.equal(instancesOf(s.json.applications, app).length, 1);
    assert.equal(s.json.applications.apps__hashcode, 'UP_1_');
    const none = await eu(d.eureka, 'GET', `/eureka/vips/nothing-${app}`, { headers: ACCEPT_JSON });
    assert.deepEqual(none.json.applications.application, []);
  });

  test('replication batch: items applied in parallel, per-item codes, polaris peers ignored', async () => {
    const app = uniq();
    const info = JSON.parse(instanceBody(app, '10.9.9.9', 7006)).instance;
    const id = info.instanceId;
    const batch = {
      replicationList: [
        { appName: app, id, action: 'Register', instanceInfo: info },
        { appName: app, id: 'ghost', action: 'Heartbeat' },
      ],
    };
    const r = await eu(d.eureka, 'POST', '/eureka/peerreplication/batch/', { body: JSON.stringify(batch), headers: JSON_HEADERS });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.responseList.map((x: any) => x.statusCode), [200, 404]);
    assert.equal(instancesOf(await apps(), app).length, 1);
    const beats = { replicationList: Array.from({ length: 200 }, () => ({ appName: app, id, action: 'Heartbeat' })) };
    const b = await eu(d.eureka, 'POST', '/eureka/peerreplication/batch', { body: JSON.stringify(beats), headers: JSON_HEADERS });
    assert.equal(b.json.responseList.length, 200);
    assert.ok(b.json.responseList.every((x: any) => x.statusCode === 200));
    const fromPolaris = await eu(d.eureka, 'POST', '/eureka/peerreplication/batch', {
      body: JSON.stringify({ replicationList: [{ appName: app, id, action: 'Cancel' }] }),
      headers: { ...JSON_HEADERS, 'DiscoveryIdentity-Name': 'PolarisServer' },
    });
    assert.deepEqual(fromPolaris.json, { responseList: [] });
    assert.equal(instancesOf(await apps(), app).length, 1);
    assert.equal((await eu(d.eureka, 'POST', '/eureka/peerreplication/batch', { body: '{', headers: JSON_HEADERS })).status, 400);
  });
});

describe('ids and namespaces', () => {
  test('the same Eureka id in two apps makes two instances (ids are scoped per app)', async () => {
    const a = uniq();
    const b = uniq();
    const body = (app: string, port: number) => instanceBody(app, '10.11.0.1', port, { instanceId: 'shared-host' });
    for (const [app, port] of [[a, 1], [b, 2]] as const) {
      const r = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body: body(app, port), headers: JSON_HEADERS });
      assert.equal(r.status, 204, r.text);
    }
    const view = await apps();
    assert.deepEqual(instancesOf(view, a).map((i) => [i.instanceId, i.port.$]), [['shared-host', 1]]);
    assert.deepEqual(instancesOf(view, b).map((i) => [i.instanceId, i.port.$]), [['shared-host', 2]]);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${b}/shared-host`)).status, 200);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${a}/shared-host`)).status, 200);
    const after = await apps();
    assert.equal(instancesOf(after, a).length, 0);
    assert.equal(instancesOf(after, b).length, 1);
    // re-registering B again updates B's instance, not a third one
    assert.equal((await eu(d.eureka, 'POST', `/eureka/apps/${b}`, { body: body(b, 3), headers: JSON_HEADERS })).status, 204);
    assert.deepEqual(instancesOf(await apps(), b).map((i) => i.port.$), [3]);
  });

  test('x-namespace puts an app in another polaris namespace, invisible from the configured one', async () => {
    const ns = `eu${Date.now().toString(36)}`;
    const created = await call(d.http, 'POST', '/core/v1/namespaces', [{ name: ns }]);
    assert.equal(created.body.code, 200000, created.text);
    const app = uniq();
    const r = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body: instanceBody(app, '10.12.0.1', 5), headers: { ...JSON_HEADERS, 'x-namespace': ns } });
    assert.equal(r.status, 204, r.text);
    assert.equal(instancesOf(await apps(), app).length, 0);
    const there = await apps('/eureka/apps', { ...ACCEPT_JSON, 'x-namespace': ns });
    assert.equal(instancesOf(there, app).length, 1);
    const inst = (await call(d.http, 'GET', `/naming/v1/instances?service=${app.toLowerCase()}&namespace=${ns}`)).body.instances[0];
    assert.equal(inst.id, `${ns}:10.12.0.1:${app.toLowerCase()}:5`);
    const id = instancesOf(there, app)[0].instanceId;
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`, { headers: { 'x-namespace': ns } })).status, 200);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 404);
  });
});

describe('cross-protocol visibility', () => {
  test('a polaris-registered instance is visible to Eureka; isolation reads OUT_OF_SERVICE', async () => {
    const svc = `polaris-${Date.now().toString(36)}`;
    const reg = await call(d.http, 'POST', '/v1/RegisterInstance', {
      service: svc,
      namespace: 'default',
      host: '172.16.0.9',
      port: 9090,
      protocol: 'grpc',
      metadata: { team: 'a' },
    });
    assert.equal(reg.body.code, 200000, reg.text);
    const info = instancesOf(await apps(), svc.toUpperCase())[0];
    assert.ok(info, 'visible');
    assert.equal(info.app, svc.toUpperCase());
    assert.equal(info.hostName, '172.16.0.9');
    assert.deepEqual(info.port, { $: 9090, '@enabled': 'true' });
    assert.equal(info.vipAddress, svc.toUpperCase());
    assert.equal(info.metadata.team, 'a');
    assert.equal(info.metadata.protocol, 'grpc');
    assert.deepEqual(info.dataCenterInfo, { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'LabDC' });
    const tls = await call(d.http, 'POST', '/v1/RegisterInstance', { service: svc, namespace: 'default', host: '172.16.0.10', port: 8443, protocol: 'HTTPS' });
    assert.equal(tls.body.code, 200000, tls.text);
    const secure = instancesOf(await apps(), svc.toUpperCase()).find((i) => i.ipAddr === '172.16.0.10');
    assert.deepEqual(secure.securePort, { $: 8443, '@enabled': 'true' });
    assert.deepEqual(secure.port, { $: 8080, '@enabled': 'false' });
    const iso = await call(d.http, 'PUT', '/naming/v1/instances', [{ id: info.instanceId, isolate: true }]);
    assert.equal(iso.body.code, 200000, iso.text);
    assert.equal(instancesOf(await apps(), svc.toUpperCase()).find((i) => i.ipAddr === '172.16.0.9').status, 'OUT_OF_SERVICE');
  });
});

describe('delta and hashcode', () => {
  /** What a Java client does: apply the delta to its copy, then compare the reconcile hash. */
  function applyDelta(local: Map<string, any>, delta: any): void {
    for (const app of delta.application) {
      for (const i of app.instance) {
        const k = `${app.name}/${i.instanceId}`;
        if (i.actionType === 'DELETED') local.delete(k);
        else local.set(k, i);
      }
    }
  }
  function hashOf(local: Map<string, any>): string {
    const counts = new Map<string, number>();
    for (const i of local.values()) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
    return [...counts.keys()].sort().map((s) => `${s}_${counts.get(s)}_`).join('');
  }

  test('a client that applies the delta ends with the full view and its hash', async () => {
    const a = uniq();
    const b = uniq();
    const idA = await register(a, '10.10.0.1', 1);
    const idA2 = await register(a, '10.10.0.2', 2);
    const full = await apps();
    const local = new Map<string, any>();
    for (const app of full.application) for (const i of app.instance) local.set(`${app.name}/${i.instanceId}`, i);
    assert.equal(hashOf(local), full.apps__hashcode);

    await register(b, '10.10.0.3', 3);
    assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${a}/${idA}`)).status, 200);
    assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${a}/${idA2}/status?value=DOWN`)).status, 200);

    const delta = (await eu(d.eureka, 'GET', '/eureka/apps/delta', { headers: ACCEPT_JSON })).json.applications;
    applyDelta(local, delta);
    assert.equal(hashOf(local), delta.apps__hashcode);
    const after = await apps();
    assert.equal(delta.apps__hashcode, after.apps__hashcode);
    assert.equal(delta.versions__delta, after.versions__delta);
    assert.ok(Number(after.versions__delta) > Number(full.versions__delta));
    const want = new Map<string, string>();
    for (const app of after.application) for (const i of app.instance) want.set(`${app.name}/${i.instanceId}`, i.status);
    assert.deepEqual(new Map([...local].map(([k, i]) => [k, i.status])), want);
    assert.equal(local.get(`${a}/${idA2}`).status, 'DOWN');
    assert.equal(local.has(`${a}/${idA}`), false);
  });

  test('random churn: delta applied to any earlier snapshot (within the window) gives the full view and hash', async () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const appsUsed = [uniq(), uniq(), uniq()];
    const live = new Map<string, { app: string; id: string; port: number }>();
    const snapshot = async () => {
      const full = await apps();
      const local = new Map<string, any>();
      for (const app of full.application) for (const i of app.instance) local.set(`${app.name}/${i.instanceId}`, i);
      return { full, local };
    };
    for (let round = 0; round < 4; round++) {
      const { local } = await snapshot();
      for (let op = 0; op < 8; op++) {
        const kind = rnd(5);
        const keys = [...live.keys()];
        if (kind <= 1 || keys.length === 0) {
          const app = appsUsed[rnd(appsUsed.length)];
          const port = 1000 + rnd(50);
          const id = await register(app, '10.99.0.1', port);
          live.set(`${app}/${id}`, { app, id, port });
        } else {
          const k = keys[rnd(keys.length)];
          const { app, id } = live.get(k) as { app: string; id: string };
          if (kind === 2) {
            assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${id}`)).status, 200);
            live.delete(k);
          } else if (kind === 3) {
            const v = ['DOWN', 'OUT_OF_SERVICE', 'UP', 'STARTING'][rnd(4)];
            assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=${v}`)).status, 200);
          } else {
            // every instance of the app goes, then one comes back (polaris#1249)
            for (const [k2, v2] of [...live]) {
              if (v2.app !== app) continue;
              assert.equal((await eu(d.eureka, 'DELETE', `/eureka/apps/${app}/${v2.id}`)).status, 200);
              live.delete(k2);
            }
            const again = await register(app, '10.99.0.1', 1000);
            live.set(`${app}/${again}`, { app, id: again, port: 1000 });
          }
        }
      }
      const delta = (await eu(d.eureka, 'GET', '/eureka/apps/delta', { headers: ACCEPT_JSON })).json.applications;
      applyDelta(local, delta);
      const after = await snapshot();
      assert.equal(hashOf(local), delta.apps__hashcode, `round ${round}`);
      assert.equal(delta.apps__hashcode, after.full.apps__hashcode, `round ${round}`);
      assert.deepEqual(
        new Map([...local].map(([k, i]) => [k, i.status])),
        new Map([...after.local].map(([k, i]) => [k, i.status])),
        `round ${round}`,
      );
    }
  });
});
