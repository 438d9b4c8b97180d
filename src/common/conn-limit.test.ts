import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { ConnLimiter } from './conn-limit.js';

const log = pino({ level: 'silent' });

async function listen(limiter: ConnLimiter): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  limiter.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Connects and resolves whether the server kept the socket open for 150 ms. */
function kept(port: number, open: Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    open.push(s);
    let closed = false;
    s.on('close', () => (closed = true));
    s.on('error', () => undefined);
    setTimeout(() => resolve(!closed), 150);
  });
}

test('total limit, white list, live update, close by host and purge of idle counters', async () => {
  const limiter = new ConnLimiter('t', 'tcp', { openConnLimit: true, maxConnLimit: 1, purgeCounterExpired: 0 }, log);
  const { server, port } = await listen(limiter);
  const open: Socket[] = [];
  try {
    assert.equal(await kept(port, open), true);
    assert.equal(await kept(port, open), false, 'over the total limit');
    assert.equal(limiter.stats().refused, 1);

    limiter.update({ whiteList: ['127.0.0.1'] });
    assert.equal(await kept(port, open), true, 'white-listed hosts are never refused');
    assert.equal(limiter.counts().total, 2);
    assert.deepEqual(limiter.counts().hosts, { '127.0.0.1': 2 });

    assert.equal(limiter.close('127.0.0.1', undefined, 1), 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(limiter.counts().total, 1);
    assert.equal(limiter.close('127.0.0.1'), 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(limiter.counts().total, 0);

    assert.equal(limiter.trackedHosts(), 1, 'the idle counter stays until purged');
    assert.equal(limiter.purgeIdle(Date.now() + 1), 1);
    assert.equal(limiter.trackedHosts(), 0);
  } finally {
    for (const s of open) s.destroy();
    limiter.stop();
    await new Promise((r) => server.close(r));
  }
});

test('counting without limiting when openConnLimit is off', async () => {
  const limiter = new ConnLimiter('t', 'tcp', { openConnLimit: false, maxConnPerHost: 1 }, log);
  const { server, port } = await listen(limiter);
  const open: Socket[] = [];
  try {
    assert.equal(await kept(port, open), true);
    assert.equal(await kept(port, open), true);
    assert.equal(limiter.counts().total, 2);
  } finally {
    for (const s of open) s.destroy();
    limiter.stop();
    await new Promise((r) => server.close(r));
  }
});
