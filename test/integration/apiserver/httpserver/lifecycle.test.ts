import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { sendJson, startHarness } from './harness.js';

describe('http server lifecycle', () => {
  test('listenPort is the bound port; name and protocol', async () => {
    const h = await startHarness();
    try {
      assert.equal(h.server.port, 0);
      assert.ok(h.server.listenPort > 0);
      assert.equal(h.server.protocol, 'http');
      assert.equal(h.server.name, 'api-http');
    } finally {
      await h.close();
    }
  });

  test('graceful stop: refuses new connections, finishes the in-flight request, then resolves', async () => {
    const h = await startHarness();
    const held = h.naming.hold('countServices');
    const inflight = fetch(`${h.base}/naming/v1/services/count`);
    await held.entered;

    let stopped = false;
    const stopping = h.server.stop().then(() => {
      stopped = true;
    });
    // stop() is idempotent
    const again = h.server.stop();

    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stopped, false, 'stop waits for the in-flight request');

    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(h.server.listenPort, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    assert.equal(refused, true, 'no new connection is accepted while stopping');

    held.release();
    const res = await inflight;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { code: number; amount: number };
    assert.equal(body.code, 200000);
    await stopping;
    await again;
    assert.equal(stopped, true);
  });

  test('stop twice resolves', async () => {
    const h = await startHarness();
    await h.close();
    await h.close();
  });
});

describe('admin and always-mounted routes', () => {
  test('log output level: list and set through the injected control', async () => {
    const levels = new Map([
      ['default', 'info'],
      ['naming', 'info'],
    ]);
    const h = await startHarness({
      deps: {
        logLevels: {
          levels: () => [...levels].map(([scope, level]) => ({ scope, level })),
          setLevel: (scope, level) => {
            if (!levels.has(scope)) throw new Error(`unknown scope ${scope}`);
            levels.set(scope, level);
          },
        },
      },
    });
    try {
      const list = await fetch(`${h.base}/maintain/v1/log/outputlevel`);
      assert.equal(list.status, 200);
      assert.deepEqual(await list.json(), [
        { Name: 'default', Level: 'info' },
        { Name: 'naming', Level: 'info' },
      ]);

      const set = await sendJson(h.base, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'naming', level: 'debug' });
      assert.equal(set.status, 200);
      assert.equal(await set.json(), 'ok');
      assert.equal(levels.get('naming'), 'debug');

      const bad = await sendJson(h.base, 'PUT', '/maintain/v1/log/outputlevel', { scope: 'nope', level: 'debug' });
      assert.equal(bad.status, 400);
      assert.equal(await bad.text(), 'unknown scope nope');

      const malformed = await sendJson(h.base, 'PUT', '/maintain/v1/log/outputlevel', '{');
      assert.equal(malformed.status, 400);
    } finally {
      await h.close();
    }
  });

  test('admin disabled: maintain routes are 404', async () => {
    const h = await startHarness({
      api: { admin: { enable: false, include: [] } },
      deps: { logLevels: { levels: () => [], setLevel: () => undefined } },
    });
    try {
      assert.equal((await fetch(`${h.base}/maintain/v1/log/outputlevel`)).status, 404);
    } finally {
      await h.close();
    }
  });

  test('/metrics serves the injected registry whatever the groups', async () => {
    const h = await startHarness({
      api: {},
      deps: {
        metrics: {
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          metrics: async () => '# HELP polaris_up up\npolaris_up 1\n',
        },
      },
    });
    try {
      const res = await fetch(`${h.base}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      assert.match(await res.text(), /polaris_up 1/);
    } finally {
      await h.close();
    }
  });

  test('connection limit per host closes extra connections', async () => {
    const h = await startHarness({ options: { connLimit: { openConnLimit: true, maxConnPerHost: 1 } } });
    const first = connect(h.server.listenPort, '127.0.0.1');
    try {
      // an answered request proves the server has accounted for the first (kept-alive) connection
      await new Promise<void>((resolve, reject) => {
        first.once('connect', () => first.write('GET /naming/v1/services/count HTTP/1.1\r\nHost: x\r\n\r\n'));
        first.once('data', () => resolve());
        first.once('error', reject);
      });
      const secondClosed = await new Promise<boolean>((resolve) => {
        const second = connect(h.server.listenPort, '127.0.0.1');
        second.on('error', () => resolve(true));
        second.once('close', () => resolve(true));
        second.once('connect', () => {
          second.write('GET /naming/v1/services/count HTTP/1.1\r\nHost: x\r\n\r\n');
          second.once('data', () => {
            second.destroy();
            resolve(false);
          });
        });
      });
      assert.equal(secondClosed, true);
    } finally {
      first.destroy();
      await h.close();
    }
  });
});
