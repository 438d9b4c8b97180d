import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { ensureConsoleBuilt, launchBrowser, SCREENSHOTS } from '../helpers/browser.js';
import { configYaml } from '../helpers/config-daemon.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

/**
 * The web console in real headless Chromium against the running daemon with console auth on:
 * sign in, a service created in the UI, an instance registered over gRPC appearing live, isolate,
 * a config file edited, published and seen in the history with a diff, and a sub-account refused.
 */

const SALT = 'c0ns0le-16-bytes';
const AUTH_OFF = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
const AUTH_ON = `auth:
  user:
    option:
      salt: "${SALT}"
  strategy:
    option:
      consoleOpen: true
      consoleStrict: true
      clientOpen: false`;

const uniq = () => `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const w = (value: unknown) => ({ value });

let d: Daemon;
let browser: Browser;
let page: Page;
let adminPassword = '';
let adminToken = '';
let grpc: any;
/** Every URL the main page requested: all must be the daemon's own (no CDN, works offline). */
const requested: string[] = [];
const service = `web-${uniq()}`;
const group = `grp-${uniq()}`;

async function shot(p: Page, name: string, fullPage = false): Promise<void> {
  await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Clicks the first element matching `selector` whose text contains `text`. */
async function clickText(p: Page, selector: string, text: string): Promise<void> {
  const el = await p.waitForSelector(`${selector}::-p-text(${text})`, { timeout: 10_000 });
  await el!.click();
}

async function fill(p: Page, selector: string, value: string): Promise<void> {
  const el = await p.waitForSelector(selector, { visible: true, timeout: 10_000 });
  await el!.click({ count: 3 });
  await el!.type(value);
}

async function textOf(p: Page, selector: string): Promise<string> {
  return p.$eval(selector, (e: any) => String(e.innerText));
}

async function signIn(p: Page, name: string, password: string, owner = ''): Promise<void> {
  await p.goto(`${d.http}/console/`, { waitUntil: 'domcontentloaded' });
  await fill(p, 'input[name="name"]', name);
  await fill(p, 'input[name="password"]', password);
  if (owner) await fill(p, 'input[name="owner"]', owner);
  await clickText(p, 'button[type="submit"]', 'Sign in');
  await p.waitForSelector('.top .who', { timeout: 10_000 });
}

before(async () => {
  await ensureConsoleBuilt();
  const yaml = configYaml();
  assert.ok(yaml.includes(AUTH_OFF), 'the test daemon config has changed');
  d = await startDaemon({ yaml: yaml.replace(AUTH_OFF, AUTH_ON) });
  adminPassword = /password: (\S+)/.exec(d.output())?.[1] ?? '';
  adminToken = /token: {4}(\S+)/.exec(d.output())?.[1] ?? '';
  assert.ok(adminPassword && adminToken, 'first start prints the admin credentials');
  grpc = polarisClient(d.ports.grpc);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('request', (req) => requested.push(req.url()));
});

after(async () => {
  grpc?.close();
  await browser?.close();
  await d?.stop();
});

test('the console is served with caching headers and compression, and only under its path', async () => {
  const index = await fetch(`${d.http}/console/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.equal(index.headers.get('content-encoding'), 'gzip');
  assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const html = await index.text();
  const js = /src="\.\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(js, html);
  const asset = await fetch(`${d.http}/console/${js}`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('content-encoding'), 'br');
  const bare = await fetch(`${d.http}/console`, { redirect: 'manual' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/console/');
  // The OpenAPI is untouched by the console's compression.
  const apiAnswer = await fetch(`${d.http}/core/v1/namespaces`, { headers: { 'accept-encoding': 'gzip', 'X-Polaris-Token': adminToken } });
  assert.equal(apiAnswer.headers.get('content-encoding'), null);
});

