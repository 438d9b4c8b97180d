/**
 * Memory given back after a burst, through the started daemon on the real clock: the idle trigger
 * (maintain.memoryReclaim with a short check interval and a small growth threshold) and
 * `POST /maintain/v1/memory/free`, both counted in `polaris_memory_reclaims_total`, the server
 * still answering afterwards.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';

const MiB = 1048576;
let d: Daemon;

before(async () => {
  d = await startDaemon({
    extraYaml: `
maintain:
  memoryReclaim:
    enable: true
    checkInterval: 200ms
    growthMiB: 8
`,
  });
});

after(async () => {
  await d?.stop();
});

function rss(): number {
  const line = readFileSync(`/proc/${d.proc.pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line!.split(/\s+/)[1]) * 1024;
}

async function reclaims(): Promise<number> {
  const r = await fetch(`${d.http}/metrics`);
  const line = (await r.text()).split('\n').find((l) => l.startsWith('polaris_memory_reclaims_total'));
  assert.ok(line, 'polaris_memory_reclaims_total is exported');
  return Number(line.split(' ').pop());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('memory reclaim', () => {
  test('after a register burst the idle server collects by itself and its RSS drops below the burst peak', async () => {
    const before = await reclaims();
    let peak = 0;
    // 6,000 instances in batches of 100: the write path leaves tens of MiB of dead objects behind.
    for (let b = 0; b < 60; b++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({
        service: `reclaim-${b % 4}`,
        namespace: 'default',
        host: `10.9.${b}.${i}`,
        port: 8000 + i,
        metadata: { zone: `z${i % 3}`, build: `b-${b}-${i}` },
      }));
      const r = await call(d.http, 'POST', '/naming/v1/instances', batch);
      assert.equal(r.status, 200, r.text);
      peak = Math.max(peak, rss());
    }
    let now = before;
    for (let i = 0; i < 100 && now === before; i++) {
      await sleep(200);
      now = await reclaims();
    }
    assert.ok(now > before, 'the idle trigger ran a collection');
    await sleep(300);
    const settled = rss();
    assert.ok(settled < peak, `RSS ${(peak / MiB).toFixed(0)} MiB at the burst → ${(settled / MiB).toFixed(0)} MiB`);
    assert.match(d.output(), /memory-reducing collection.*"reason":"idle","method":"inspector"/);
    // Nothing of the server's state went with the garbage.
    const l = await call(d.http, 'GET', '/naming/v1/instances?service=reclaim-1&namespace=default&limit=10');
    assert.equal(l.body.amount, 1500, l.text);
  });

  test('POST /maintain/v1/memory/free runs one collection and answers when it is done', async () => {
    const before = await reclaims();
    const r = await call(d.http, 'POST', '/maintain/v1/memory/free');
    assert.equal(r.status, 200);
    assert.equal(await reclaims(), before + 1);
    assert.match(d.output(), /memory-reducing collection.*"reason":"request","method":"inspector"/);
  });
});
