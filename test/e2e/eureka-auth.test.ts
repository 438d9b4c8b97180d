import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultYaml } from '../helpers/daemon.js';
import { eu, instanceBody, JSON_HEADERS, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

/**
 * With client auth on, Eureka writes carry the polaris token as HTTP Basic auth (`user:token`),
 * as polaris-server reads it; renewals and reads need none (polaris checks no token there).
 */

let d: EurekaDaemon;
let token = '';

before(async () => {
  d = await startEurekaDaemon({
    yamlBase: defaultYaml().replace('      clientOpen: false', '      clientOpen: true\n      clientStrict: true'),
  });
  token = /token: {4}(\S+)/.exec(d.output())?.[1] ?? '';
  assert.ok(token, `the first start prints the admin token:\n${d.output()}`);
});
after(async () => {
  await d?.stop();
});

test('register needs a token (Basic auth); renew and reads do not; status changes do', async () => {
  const app = 'AUTH-APP';
  const id = `10.70.0.1:${app.toLowerCase()}:80`;
  const body = instanceBody(app, '10.70.0.1', 80);
  const refused = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body, headers: JSON_HEADERS });
  assert.ok(refused.status === 401 || refused.status === 403, `${refused.status} ${refused.text}`);
  const basic = `Basic ${Buffer.from(`polaris:${token}`).toString('base64')}`;
  const ok = await eu(d.eureka, 'POST', `/eureka/apps/${app}`, { body, headers: { ...JSON_HEADERS, authorization: basic } });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}`)).status, 200);
  const read = await eu(d.eureka, 'GET', `/eureka/apps/${app}`, { headers: { accept: 'application/json' } });
  assert.equal(read.status, 200);
  const status = await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=DOWN`);
  assert.ok(status.status === 401 || status.status === 403, `${status.status} ${status.text}`);
  assert.equal((await eu(d.eureka, 'PUT', `/eureka/apps/${app}/${id}/status?value=DOWN`, { headers: { authorization: basic } })).status, 200);
});