test('signing in: a wrong password is shown with its code, the right one opens the overview', async () => {
  const started = Date.now();
  await page.goto(`${d.http}/console/`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('input[name="name"]');
  const interactiveMs = Date.now() - started;
  const nav = await page.evaluate(() => JSON.stringify((globalThis as any).performance.getEntriesByType('navigation')[0]));
  const timing = JSON.parse(nav);
  assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.name), 'name', 'the user name field has focus');
  await shot(page, '01-login');
  await fill(page, 'input[name="name"]', 'polaris');
  await fill(page, 'input[name="password"]', 'wrong-password');
  await clickText(page, 'button[type="submit"]', 'Sign in');
  await page.waitForSelector('.error[role="alert"]');
  assert.match(await textOf(page, '.error'), /401001/);
  await signIn(page, 'polaris', adminPassword);
  assert.match(await textOf(page, '.top .who'), /polaris/);
  await page.waitForSelector('.card .big');
  await page.waitForSelector('::-p-text(Cache sync lag)');
  await shot(page, '02-overview');
  const token = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('polaris.console.session'));
  assert.ok(token?.includes(adminToken), 'the token lives in session storage');
  console.log(`# login form ready ${interactiveMs} ms after navigation start (DOMContentLoaded at ${Math.round(timing.domContentLoadedEventEnd)} ms)`);

  // Keyboard: the first Tab reaches the skip link, Enter moves focus to the page content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.className), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'main');
});

test('a service created in the UI shows an instance registered over gRPC live; isolate, health and weight stick', async () => {
  await page.goto(`${d.http}/console/#/services`);
  await clickText(page, 'button', 'New service');
  await fill(page, 'dialog input[name="new-namespace"]', 'default');
  await fill(page, 'dialog input[name="new-name"]', service);
  await clickText(page, 'dialog button[type="submit"]', 'Create');
  await page.waitForSelector(`::-p-text(Instances of default/${service})`);
  await page.waitForSelector('::-p-text(No instances registered yet)');

  const reg = await unary(grpc, 'RegisterInstance', {
    service: w(service),
    namespace: w('default'),
    host: w('10.7.0.5'),
    port: w(8080),
    protocol: w('grpc'),
    version: w('1.4.2'),
    metadata: { zone: 'eu-1' },
  });
  assert.equal(reg.code.value, 200000, JSON.stringify(reg));
  // No reload: the page polls and the row appears.
  const row = '[data-instance="10.7.0.5:8080"]';
  await page.waitForSelector(row, { timeout: 15_000 });
  assert.match(await textOf(page, row), /healthy/);
  assert.match(await textOf(page, row), /zone=eu-1/);
  await shot(page, '03-instances');

  await page.click(`${row} button.toggle`);
  await page.waitForSelector(`${row} button.toggle[aria-pressed="true"]`, { timeout: 10_000 });
  const listed = await call(d.http, 'GET', `/naming/v1/instances?service=${service}&namespace=default`, undefined, { 'X-Polaris-Token': adminToken });
  assert.equal(listed.body.instances[0].isolate, true, 'the isolate click reached the server');

  // No health check on this instance: its health is set by hand, and so is its weight.
  await page.click(`button[aria-label="Mark 10.7.0.5:8080 unhealthy"]`);
  await page.waitForSelector(`${row} .badge.bad`, { timeout: 10_000 });
  await fill(page, `input[aria-label="Weight of 10.7.0.5:8080"]`, '40');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    async (url, token) => {
      const r = await fetch(url, { headers: { 'X-Polaris-Token': token } });
      return ((await r.json()) as any).instances[0].weight === 40;
    },
    { timeout: 10_000 },
    `${d.http}/naming/v1/instances?service=${service}&namespace=default`,
    adminToken,
  );
  const after = await call(d.http, 'GET', `/naming/v1/instances?service=${service}&namespace=default`, undefined, { 'X-Polaris-Token': adminToken });
  assert.equal(after.body.instances[0].healthy, false);
  assert.equal(after.body.instances[0].weight, 40);
  assert.equal(after.body.instances[0].isolate, true, 'other fields kept');

  await page.goto(`${d.http}/console/#/services?name=${service}`);
  await page.waitForSelector(`td ::-p-text(${service})`);
  await shot(page, '04-services');
  // Its only instance is now unhealthy: the "healthy instances only" filter leaves it out.
  await page.goto(`${d.http}/console/#/services?name=${service}&healthy=1`);
  await page.waitForSelector('::-p-text(No services match)', { timeout: 10_000 });
  assert.equal(await page.$('.error'), null, 'an empty list, not a failed one');
});

