import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { ManualClock } from '../../common/timewheel/clock.js';
import {
  BatchController,
  BatchItemOutcome,
  DEFAULT_BATCH_CONFIG,
  type BatchConfig,
  type BatchControllerDeps,
  type Timers,
} from './batch-controller.js';

/** Timers that fire only when told to. */
class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, () => void>();
  /** Delay asked for by each timer ever set, in order. */
  readonly delays: number[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const fn of fns) fn();
  }
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function controller<Req, Res>(
  handler: BatchControllerDeps<Req, Res>['handler'],
  config: Partial<BatchConfig> = {},
  extra: Partial<BatchControllerDeps<Req, Res>> = {},
) {
  const timers = new ManualTimers();
  const clock = new ManualClock(0);
  const c = new BatchController<Req, Res>(
    { name: 'test', handler, timers, clock, ...extra },
    { ...DEFAULT_BATCH_CONFIG, ...config },
  );
  return { c, timers, clock };
}

function codeOf(err: unknown): number | undefined {
  return err instanceof PolarisError ? err.code : undefined;
}

test('100 concurrent submits are coalesced into a few handler calls, each caller gets its own result', async () => {
  const calls: number[][] = [];
  const { c, timers } = controller<number, number>(async (reqs) => {
    calls.push(reqs);
    return reqs.map((r) => r * 2);
  }, { maxBatchCount: 32, waitTimeMs: 32 });
  const all = Array.from({ length: 100 }, (_, i) => c.submit(i));
  // Full batches go at once; the remainder goes as soon as the store is free again (group
  // commit), without waiting for its timer.
  const results = await Promise.all(all);
  assert.deepEqual(calls.map((b) => b.length), [32, 32, 32, 4]);
  assert.deepEqual(results, Array.from({ length: 100 }, (_, i) => i * 2));
  assert.equal(timers.pending.size, 0);
});

test('an idle controller sends at the end of the event-loop turn; a busy one waits up to waitTime', async () => {
  const busy = gate();
  let called = 0;
  const { c, timers } = controller<number, number>(async (reqs) => {
    called++;
    if (called === 1) await busy.wait;
    return reqs;
  }, { maxBatchCount: 10, waitTimeMs: 50 });
  const p1 = c.submit(1);
  assert.deepEqual(timers.delays, [0], 'idle: no wait time');
  await settle();
  assert.equal(called, 0, 'nothing runs before the timer fires');
  timers.fireAll();
  await settle();
  assert.equal(called, 1);
  const p2 = c.submit(2);
  assert.deepEqual(timers.delays, [0, 50], 'busy: the configured wait time');
  busy.open();
  assert.equal(await p1, 1);
  assert.equal(await p2, 2, 'sent when the running batch finished, before its timer');
  assert.equal(called, 2);
});

test('per-item outcomes: each caller gets its own result or error', async () => {
  const { c, timers } = controller<number, string>(async (reqs) =>
    reqs.map((r) =>
      r % 2 === 0
        ? BatchItemOutcome.success(`ok ${r}`)
        : BatchItemOutcome.failure<string>(new PolarisError(Code.NotFoundResource, `no ${r}`)),
    ),
  );
  const ps = [0, 1, 2, 3].map((r) => c.submit(r));
  timers.fireAll();
  const settled = await Promise.allSettled(ps);
  assert.deepEqual(settled[0], { status: 'fulfilled', value: 'ok 0' });
  assert.deepEqual(settled[2], { status: 'fulfilled', value: 'ok 2' });
  for (const i of [1, 3]) {
    const s = settled[i];
    assert.equal(s.status, 'rejected');
    assert.equal(codeOf((s as PromiseRejectedResult).reason), Code.NotFoundResource);
    assert.match(((s as PromiseRejectedResult).reason as Error).message, new RegExp(`no ${i}`));
  }
});

test('a throwing handler fails every caller of that batch, and only that batch', async () => {
  let n = 0;
  const { c, timers } = controller<number, number>(async (reqs) => {
    if (n++ === 0) throw new Error('store down');
    return reqs;
  }, { maxBatchCount: 2 });
  const first = [c.submit(1), c.submit(2)];
  const second = [c.submit(3), c.submit(4)];
  timers.fireAll();
  for (const p of first) await assert.rejects(p, /store down/);
  assert.deepEqual(await Promise.all(second), [3, 4]);
});

