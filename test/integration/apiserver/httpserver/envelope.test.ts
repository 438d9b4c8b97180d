import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Call } from '../../../helpers/fake-naming.js';
import { sendJson, startHarness, type Harness } from './harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function lastCall(calls: readonly Call[], method: string): Call | undefined {
  return calls.filter((c) => c.method === method).at(-1);
}

async function json(res: Response): Promise<Json> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return (await res.json()) as Json;
}

describe('http envelope', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('success: 200, Request-Id echoed, no X-Polaris headers, every field emitted', async () => {
    const res = await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'env-ok', comment: 'c' }], {
      'Request-Id': 'req-123',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('request-id'), 'req-123');
    assert.equal(res.headers.get('x-polaris-code'), null);
    assert.equal(res.headers.get('x-polaris-message'), null);
    const body = await json(res);
    assert.equal(body.code, 200000);
    assert.equal(body.info, 'execute success');
    assert.equal(body.size, 1);
    assert.equal(body.responses.length, 1);
    const item = body.responses[0];
    assert.equal(item.code, 200000);
    assert.equal(item.namespace.name, 'env-ok');
    assert.match(item.namespace.token, /^[0-9a-f]{32}$/);
    // EmitDefaults: unset message fields of v1.Response are present as null
    assert.ok('service' in item && item.service === null);
    assert.ok('instanceLabels' in item);
  });

  test('Request-Id header is present (empty) when the caller sent none', async () => {
    const res = await fetch(`${h.base}/naming/v1/services/count`);
    assert.equal(res.headers.get('request-id'), '');
    const body = await json(res);
    assert.equal(body.size, 0);
  });

  test('malformed JSON: 400001 batch envelope with headers', async () => {
    const res = await sendJson(h.base, 'POST', '/naming/v1/services', '[{"name": ', { 'Request-Id': 'bad-1' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-polaris-code'), '400001');
    assert.equal(res.headers.get('x-polaris-message'), 'request decode failed');
    assert.equal(res.headers.get('request-id'), 'bad-1');
    const body = await json(res);
    assert.equal(body.code, 400001);
    assert.match(body.info, /^request decode failed: /);
    assert.equal(body.size, 0);
    assert.deepEqual(body.responses, []);
  });

  test('empty body and non-array body: 400001', async () => {
    const empty = await fetch(`${h.base}/naming/v1/instances`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.status, 400);
    assert.equal((await json(empty)).info, 'request decode failed: EOF');

    for (const text of ['{"name":"x"}', '"x"', 'null']) {
      const res = await sendJson(h.base, 'POST', '/naming/v1/instances', text);
      assert.equal(res.status, 400, text);
      assert.equal((await json(res)).code, 400001, text);
    }
  });

  test('malformed JSON on a single-object route: 400001 v1.Response', async () => {
    const res = await sendJson(h.base, 'POST', '/v1/RegisterInstance', '{oops');
    assert.equal(res.status, 400);
    const body = await json(res);
    assert.equal(body.code, 400001);
    assert.ok('instance' in body && !('responses' in body));
  });

  test('unknown field: 400001 naming the field', async () => {
    const res = await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'x', bogus: 1 }]);
    assert.equal(res.status, 400);
    const body = await json(res);
    assert.equal(body.code, 400001);
    assert.match(body.info, /bogus/);
  });

  test('wrong value type: 400001', async () => {
    const res = await sendJson(h.base, 'POST', '/v1/RegisterInstance', { host: 'h', port: 'not-a-number' });
    assert.equal(res.status, 400);
    assert.equal((await json(res)).code, 400001);
  });

  test('[] → 400002 EmptyRequest', async () => {
    const before = h.naming.calls.length;
    const res = await sendJson(h.base, 'POST', '/naming/v1/instances', []);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-polaris-code'), '400002');
    assert.equal(res.headers.get('x-polaris-message'), 'empty request');
    const body = await json(res);
    assert.equal(body.code, 400002);
    assert.equal(body.info, 'empty request');
    assert.deepEqual(body.responses, []);
    assert.equal(h.naming.calls.length, before, 'the module is not called');
  });

  test('101 items → 400003 BatchSizeOverLimit, 100 items accepted', async () => {
    const items = Array.from({ length: 101 }, (_, i) => ({ name: `svc-${i}`, namespace: 'default' }));
    const over = await sendJson(h.base, 'POST', '/naming/v1/services', items);
    assert.equal(over.status, 400);
    assert.equal((await json(over)).code, 400003);
    const max = await sendJson(h.base, 'POST', '/naming/v1/services', items.slice(0, 100));
    assert.equal(max.status, 200);
    assert.equal((await json(max)).size, 100);
  });

  test('batch code, namespaces: the largest non-2xx child code', async () => {
    await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'dup-ns' }]);
    const res = await sendJson(h.base, 'POST', '/core/v1/namespaces', [
      { name: 'fresh-ns' },
      { name: 'bad name!' },
      { name: 'dup-ns' },
    ]);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-polaris-code'), '400201');
    assert.equal(res.headers.get('x-polaris-message'), 'existed resource');
    const body = await json(res);
    assert.equal(body.code, 400201);
    assert.equal(body.size, 3);
    assert.deepEqual(
      body.responses.map((r: Json) => r.code),
      [200000, 400110, 400201],
    );
    // failed children echo the request
    assert.equal(body.responses[2].namespace.name, 'dup-ns');
  });

  test('batch code, instances: uniform code, else 500000 / 400000', async () => {
    const same = await sendJson(h.base, 'POST', '/naming/v1/instances', [{ host: 'bad-host' }, { host: 'bad-host' }]);
    assert.equal(same.status, 400);
    assert.equal((await json(same)).code, 400131);

    const mixed4xx = await sendJson(h.base, 'POST', '/naming/v1/instances', [{ host: 'a', port: 1 }, { host: 'bad-host' }]);
    assert.equal(mixed4xx.status, 400);
    const b4 = await json(mixed4xx);
    assert.equal(b4.code, 400000);
    assert.equal(b4.info, 'bad request');
    assert.equal(mixed4xx.headers.get('x-polaris-message'), 'bad request');

    const mixed5xx = await sendJson(h.base, 'PUT', '/naming/v1/instances', [{ host: 'explode' }, { host: 'bad-host' }, { host: 'a' }]);
    assert.equal(mixed5xx.status, 500);
    const b5 = await json(mixed5xx);
    assert.equal(b5.code, 500000);
    assert.deepEqual(
      b5.responses.map((r: Json) => r.code),
      [500000, 400131, 200000],
    );
    assert.equal(b5.responses[2].instance.host, 'a');
  });

  test('single-object failure: status = code / 1000', async () => {
    const res = await fetch(`${h.base}/core/v1/namespaces/token?name=missing`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-polaris-code'), '400202');
    assert.equal(res.headers.get('x-polaris-message'), 'not found resource');
    const body = await json(res);
    assert.equal(body.code, 400202);
    assert.equal(body.info, 'not found resource: namespace missing');
  });

  test('item result of the client API carries the item code', async () => {
    const res = await sendJson(h.base, 'POST', '/v1/Heartbeat', { id: 'never-registered' });
    assert.equal(res.status, 400);
    const body = await json(res);
    assert.equal(body.code, 400202);
    assert.equal(body.instance.id, 'never-registered');
  });

  test('register uses the body service_token as the caller token', async () => {
    const res = await sendJson(
      h.base,
      'POST',
      '/v1/RegisterInstance',
      { service: 's', namespace: 'n', host: '10.0.0.1', port: 80, service_token: 'svc-token' },
      { 'X-Polaris-Token': 'header-token' },
    );
    assert.equal(res.status, 200);
    const call = lastCall(h.naming.calls, 'registerInstance');
    assert.equal(call?.ctx.token, 'svc-token');
    assert.equal(call?.ctx.protocol, 'http');
    assert.equal(call?.ctx.clientIp, '127.0.0.1');
  });

  test('discover answers a DiscoverResponse with its own code', async () => {
    const ok = await sendJson(h.base, 'POST', '/v1/Discover', { type: 'INSTANCE', service: { name: 's', namespace: 'n' } });
    assert.equal(ok.status, 200);
    const body = await json(ok);
    assert.equal(body.type, 'INSTANCE');
    assert.ok(Array.isArray(body.instances));
    const bad = await sendJson(h.base, 'POST', '/v1/Discover', { type: 'ROUTING' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-polaris-code'), '400004');
  });

  test('unexpected exception: 500000 envelope, logged at error', async () => {
    h.naming.crashOn('allServices');
    const res = await fetch(`${h.base}/naming/v1/services/all`);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-polaris-code'), '500000');
    const body = await json(res);
    assert.equal(body.code, 500000);
    assert.equal(body.amount, 0);
    assert.ok(h.logs.some((l) => l.level === 50 && JSON.stringify(l).includes('fake crash in allServices')));
  });

  test('module PolarisError on a list route: BatchQueryResponse with that code', async () => {
    const res = await fetch(`${h.base}/naming/v1/services?bogus=1`);
    assert.equal(res.status, 400);
    const body = await json(res);
    assert.equal(body.code, 400103);
    assert.equal(body.info, 'invalid parameter: bogus is not allowed');
    assert.deepEqual(body.services, []);
  });

  test('repeated query keys reach the module as arrays', async () => {
    await fetch(`${h.base}/naming/v1/services?keys=a&keys=b&name=x`);
    const call = lastCall(h.naming.calls, 'listServices');
    assert.deepEqual(call?.args[0], { keys: ['a', 'b'], name: 'x' });
  });
});

describe('namespace list query', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'q1', owners: 'alice' }, { name: 'q2', owners: 'bob' }, { name: 'q3' }]);
  });
  after(async () => {
    await h.close();
  });

  test('repeated name / owner, defaults, summary', async () => {
    const res = await fetch(`${h.base}/core/v1/namespaces?name=q1&name=q2`);
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.amount, 2);
    assert.equal(body.size, 2);
    assert.deepEqual(body.namespaces.map((n: Json) => n.name).sort(), ['q1', 'q2']);
    assert.ok(body.summary && typeof body.summary === 'object');
    const q = lastCall(h.namespaces.calls, 'listNamespaces')?.args[0];
    assert.deepEqual(q, { names: ['q1', 'q2'], owners: [], offset: 0, limit: 100 });
  });

  test('limit above 100 is clamped, limit=0 passes through', async () => {
    await fetch(`${h.base}/naming/v1/namespaces?limit=1000&offset=1&owner=alice`);
    let q = lastCall(h.namespaces.calls, 'listNamespaces')?.args[0];
    assert.deepEqual(q, { names: [], owners: ['alice'], offset: 1, limit: 100 });
    await fetch(`${h.base}/naming/v1/namespaces?limit=0`);
    q = lastCall(h.namespaces.calls, 'listNamespaces')?.args[0];
    assert.equal((q as { limit: number }).limit, 0);
  });

  for (const qs of ['offset=abc', 'offset=-1', 'limit=x', 'limit=-5', 'limit=', 'offset=1&offset=2', 'limit=1.5']) {
    test(`bad paging ${qs} → 400103`, async () => {
      const res = await fetch(`${h.base}/core/v1/namespaces?${qs}`);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-polaris-code'), '400103');
      const body = await json(res);
      assert.equal(body.code, 400103);
      assert.equal(body.info, 'invalid parameter');
      assert.equal(body.amount, 0);
    });
  }
});