test('a config file edited, published twice, seen in the history with a diff, held by a client, rolled back, gray-released', async () => {
  await page.goto(`${d.http}/console/#/config`);
  await clickText(page, 'button', 'New group');
  await fill(page, 'dialog input[name="group"]', group);
  await clickText(page, 'dialog button[type="submit"]', 'Create');
  await page.waitForSelector(`::-p-text(Files of default/${group})`);
  await clickText(page, 'button', 'New file');
  await fill(page, 'dialog input[name="file"]', 'app.yaml');
  await clickText(page, 'dialog button[type="submit"]', 'Create');
  await page.waitForSelector('textarea[aria-label="Content of app.yaml"]');

  const editor = 'textarea[aria-label="Content of app.yaml"]';
  await fill(page, editor, 'server:\n  port: 8080\n');
  await fill(page, 'input[name="release-description"]', 'first');
  await clickText(page, 'aside button', 'Save and publish');
  await page.waitForSelector('tr[data-release] ::-p-text(first)', { timeout: 10_000 });

  await page.click(editor);
  await page.keyboard.press('End');
  await page.$eval(editor, (t: any) => t.setSelectionRange(t.value.length, t.value.length));
  await page.keyboard.type('feature: on\n');
  await fill(page, 'input[name="release-description"]', 'second');
  await clickText(page, 'aside button', 'Save and publish');
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('tr[data-release]').length === 2, { timeout: 10_000 });

  await clickText(page, 'button', 'diff with previous');
  await page.waitForSelector('.diff .add');
  assert.match(await textOf(page, '.diff .add'), /feature: on/);
  const releases = await call(d.http, 'GET', `/config/v1/configfiles/releases?namespace=default&group=${group}&file_name=app.yaml`, undefined, { 'X-Polaris-Token': adminToken });
  const active = releases.body.configFileReleases.find((r: any) => r.active);
  assert.equal(active.version, '2', 'the second publish is version 2');
  const served = await call(d.http, 'GET', `/config/v1/configfiles/release?namespace=default&group=${group}&file_name=app.yaml`, undefined, { 'X-Polaris-Token': adminToken });
  assert.match(served.body.configFileRelease.content, /feature: on/);
  assert.match(await textOf(page, 'main'), /active release/);

  // A client fetches the file: the watcher view shows which version it holds.
  const fetched = await call(d.http, 'GET', `/config/v1/GetConfigFile?namespace=default&group=${group}&fileName=app.yaml&version=0`);
  assert.equal(fetched.status, 200, fetched.text);
  const watcherRow = 'section[aria-labelledby="watchers-title"] tbody tr';
  await page.waitForSelector(watcherRow, { timeout: 15_000 });
  assert.match(await textOf(page, watcherRow), /127\.0\.0\.1\s+\S*\s*2\s+2/);
  await shot(page, '05-config-file', true);

  // Roll back to the first release: it becomes the active one again.
  const first = releases.body.configFileReleases.find((r: any) => !r.active).name;
  await page.click(`button[aria-label="Roll back to ${first}"]`);
  await page.waitForFunction(
    (name) => [...(globalThis as any).document.querySelectorAll('tr')].some((tr: any) => tr.innerText.includes(name) && tr.innerText.includes('active') && !tr.innerText.includes('inactive')),
    { timeout: 10_000 },
    first,
  );
  const after = await call(d.http, 'GET', `/config/v1/configfiles/release?namespace=default&group=${group}&file_name=app.yaml`, undefined, { 'X-Polaris-Token': adminToken });
  assert.equal(after.body.configFileRelease.name, first);
  assert.doesNotMatch(after.body.configFileRelease.content, /feature: on/);

  // Gray release to one client IP, then stopped.
  await page.$eval(editor, (t: any) => t.setSelectionRange(t.value.length, t.value.length));
  await page.click(editor);
  await page.keyboard.press('End');
  await page.$eval(editor, (t: any) => t.setSelectionRange(t.value.length, t.value.length));
  await page.keyboard.type('gray: yes\n');
  await fill(page, 'input[name="gray-ips"]', '10.1.1.1');
  await clickText(page, 'aside button', 'Publish to these clients');
  const grayRow = 'xpath/.//table//tr[td[3][normalize-space()="gray"]]';
  await page.waitForSelector(grayRow, { timeout: 10_000 });
  const listReleases = () => call(d.http, 'GET', `/config/v1/configfiles/releases?namespace=default&group=${group}&file_name=app.yaml`, undefined, { 'X-Polaris-Token': adminToken });
  const activeGray = async () => (await listReleases()).body.configFileReleases.some((r: any) => r.releaseType === 'gray' && r.active);
  assert.ok(await activeGray(), 'a gray release is active');
  assert.match(await textOf(page, grayRow), /\bactive\b/);
  await clickText(page, 'aside button', 'Stop gray release');
  await page.waitForSelector(`${grayRow}[td[4][normalize-space()="inactive"]]`, { timeout: 10_000 });
  assert.equal(await activeGray(), false, 'the gray release is stopped');
});

