import { ensureConsoleBuilt, launchBrowser } from './helpers/browser.js';
import { configYaml } from './helpers/config-daemon.js';
import { call, startDaemon } from './helpers/daemon.js';
await ensureConsoleBuilt();
const y = configYaml().replace(`auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`, `auth:
  user:
    option:
      salt: "c0ns0le-16-bytes"
  strategy:
    option:
      consoleOpen: true
      consoleStrict: true
      clientOpen: false`);
const d = await startDaemon({ yaml: y });
const pw = /password: (\S+)/.exec(d.output())![1];
const tok = /token: {4}(\S+)/.exec(d.output())![1];
const H = { 'X-Polaris-Token': tok };
const log = async (m: string, p: string, b?: unknown) => { const r = await call(d.http, m, p, b, H); console.log(m, p, r.status, r.body?.code, r.body?.info, JSON.stringify(r.body?.responses?.[0]?.info ?? '')); };
await log('POST', '/naming/v1/services', [{ namespace: 'default', name: 'orders' }, { namespace: 'default', name: 'pay' }]);
await log('POST', '/naming/v1/service/alias', { alias: 'orders-alias', alias_namespace: 'default', service: 'orders', namespace: 'default', type: 'DEFAULT' });
await log('POST', '/naming/v2/routings', [{ name: 'r1', enable: true, routing_policy: 'RulePolicy', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig', rules: [] }, description: 'x' }]);
await log('POST', '/naming/v1/circuitbreaker/rules', [{ name: 'cb1', enable: false, level: 'SERVICE', rule_matcher: { source: { namespace: '*', service: '*' }, destination: { namespace: 'default', service: 'orders' } } }]);
await log('POST', '/naming/v1/faultdetectors', [{ name: 'fd1', target_service: { namespace: 'default', service: 'orders' }, protocol: 'HTTP', interval: 30, timeout: 1000 }]);
await log('POST', '/naming/v1/lane/groups', [{ name: 'lg1', description: '', entries: [], destinations: [], rules: [] }]);
await log('POST', '/core/v1/users', [{ name: 'alice', password: 'pass-1234', source: 'Polaris' }]);
await log('POST', '/core/v1/usergroup', { name: 'team', relation: { users: [] } });
const b = await launchBrowser();
const p = await b.newPage();
p.on('console', (m) => console.log('console:', m.type(), m.text()));
p.on('pageerror', (e) => console.log('pageerror', e));
await p.goto(`${d.http}/console/`);
await p.type('input[name="name"]', 'polaris');
await p.type('input[name="password"]', pw);
await p.click('button[type="submit"]');
await p.waitForSelector('.top .who');
for (const r of ['/namespaces', '/aliases', '/rules/routing', '/rules/circuitbreaker', '/rules/faultdetect', '/rules/lane', '/config', '/auth/users', '/auth/groups', '/auth/strategies']) {
  await p.goto(`${d.http}/console/#${r}`);
  await new Promise((res) => setTimeout(res, 1200));
  const err = await p.$$eval('.error', (es: any[]) => es.map((e) => e.innerText));
  const rows = await p.$$eval('tbody tr', (es) => es.length);
  console.log(r, 'rows', rows, 'errors', err);
  await p.screenshot({ path: `test-output/console/tour${r.replaceAll('/', '-')}.png` });
}
await b.close();
await d.stop();
