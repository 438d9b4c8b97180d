import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { sendJson, startHarness, type Harness } from './harness.js';

describe('http router behaviour (go-restful compatible)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('unknown path: 404 plain text', async () => {
    const res = await fetch(`${h.base}/naming/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), '404: Page Not Found');
  });

  test('known path, other method: 405 plain text with Allow', async () => {
    const res = await fetch(`${h.base}/naming/v1/instances/count`, { method: 'POST', body: new Uint8Array(0) });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
    assert.equal(await res.text(), '405: Method Not Allowed');

    const multi = await fetch(`${h.base}/naming/v1/services`, { method: 'DELETE' });
    assert.equal(multi.status, 405);
    assert.deepEqual(multi.headers.get('allow')?.split(', ').sort(), ['GET', 'POST', 'PUT']);
  });

  test('HEAD is not implied by GET', async () => {
    const res = await fetch(`${h.base}/naming/v1/services/count`, { method: 'HEAD' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
  });

  test('body with a non-JSON content type: 415 plain text', async () => {
    const res = await fetch(`${h.base}/naming/v1/instances`, {
      method: 'POST',
      body: '[]',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 415);
    assert.equal(await res.text(), '415: Unsupported Media Type');
  });

  test('body without a content type on POST: 415; parameters after ; are ignored', async () => {
    const res = await fetch(`${h.base}/naming/v1/instances`, { method: 'POST', body: new TextEncoder().encode('[]') });
    assert.equal(res.status, 415);
    const withCharset = await fetch(`${h.base}/naming/v1/instances`, {
      method: 'POST',
      body: '[]',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(withCharset.status, 400);
    assert.equal(withCharset.headers.get('x-polaris-code'), '400002');
  });

  test('GET without a content type is accepted; a JSON body on GET is ignored', async () => {
    const res = await fetch(`${h.base}/naming/v1/services/count`);
    assert.equal(res.status, 200);
    const status = await new Promise<number>((resolve, reject) => {
      const body = '{"name":"ignored"}';
      const req = request(`${h.base}/naming/v1/services/count`, {
        method: 'GET',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      req.on('response', (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200);
  });

  test('Accept without application/json: 406', async () => {
    const res = await fetch(`${h.base}/naming/v1/services/count`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 406);
    assert.match(await res.text(), /^406: Not Acceptable/);
    const ok = await fetch(`${h.base}/naming/v1/services/count`, { headers: { accept: 'text/html, application/json;q=0.9' } });
    assert.equal(ok.status, 200);
  });

  test('trailing and duplicate slashes match the route', async () => {
    assert.equal((await fetch(`${h.base}/naming/v1/services/count/`)).status, 200);
    assert.equal((await fetch(`${h.base}/naming//v1/services/count`)).status, 200);
  });

  test('GET / answers the banner', async () => {
    const res = await fetch(`${h.base}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Polaris Server');
  });

  test('OPTIONS without CORS headers: 200, Allow lists the path methods', async () => {
    const res = await fetch(`${h.base}/naming/v1/services`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.get('allow')?.split(',').sort(), ['GET', 'POST', 'PUT']);
    assert.equal(await res.text(), '');
  });

  test('CORS preflight and actual request', async () => {
    const pre = await fetch(`${h.base}/naming/v1/instances`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://console.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'Content-Type, Request-Id',
      },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://console.example');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST,PUT');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'Content-Type, Request-Id');

    const refused = await fetch(`${h.base}/naming/v1/instances`, {
      method: 'OPTIONS',
      headers: { origin: 'http://console.example', 'access-control-request-method': 'DELETE' },
    });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);

    const actual = await fetch(`${h.base}/naming/v1/services/count`, { headers: { origin: 'http://console.example' } });
    assert.equal(actual.headers.get('access-control-allow-origin'), 'http://console.example');
  });

  test('namespace routes exist under /core/v1 and /naming/v1', async () => {
    assert.equal((await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'ns-core' }])).status, 200);
    assert.equal((await sendJson(h.base, 'POST', '/naming/v1/namespaces', [{ name: 'ns-naming' }])).status, 200);
    assert.equal((await fetch(`${h.base}/core/v1/namespaces/token?name=ns-naming`)).status, 200);
    assert.equal((await fetch(`${h.base}/naming/v1/namespace/token?name=ns-core`)).status, 200);
  });
});

describe('api group switches', () => {
  test('console default-read mounts only the read routes', async () => {
    const h = await startHarness({
      api: { console: { enable: true, include: ['default-read'] }, client: { enable: false, include: [] } },
    });
    try {
      assert.equal((await fetch(`${h.base}/naming/v1/services/count`)).status, 200);
      assert.equal((await fetch(`${h.base}/core/v1/namespaces`)).status, 200);
      // write routes of the same paths are not mounted → 405; write-only paths → 404
      assert.equal((await sendJson(h.base, 'POST', '/naming/v1/services', [{ name: 'a' }])).status, 405);
      assert.equal((await sendJson(h.base, 'POST', '/naming/v1/instances/delete', [{ host: 'h' }])).status, 404);
      assert.equal((await fetch(`${h.base}/naming/v1/services/all`)).status, 404);
      // admin group absent, client disabled
      assert.equal((await fetch(`${h.base}/`)).status, 404);
      assert.equal((await sendJson(h.base, 'POST', '/v1/Heartbeat', { id: 'x' })).status, 404);
    } finally {
      await h.close();
    }
  });

  test('console include service mounts /naming/v1 namespaces but not /core/v1 ones', async () => {
    const h = await startHarness({ api: { console: { enable: true, include: ['service'] } } });
    try {
      assert.equal((await fetch(`${h.base}/naming/v1/namespaces`)).status, 200);
      assert.equal((await fetch(`${h.base}/core/v1/namespaces`)).status, 404);
      assert.equal((await sendJson(h.base, 'POST', '/naming/v1/instances', [{ host: 'h', port: 1 }])).status, 200);
    } finally {
      await h.close();
    }
  });

  test('client include picks sub-groups; unknown keys and groups only warn', async () => {
    const h = await startHarness({
      api: {
        client: { enable: true, include: ['register', 'bogus', 'config'] },
        console: { enable: false, include: [] },
        nonsense: { enable: true, include: [] },
      },
    });
    try {
      const reg = await sendJson(h.base, 'POST', '/v1/RegisterInstance', { service: 's', namespace: 'n', host: 'h', port: 1 });
      assert.equal(reg.status, 200);
      assert.equal((await sendJson(h.base, 'POST', '/v1/Heartbeat', { id: 'x' })).status, 404);
      assert.equal((await sendJson(h.base, 'POST', '/v1/Discover', { type: 'INSTANCE' })).status, 404);
      assert.equal((await fetch(`${h.base}/naming/v1/services`)).status, 404);
      const warnings = h.logs.filter((l) => l.level === 40).map((l) => String(l.msg));
      assert.ok(warnings.some((w) => w.includes('"bogus"')), warnings.join('\n'));
      assert.ok(warnings.some((w) => w.includes('"nonsense"')), warnings.join('\n'));
      assert.ok(!warnings.some((w) => w.includes('"config"')), 'config is a reserved key');
    } finally {
      await h.close();
    }
  });
});