describe('request body limit', () => {
  test('an oversized body gets HTTP 413 with a 400000 envelope', async () => {
    const h = await startHarness({ options: { bodyLimit: 64 * 1024 } });
    try {
      const big = JSON.stringify([{ name: 'x', comment: 'y'.repeat(100 * 1024) }]);
      const res = await sendJson(h.base, 'POST', '/core/v1/namespaces', big);
      assert.equal(res.status, 413);
      assert.equal(res.headers.get('x-polaris-code'), '400000');
      const body = await json(res);
      assert.equal(body.code, 400000);
      assert.match(body.info, /^bad request: /);
      assert.deepEqual(body.responses, []);
      assert.equal(h.namespaces.calls.length, 0);
    } finally {
      await h.close();
    }
  });

  test('the default limit accepts a few MiB and refuses more than 8 MiB', async () => {
    const h = await startHarness();
    try {
      const ok = await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'big', comment: 'y'.repeat(3 * 1024 * 1024) }]);
      assert.equal(ok.status, 200);
      const tooBig = await sendJson(h.base, 'POST', '/core/v1/namespaces', [{ name: 'big2', comment: 'y'.repeat(9 * 1024 * 1024) }]);
      assert.equal(tooBig.status, 413);
    } finally {
      await h.close();
    }
  });
});