test('a handler answering the wrong number of results fails the batch with ExecuteException', async () => {
  const { c, timers } = controller<number, number>(async () => [1]);
  const ps = [c.submit(1), c.submit(2)];
  timers.fireAll();
  for (const p of ps) {
    await assert.rejects(p, (err: unknown) => codeOf(err) === Code.ExecuteException);
  }
});

test('a full queue is refused at once with 429001, without waiting for the handler', async () => {
  const g = gate();
  const { c } = controller<number, number>(async (reqs) => {
    await g.wait;
    return reqs;
  }, { queueSize: 10, maxBatchCount: 5, concurrency: 1 });
  const accepted = Array.from({ length: 15 }, (_, i) => c.submit(i)); // 5 running + 10 queued
  await settle();
  assert.deepEqual(c.stats(), { queued: 10, running: 1, dropped: 0 });
  await assert.rejects(c.submit(99), (err: unknown) => {
    assert.ok(err instanceof PolarisError);
    assert.equal(err.code, Code.InstanceTooManyRequests);
    assert.equal(err.httpStatus, 429);
    return true;
  });
  g.open();
  assert.equal((await Promise.all(accepted)).length, 15);
  assert.deepEqual(c.stats(), { queued: 0, running: 0, dropped: 0 });
});

test('the overload code can be chosen per controller', async () => {
  const g = gate();
  const { c } = controller<number, number>(async (r) => (await g.wait, r), { queueSize: 1, maxBatchCount: 1, concurrency: 1 }, {
    overloadCode: Code.ExecuteException,
  });
  const a = c.submit(1);
  const b = c.submit(2);
  await assert.rejects(c.submit(3), (err: unknown) => codeOf(err) === Code.ExecuteException);
  g.open();
  await Promise.all([a, b]);
});

test('at most `concurrency` handlers run at once', async () => {
  let active = 0;
  let peak = 0;
  const { c } = controller<number, number>(async (reqs) => {
    active++;
    peak = Math.max(peak, active);
    await settle();
    active--;
    return reqs;
  }, { maxBatchCount: 1, concurrency: 3 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => c.submit(i)));
  assert.equal(peak, 3);
});

test('tasks older than taskLife when their batch starts are dropped with 500008', async () => {
  const g = gate();
  const seen: number[] = [];
  const answered: number[] = [];
  const { c, clock } = controller<number, number>(async (reqs) => {
    seen.push(...reqs);
    if (reqs[0] === 1) await g.wait;
    return reqs;
  }, { maxBatchCount: 1, concurrency: 1, dropExpireTask: true, taskLifeMs: 1_000 }, { onAnswered: (ms) => answered.push(ms) });
  const first = c.submit(1);
  await settle();
  const stale = c.submit(2); // queued behind the blocked batch at t = 0
  clock.set(900);
  const fresh = c.submit(3); // queued at t = 900
  clock.set(1_500);
  g.open();
  assert.equal(await first, 1);
  await assert.rejects(stale, (err: unknown) => codeOf(err) === Code.InstanceRegisTimeout);
  assert.equal(await fresh, 3);
  assert.deepEqual(seen, [1, 3], 'the handler never sees a dropped task');
  assert.equal(c.stats().dropped, 1, 'drops are counted (instance_regis_task_expire)');
  await settle();
  assert.deepEqual(answered, [1_500, 600], 'submission-to-answer times of the handled tasks only');
});

test('without dropExpireTask old tasks still run', async () => {
  const g = gate();
  const { c, clock } = controller<number, number>(async (reqs) => {
    if (reqs[0] === 1) await g.wait;
    return reqs;
  }, { maxBatchCount: 1, concurrency: 1, dropExpireTask: false, taskLifeMs: 1_000 });
  const first = c.submit(1);
  const old = c.submit(2);
  clock.set(60_000);
  g.open();
  assert.deepEqual(await Promise.all([first, old]), [1, 2]);
});