test('rule lists render with an enable switch; a bad rule shows the server error in place and keeps the text', async () => {
  await page.goto(`${d.http}/console/#/rules/ratelimit`);
  await clickText(page, 'button', 'New rule');
  const area = 'dialog textarea[aria-label="Rule as JSON"]';
  await page.waitForSelector(area);
  const bad = '{"name": "", "namespace": "default", "service": ""}';
  await page.$eval(area, (el: any, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, bad);
  await clickText(page, 'dialog button[type="submit"]', 'Save');
  await page.waitForSelector('dialog .error[role="alert"]', { timeout: 10_000 });
  assert.match(await textOf(page, 'dialog .error'), /\d{6}/, 'the Polaris code is shown');
  assert.equal(await page.$eval(area, (t: any) => String(t.value)), bad, 'nothing typed is lost');
  await shot(page, '06-rule-error');
  await page.keyboard.press('Escape');

  const rule = { name: `limit-${uniq()}`, namespace: 'default', service, type: 'LOCAL', resource: 'QPS', disable: true, amounts: [{ maxAmount: 10, validDuration: '1s' }] };
  const made = await call(d.http, 'POST', '/naming/v1/ratelimits', [rule], { 'X-Polaris-Token': adminToken });
  assert.equal(made.status, 200, made.text);
  await page.goto(`${d.http}/console/#/rules/ratelimit?name=${rule.name}`);
  const toggle = `button[aria-label="Enable ${rule.name}"]`;
  await page.waitForSelector(`${toggle}[aria-pressed="false"]`, { timeout: 10_000 });
  await page.click(toggle);
  await page.waitForSelector(`${toggle}[aria-pressed="true"]`, { timeout: 10_000 });
  const listed = await call(d.http, 'GET', `/naming/v1/ratelimits?name=${rule.name}`, undefined, { 'X-Polaris-Token': adminToken });
  assert.equal(listed.body.rateLimits[0].disable, false, 'the switch reached the server');
  await shot(page, '07-rate-limits');
});

test('a sub-account sees the refusal of a write, with the code, and keeps what it typed; a reset token ends its session', async () => {
  const sub = `sub${uniq()}`;
  const created = await call(d.http, 'POST', '/core/v1/users', [{ name: sub, password: 'pass-1234', source: 'Polaris' }], { 'X-Polaris-Token': adminToken });
  assert.equal(created.status, 200, created.text);
  const subId = created.body.responses[0].user.id;
  const teamNs = `team-${uniq()}`;
  const admin = { 'X-Polaris-Token': adminToken };
  assert.equal((await call(d.http, 'POST', '/core/v1/namespaces', [{ name: teamNs }], admin)).status, 200);
  const grant = await call(d.http, 'POST', '/core/v1/auth/strategy', {
    name: `grant-${uniq()}`,
    principals: { users: [{ id: subId }] },
    resources: { namespaces: [{ id: teamNs }] },
  }, admin);
  assert.equal(grant.status, 200, grant.text);
  const ctx = await browser.createBrowserContext();
  try {
    const p = await ctx.newPage();
    p.on('dialog', (dialog) => void dialog.accept());
    await signIn(p, sub, 'pass-1234', 'polaris');
    assert.match(await textOf(p, '.top .who'), /sub/);
    assert.equal(await p.$('a[href="#/auth/users"]'), null, 'main-account pages are not offered');
    // Its own access, read-only: the strategy naming it, with the namespace it grants.
    await p.click('a[href="#/auth/mine"]');
    await p.waitForSelector(`::-p-text(${teamNs})`, { timeout: 10_000 });
    await shot(p, '09-my-access');
    await p.goto(`${d.http}/console/#/services`);
    await clickText(p, 'button', 'New service');
    await fill(p, 'dialog input[name="new-name"]', 'not-allowed');
    await clickText(p, 'dialog button[type="submit"]', 'Create');
    await p.waitForSelector('dialog .error[role="alert"]', { timeout: 10_000 });
    assert.match(await textOf(p, 'dialog .error'), /401001/);
    assert.equal(await p.$eval('dialog input[name="new-name"]', (e: any) => String(e.value)), 'not-allowed');
    await shot(p, '08-sub-account-refused');

    // Its token is reset by the main account: the next call ends the session, and says why.
    await p.keyboard.press('Escape');
    const reset = await call(d.http, 'PUT', '/core/v1/user/token/refresh', { id: subId }, { 'X-Polaris-Token': adminToken });
    assert.equal(reset.status, 200, reset.text);
    await p.goto(`${d.http}/console/#/namespaces`);
    await p.waitForSelector('.login .notice', { timeout: 10_000 });
    assert.match(await textOf(p, '.login .notice'), /session ended.*40100[34]/);
  } finally {
    await ctx.close();
  }
});

test('a sub-account granted one service (and a namespace through its group) gets write controls there only; elsewhere read-only views, and a forced write is still refused', async () => {
  const admin = { 'X-Polaris-Token': adminToken };
  const mine = `mine-${uniq()}`;
  const theirs = `theirs-${uniq()}`;
  const made = await call(d.http, 'POST', '/naming/v1/services', [{ namespace: 'default', name: mine }, { namespace: 'default', name: theirs }], admin);
  assert.equal(made.status, 200, made.text);
  const mineId = made.body.responses[0].service.id;
  assert.ok(mineId, made.text);
  const inst = await call(d.http, 'POST', '/naming/v1/instances', [
    { namespace: 'default', service: mine, host: '10.9.0.1', port: 80 },
    { namespace: 'default', service: theirs, host: '10.9.0.2', port: 80 },
  ], admin);
  assert.equal(inst.status, 200, inst.text);
  const sub = `ro${uniq()}`;
  const created = await call(d.http, 'POST', '/core/v1/users', [{ name: sub, password: 'pass-1234', source: 'Polaris' }], admin);
  assert.equal(created.status, 200, created.text);
  const subId = created.body.responses[0].user.id;
  const grant = await call(d.http, 'POST', '/core/v1/auth/strategy', {
    name: `svc-${uniq()}`,
    principals: { users: [{ id: subId }] },
    resources: { services: [{ id: mineId }] },
  }, admin);
  assert.equal(grant.status, 200, grant.text);
  // And, through a user group it is in, one namespace.
  const groupNs = `gns-${uniq()}`;
  assert.equal((await call(d.http, 'POST', '/core/v1/namespaces', [{ name: groupNs }], admin)).status, 200);
  const team = await call(d.http, 'POST', '/core/v1/usergroup', { name: `team-${uniq()}`, relation: { users: [{ id: subId }] } }, admin);
  assert.equal(team.status, 200, team.text);
  const viaGroup = await call(d.http, 'POST', '/core/v1/auth/strategy', {
    name: `grp-${uniq()}`,
    principals: { groups: [{ id: team.body.userGroup.id }] },
    resources: { namespaces: [{ id: groupNs }] },
  }, admin);
  assert.equal(viaGroup.status, 200, viaGroup.text);

  const ctx = await browser.createBrowserContext();
  try {
    const p = await ctx.newPage();
    p.on('dialog', (dialog) => void dialog.accept());
    await signIn(p, sub, 'pass-1234', 'polaris');
    const ready = () => p.waitForSelector('main[data-grants="strategies"]', { timeout: 10_000 });
    // What is on screen, as rendered (not what the markup claims).
    const visible = (sel: string) => p.$$eval(sel, (els: any[]) => els.filter((e) => e.checkVisibility()).length);

    // Its service: every instance control is there, and works.
    await p.goto(`${d.http}/console/#/instances?namespace=default&service=${mine}`);
    await ready();
    const myRow = '[data-instance="10.9.0.1:80"]';
    await p.waitForSelector(myRow, { timeout: 10_000 });
    await p.waitForSelector('::-p-text(Add instance)');
    assert.equal(await p.$('button[aria-disabled="true"]'), null, 'nothing locked on its own service');
    assert.equal(await p.$('.read-only'), null);
    assert.equal(await visible(`button[aria-label="Remove 10.9.0.1:80"]`), 1);
    await p.click(`${myRow} button.toggle`);
    await p.waitForSelector(`${myRow} button.toggle[aria-pressed="true"]`, { timeout: 10_000 });
    const isolated = await call(d.http, 'GET', `/naming/v1/instances?service=${mine}&namespace=default`, undefined, admin);
    assert.equal(isolated.body.instances[0].isolate, true, 'the granted write went through');

    // Another service of the same namespace: the same page, read-only.
    await p.goto(`${d.http}/console/#/instances?namespace=default&service=${theirs}`);
    const theirRow = '[data-instance="10.9.0.2:80"]';
    await p.waitForSelector(theirRow, { timeout: 10_000 });
    const add = await p.waitForSelector('button.locked::-p-text(Add instance)', { timeout: 10_000 });
    assert.equal(await add!.evaluate((b: any) => b.getAttribute('aria-disabled')), 'true');
    assert.match(String(await add!.evaluate((b: any) => b.title)), /may not add instances to default\/theirs-/);
    // Locked, not removed from the keyboard: focusable, described by the page's note, inert.
    assert.deepEqual(await add!.evaluate((b: any) => [b.disabled, b.tabIndex, b.getAttribute('aria-describedby')]), [false, 0, 'read-only-note']);
    assert.match(await textOf(p, '#read-only-note'), /Read-only/);
    await add!.focus();
    await p.keyboard.press('Enter');
    assert.equal(await p.$('dialog[open]'), null, 'a locked button opens nothing');
    assert.equal(await p.$(`${theirRow} button.toggle`), null, 'isolation shown, not switchable');
    assert.match(await textOf(p, theirRow), /Serving/);
    assert.equal(await p.$(`${theirRow} input[type="number"]`), null, 'weight shown, not editable');
    assert.equal(await visible(`button[aria-label="Remove 10.9.0.2:80"]`), 0);
    assert.equal(await visible(`button[aria-label="Edit metadata of 10.9.0.2:80"]`), 0);
    await shot(p, '10-sub-account-read-only');

    // The service list: edit/delete on its service only; no service may be created.
    await p.goto(`${d.http}/console/#/services?name=${mine}`);
    await p.waitForSelector(`td ::-p-text(${mine})`, { timeout: 10_000 });
    assert.equal(await visible(`button[aria-label="Edit service ${mine}"]`), 1);
    assert.equal(await visible(`button[aria-label="Delete service ${mine}"]`), 1);
    // Creating a service needs a namespace grant: it has one (through its group), not on default.
    await p.waitForSelector('button.primary:not(.locked)::-p-text(New service)');
    await p.goto(`${d.http}/console/#/services?namespace=default&name=${theirs}`);
    await p.waitForSelector(`td ::-p-text(${theirs})`, { timeout: 10_000 });
    assert.equal(await visible(`button[aria-label="Edit service ${theirs}"]`), 0);
    assert.equal(await visible(`button[aria-label="Delete service ${theirs}"]`), 0);
    await p.waitForSelector('button.locked::-p-text(New service)');
    assert.match(await textOf(p, '#read-only-note'), /Read-only/);

    // Namespaces: only the one its group's strategy grants may be edited or deleted.
    await p.goto(`${d.http}/console/#/namespaces`);
    await p.waitForSelector(`td ::-p-text(${groupNs})`, { timeout: 10_000 });
    await p.waitForSelector('button.locked::-p-text(New namespace)');
    assert.equal(await visible(`button[aria-label="Edit namespace ${groupNs}"]`), 1);
    assert.equal(await visible(`button[aria-label="Delete namespace ${groupNs}"]`), 1);
    assert.equal(await visible('main td button'), 2, 'no edit or delete on any other namespace');
    // Config groups: new ones only in that namespace.
    await p.goto(`${d.http}/console/#/config?namespace=default`);
    await p.waitForSelector('button.locked::-p-text(New group)', { timeout: 10_000 });
    await p.goto(`${d.http}/console/#/config?namespace=${groupNs}`);
    await p.waitForSelector('button.primary:not(.locked)::-p-text(New group)', { timeout: 10_000 });
    await p.goto(`${d.http}/console/#/auth/mine`);
    await p.waitForSelector('::-p-text(Through your group team-)', { timeout: 10_000 });
    assert.match(await textOf(p, 'main'), new RegExp(groupNs));
    await p.goto(`${d.http}/console/#/config/file?namespace=default&group=${group}&name=app.yaml`);
    await p.waitForSelector('textarea[aria-label="Content of app.yaml"][readonly]', { timeout: 10_000 });
    await p.waitForSelector('aside button.locked::-p-text(Publish)');
    // Main-account pages answer a typed address with a pointer, not a form.
    await p.goto(`${d.http}/console/#/auth/strategies`);
    await p.waitForSelector('::-p-text(managed by a main account)', { timeout: 10_000 });

    // The console only hides: the server still refuses the write, with its code.
    const forced = await p.evaluate(async (service: string) => {
      const token = JSON.parse((globalThis as any).sessionStorage.getItem('polaris.console.session')).token;
      const res = await fetch('/naming/v1/instances', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'X-Polaris-Token': token },
        body: JSON.stringify([{ namespace: 'default', service, host: '10.9.0.2', port: 80, isolate: true }]),
      });
      return { status: res.status, body: (await res.json()) as any };
    }, theirs);
    assert.equal(forced.body.code, 401001, JSON.stringify(forced.body));
    const untouched = await call(d.http, 'GET', `/naming/v1/instances?service=${theirs}&namespace=default`, undefined, admin);
    assert.equal(untouched.body.instances[0].isolate, false);
  } finally {
    await ctx.close();
  }
});

