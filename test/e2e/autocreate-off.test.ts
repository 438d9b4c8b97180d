import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';

let d: Daemon;

before(async () => {
  const yaml = defaultYaml()
    .replace('namespace:\n  autoCreate: true', 'namespace:\n  autoCreate: false')
    .replace('naming:\n  autoCreate: true', 'naming:\n  autoCreate: false');
  d = await startDaemon({ yaml });
});
after(async () => {
  await d?.stop();
});

test('with namespace.autoCreate off a service in a missing namespace is refused (400305)', async () => {
  const r = await call(d.http, 'POST', '/naming/v1/services', [{ name: 's', namespace: 'missing-ns' }]);
  assert.equal(r.body.responses[0].code, 400305);
  const ns = await call(d.http, 'GET', '/core/v1/namespaces?name=missing-ns');
  assert.equal(ns.body.amount, 0);
});

test('with naming.autoCreate off every instance of a missing service gets 400301', async () => {
  const r = await call(d.http, 'POST', '/naming/v1/instances', [
    { service: 'ghost', namespace: 'default', host: '1.1.1.1', port: 1 },
    { service: 'ghost', namespace: 'default', host: '1.1.1.1', port: 2 },
  ]);
  assert.deepEqual(
    r.body.responses.map((x: any) => x.code),
    [400301, 400301],
  );
  const reg = await call(d.http, 'POST', '/v1/RegisterInstance', { service: 'ghost', namespace: 'default', host: '1.1.1.1', port: 3 });
  assert.equal(reg.body.code, 400301);
  await call(d.http, 'POST', '/naming/v1/services', [{ name: 'real', namespace: 'default' }]);
  const ok = await call(d.http, 'POST', '/v1/RegisterInstance', { service: 'real', namespace: 'default', host: '1.1.1.1', port: 3 });
  assert.equal(ok.body.code, 200000);
});