test('open: false runs each request by itself, at once', async () => {
  const calls: number[][] = [];
  const { c, timers } = controller<number, number>(async (reqs) => {
    calls.push(reqs);
    return reqs.map((r) => r + 1);
  }, { open: false, queueSize: 1 });
  const ps = [c.submit(1), c.submit(2), c.submit(3)];
  assert.deepEqual(calls, [[1], [2], [3]], 'handler called synchronously per request');
  assert.equal(timers.pending.size, 0);
  assert.deepEqual(await Promise.all(ps), [2, 3, 4]);
  const failing = controller<number, number>(async () => [BatchItemOutcome.failure<number>(new Error('nope'))], { open: false });
  await assert.rejects(failing.c.submit(1), /nope/);
});

test('stop() sends buffered requests at once, resolves after they ran, then refuses new ones', async () => {
  const calls: number[][] = [];
  const g = gate();
  const { c, timers } = controller<number, number>(async (reqs) => {
    calls.push(reqs);
    await g.wait;
    return reqs;
  }, { waitTimeMs: 10_000 });
  const ps = [c.submit(1), c.submit(2), c.submit(3)];
  let stopped = false;
  const stopping = c.stop().then(() => (stopped = true));
  assert.deepEqual(calls, [[1, 2, 3]]);
  assert.equal(timers.pending.size, 0, 'wait timer cleared');
  await settle();
  assert.equal(stopped, false, 'waits for the running batch');
  g.open();
  await stopping;
  assert.deepEqual(await Promise.all(ps), [1, 2, 3]);
  await assert.rejects(c.submit(4), (err: unknown) => codeOf(err) === Code.ExecuteException);
});

test('stop() on an idle controller resolves at once', async () => {
  const { c } = controller<number, number>(async (r) => r);
  await c.stop();
});

test('duplicate keys, polaris style: the first is handled, later ones get 400208', async () => {
  const calls: { id: string; v: number }[][] = [];
  const { c, timers } = controller<{ id: string; v: number }, number>(
    async (reqs) => {
      calls.push(reqs);
      return reqs.map((r) => r.v);
    },
    {},
    { key: (r) => r.id },
  );
  const a1 = c.submit({ id: 'a', v: 1 });
  const b = c.submit({ id: 'b', v: 2 });
  const a2 = c.submit({ id: 'a', v: 3 });
  timers.fireAll();
  assert.equal(await a1, 1);
  assert.equal(await b, 2);
  await assert.rejects(a2, (err: unknown) => codeOf(err) === Code.SameInstanceRequest);
  assert.deepEqual(calls, [[{ id: 'a', v: 1 }, { id: 'b', v: 2 }]]);
});

test('duplicate keys, merge: the later request wins and both callers get its result', async () => {
  const calls: { id: string; healthy: boolean }[][] = [];
  const { c, timers } = controller<{ id: string; healthy: boolean }, string>(
    async (reqs) => {
      calls.push(reqs);
      return reqs.map((r) => `${r.id}=${r.healthy}`);
    },
    {},
    { key: (r) => r.id, duplicates: 'merge' },
  );
  const p1 = c.submit({ id: 'a', healthy: false });
  const p2 = c.submit({ id: 'a', healthy: true });
  timers.fireAll();
  assert.deepEqual(await Promise.all([p1, p2]), ['a=true', 'a=true']);
  assert.deepEqual(calls, [[{ id: 'a', healthy: true }]]);
});

test('without a key nothing is deduplicated', async () => {
  const { c, timers } = controller<string, string>(async (reqs) => reqs);
  const ps = [c.submit('x'), c.submit('x')];
  timers.fireAll();
  assert.deepEqual(await Promise.all(ps), ['x', 'x']);
});

test('works with real timers (smoke)', async () => {
  const c = new BatchController<number, number>(
    { name: 'real', handler: async (reqs) => reqs.map((r) => -r) },
    { ...DEFAULT_BATCH_CONFIG, waitTimeMs: 0 },
  );
  assert.deepEqual(await Promise.all([c.submit(1), c.submit(2)]), [-1, -2]);
  await c.stop();
});

test('rejects an invalid config', () => {
  const handler = async (r: number[]) => r;
  assert.throws(() => new BatchController({ name: 'x', handler }, { ...DEFAULT_BATCH_CONFIG, queueSize: 0 }), RangeError);
  assert.throws(() => new BatchController({ name: 'x', handler }, { ...DEFAULT_BATCH_CONFIG, concurrency: 1.5 }), RangeError);
  assert.throws(() => new BatchController({ name: 'x', handler }, { ...DEFAULT_BATCH_CONFIG, waitTimeMs: -1 }), RangeError);
});
