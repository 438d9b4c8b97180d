import assert from 'node:assert/strict';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { MemoryReclaimer, processProbes, type MemoryReclaimConfig, type ReclaimProbes } from './memory-reclaim.js';

const MiB = 1048576;
const CONFIG: MemoryReclaimConfig = { enable: true, checkIntervalMs: 60_000, growthBytes: 32 * MiB, idleBelow: 0.1, minIntervalMs: 0 };

const quietLog = { info: () => undefined, warn: () => undefined };

/** Probes whose readings the test sets: the trigger's decisions, without waiting for a real burst. */
function scripted() {
  const state = { rss: 200 * MiB, busy: 0, collections: 0, fail: false, release: undefined as undefined | (() => void) };
  const elu = (u: number): EventLoopUtilization => ({ idle: 1 - u, active: u, utilization: u });
  const probes: ReclaimProbes = {
    rss: () => state.rss,
    utilisation: (since) => elu(since ? state.busy : 0),
    collect: async () => {
      state.collections++;
      if (state.release) await new Promise<void>((r) => (state.release = r));
      if (state.fail) throw new Error('no inspector');
      state.rss -= 40 * MiB;
      return 'inspector';
    },
  };
  return { state, probes };
}

describe('memory reclaim trigger', () => {
  it('collects once the loop is idle and RSS grew past the threshold above its low point', async () => {
    const { state, probes } = scripted();
    const r = new MemoryReclaimer(CONFIG, quietLog, probes);
    r.start();
    try {
      state.rss = 150 * MiB; // a new low point
      r.check();
      state.rss = 180 * MiB; // +30 MiB: not enough
      r.check();
      assert.equal(state.collections, 0);
      state.rss = 190 * MiB; // +40 MiB, but busy
      state.busy = 0.5;
      r.check();
      assert.equal(state.collections, 0);
      state.busy = 0.02;
      r.check();
      assert.equal(state.collections, 1);
      await new Promise((res) => setImmediate(res));
      assert.equal(r.collections, 1);
      // Growth is measured from after the collection (150 MiB), not from the old low point.
      state.rss = 175 * MiB;
      r.check();
      assert.equal(state.collections, 1);
    } finally {
      await r.stop();
    }
  });

  it('lets minIntervalMs pass between idle collections', async () => {
    const { state, probes } = scripted();
    const r = new MemoryReclaimer({ ...CONFIG, minIntervalMs: 60_000 }, quietLog, probes);
    r.start();
    try {
      state.rss = 300 * MiB;
      r.check();
      await new Promise((res) => setImmediate(res));
      assert.equal(state.collections, 1);
      state.rss = 400 * MiB; // grown again, idle, but too soon
      r.check();
      assert.equal(state.collections, 1);
    } finally {
      await r.stop();
    }
  });

  it('runs one collection at a time: a request during one waits for it', async () => {
    const { state, probes } = scripted();
    state.release = () => undefined;
    const r = new MemoryReclaimer(CONFIG, quietLog, probes);
    const a = r.reclaim('request');
    const b = r.reclaim('request');
    assert.equal(a, b);
    await new Promise((res) => setImmediate(res));
    state.release!();
    state.release = undefined;
    const out = await a;
    assert.equal(out.method, 'inspector');
    assert.equal(out.rssBefore - out.rssAfter, 40 * MiB);
    assert.equal(state.collections, 1);
    await r.reclaim('request');
    assert.equal(state.collections, 2);
  });

  it('a failed collection is logged, rejects the request and leaves the trigger working', async () => {
    const { state, probes } = scripted();
    const warned: string[] = [];
    const r = new MemoryReclaimer(CONFIG, { info: () => undefined, warn: (_o, m) => void warned.push(m) }, probes);
    state.fail = true;
    await assert.rejects(r.reclaim('request'), /no inspector/);
    assert.deepEqual(warned, ['memory-reducing collection failed']);
    state.fail = false;
    await r.reclaim('request');
    assert.equal(r.collections, 1);
  });

  it('does nothing when disabled', async () => {
    const { state, probes } = scripted();
    const r = new MemoryReclaimer({ ...CONFIG, enable: false, checkIntervalMs: 1 }, quietLog, probes);
    r.start();
    state.rss = 400 * MiB;
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(state.collections, 0);
    await r.stop();
  });
});

describe('the collection of this process', () => {
  it('goes through the inspector and gives back the pages of dropped objects', async () => {
    let junk: unknown[] | undefined = [];
    for (let i = 0; i < 400_000; i++) junk.push({ id: `object-${i}`, list: [i, i + 1, i + 2] });
    const held = process.memoryUsage().heapUsed;
    junk = undefined;
    const r = new MemoryReclaimer(CONFIG, quietLog, processProbes());
    const out = await r.reclaim('request');
    // The collector thread stays for the next collection: a second one goes through it too.
    assert.equal((await r.reclaim('request')).method, 'inspector');
    await r.stop();
    assert.equal(out.method, 'inspector');
    const after = process.memoryUsage();
    // 400k small objects are ~40 MiB of heap; a memory-reducing collection leaves far less in use.
    assert.ok(held - after.heapUsed > 20 * MiB, `heap ${(held / MiB).toFixed(0)} → ${(after.heapUsed / MiB).toFixed(0)} MiB`);
    assert.ok(out.rssAfter < out.rssBefore, `RSS ${(out.rssBefore / MiB).toFixed(0)} → ${(out.rssAfter / MiB).toFixed(0)} MiB`);
    assert.ok(out.ms < 10_000);
  });
});