test('every control on every page has an accessible name', async () => {
  const routes = ['/', '/namespaces', '/services', `/instances?namespace=default&service=${service}`, '/aliases', '/rules/routing',
    '/rules/ratelimit', '/rules/circuitbreaker', '/rules/faultdetect', '/rules/lane', '/config', `/config/files?namespace=default&group=${group}`,
    `/config/file?namespace=default&group=${group}&name=app.yaml`, '/auth/users', '/auth/groups', '/auth/strategies'];
  const interactive = new Set(['button', 'textbox', 'combobox', 'checkbox', 'radio', 'link', 'spinbutton', 'searchbox']);
  const unnamed: string[] = [];
  let controls = 0;
  const walk = (node: any, route: string) => {
    if (interactive.has(node.role)) controls++;
    if (interactive.has(node.role) && !String(node.name ?? '').trim()) unnamed.push(`${route}: ${node.role}`);
    for (const c of node.children ?? []) walk(c, route);
  };
  for (const route of routes) {
    await page.goto(`${d.http}/console/#${route}`);
    await page.waitForSelector('#page-title', { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    walk(await page.accessibility.snapshot({ interestingOnly: true }), route);
  }
  assert.ok(controls > 150, `the audit saw the pages' controls (${controls})`);
  assert.deepEqual(unnamed, []);
});

test('signing out forgets the token', async () => {
  await clickText(page, 'button', 'Sign out');
  await page.waitForSelector('input[name="name"]');
  assert.equal(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('polaris.console.session')), null);
});

test('the console asked nothing of any other origin', () => {
  assert.ok(requested.length > 10, 'requests were recorded');
  const foreign = requested.filter((u) => !u.startsWith(`${d.http}/`) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
