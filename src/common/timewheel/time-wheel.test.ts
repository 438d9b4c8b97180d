import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, manualTicker, type Ticker } from './clock.js';
import { TimeWheel } from './time-wheel.js';

function wheel(clock: ManualClock, slotNum = 8, tickMs = 100, ticker: Ticker = manualTicker): TimeWheel {
  return new TimeWheel({ slotNum, tickMs, clock, ticker });
}

test('a task runs once its delay has passed, never before', () => {
  const clock = new ManualClock(1_000);
  const w = wheel(clock);
  const ran: number[] = [];
  w.add(() => ran.push(clock.now()), 250);
  clock.set(1_249);
  w.advanceTo();
  assert.deepEqual(ran, []);
  clock.set(1_300);
  w.advanceTo();
  assert.deepEqual(ran, [1_300]);
  clock.set(5_000);
  w.advanceTo();
  assert.equal(ran.length, 1, 'runs once');
  assert.equal(w.size(), 0);
});

test('one shared task serves many timers, each called with its own argument, also after a reschedule', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock);
  const ran: string[] = [];
  const task = (name: string) => ran.push(name);
  const a = w.add(task, 100, 'a');
  w.add(task, 200, 'b');
  clock.set(250);
  w.advanceTo();
  assert.deepEqual(ran, ['a', 'b']);
  a.reschedule(100);
  clock.set(400);
  w.advanceTo();
  assert.deepEqual(ran, ['a', 'b', 'a']);
});

test('delays longer than one revolution wait for extra rounds', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100); // one revolution = 400 ms
  const fired: string[] = [];
  const t = w.add(() => fired.push('long'), 1_050);
  w.add(() => fired.push('short'), 100);
  assert.equal(t.deadline, 1_100);
  for (let now = 100; now <= 1_000; now += 100) {
    clock.set(now);
    w.advanceTo();
  }
  assert.deepEqual(fired, ['short']);
  clock.set(1_100);
  w.advanceTo();
  assert.deepEqual(fired, ['short', 'long']);
});

test('adding between ticks rounds the deadline up to the next boundary', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 8, 100);
  clock.set(130);
  const t = w.add(() => {}, 100);
  assert.equal(t.deadline, 300, 'ceil((130 + 100) / 100) * 100');
  assert.ok(t.pending);
});

test('cancel removes a task in O(1) and reports whether it was pending', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock);
  let ran = false;
  const t = w.add(() => (ran = true), 100);
  assert.equal(w.size(), 1);
  assert.equal(t.cancel(), true);
  assert.equal(t.cancel(), false);
  assert.equal(w.size(), 0);
  clock.set(1_000);
  w.advanceTo();
  assert.equal(ran, false);
  assert.equal(t.pending, false);
});

test('a task cancelled by an earlier task of the same tick does not run', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock);
  const ran: string[] = [];
  let second: ReturnType<TimeWheel['add']> | undefined;
  w.add(() => {
    ran.push('first');
    assert.equal(second!.cancel(), true);
  }, 100);
  second = w.add(() => ran.push('second'), 100);
  clock.set(100);
  w.advanceTo();
  assert.deepEqual(ran, ['first']);
  assert.equal(w.size(), 0);
});

test('a task may reschedule itself without running twice in one tick', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const runs: number[] = [];
  const task = (): void => {
    runs.push(clock.now());
    w.add(task, 400); // exactly one revolution: lands in the slot being processed
  };
  w.add(task, 100);
  for (let now = 100; now <= 1_000; now += 100) {
    clock.set(now);
    w.advanceTo();
  }
  assert.deepEqual(runs, [100, 500, 900]);
});

test('a big clock jump skips whole revolutions and still runs every due task once, in deadline order', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const ran: number[] = [];
  for (const delay of [100, 900, 5_000, 40_000, 1_000_000]) w.add(() => ran.push(delay), delay);
  clock.set(50_000);
  const fired = w.advanceTo();
  assert.equal(fired, 4);
  assert.deepEqual(ran, [100, 900, 5_000, 40_000]);
  assert.equal(w.size(), 1);
  clock.set(999_999);
  w.advanceTo();
  assert.equal(ran.length, 4, 'the last task is not early after the skip');
  clock.set(1_000_000);
  w.advanceTo();
  assert.deepEqual(ran, [100, 900, 5_000, 40_000, 1_000_000]);
});

test('an idle wheel catches up after a long pause without walking every tick', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 30, 1_000);
  clock.set(365 * 24 * 3600 * 1000);
  assert.equal(w.advanceTo(), 0);
  let ran = false;
  const t = w.add(() => (ran = true), 1_000);
  assert.equal(t.deadline, clock.now() + 1_000);
  clock.advance(1_000);
  w.advanceTo();
  assert.equal(ran, true);
});

test('a clock going backwards runs nothing early', () => {
  const clock = new ManualClock(10_000);
  const w = wheel(clock);
  let ran = false;
  w.add(() => (ran = true), 200);
  clock.set(5_000);
  assert.equal(w.advanceTo(), 0);
  clock.set(10_150);
  w.advanceTo();
  assert.equal(ran, false);
  clock.set(10_200);
  w.advanceTo();
  assert.equal(ran, true);
});

test('task errors and rejections go to onError and do not stop the wheel', async () => {
  const clock = new ManualClock(0);
  const errors: unknown[] = [];
  const w = new TimeWheel({ slotNum: 4, tickMs: 100, clock, ticker: manualTicker, onError: (e) => errors.push(e) });
  let after = false;
  w.add(() => {
    throw new Error('sync');
  }, 100);
  w.add(() => Promise.reject(new Error('async')), 100);
  w.add(() => (after = true), 100);
  clock.set(100);
  w.advanceTo();
  await new Promise((r) => setImmediate(r));
  assert.equal(after, true);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['sync', 'async'],
  );
});

test('tick() moves exactly one slot whatever the clock says', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const ran: number[] = [];
  w.add(() => ran.push(1), 100);
  w.add(() => ran.push(2), 200);
  assert.equal(w.tick(), 1);
  assert.deepEqual(ran, [1]);
  assert.equal(w.tick(), 1);
  assert.deepEqual(ran, [1, 2]);
});

test('start()/stop() drive the wheel from the ticker at the tick interval', async () => {
  const clock = new ManualClock(0);
  let onTick: (() => void) | undefined;
  let interval = 0;
  let stopped = false;
  const ticker: Ticker = {
    start(ms, fn) {
      interval = ms;
      onTick = fn;
      return () => (stopped = true);
    },
  };
  const w = wheel(clock, 4, 100, ticker);
  let ran = false;
  w.add(() => (ran = true), 300);
  await w.start();
  assert.equal(interval, 100);
  clock.set(300);
  onTick!();
  assert.equal(ran, true);
  await w.stop();
  assert.equal(stopped, true);
});

test('rejects invalid options', () => {
  assert.throws(() => new TimeWheel({ slotNum: 0, tickMs: 100 }), RangeError);
  assert.throws(() => new TimeWheel({ slotNum: 4, tickMs: 0 }), RangeError);
});

test('reschedule moves a pending timer, revives a fired or cancelled one, and never double-runs', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const runs: number[] = [];
  const t = w.add(() => runs.push(clock.now()), 100);
  t.reschedule(300); // moved while pending
  assert.equal(w.size(), 1);
  assert.equal(t.deadline, 300);
  clock.set(200);
  w.advanceTo();
  assert.deepEqual(runs, []);
  clock.set(300);
  w.advanceTo();
  assert.deepEqual(runs, [300]);
  assert.equal(t.pending, false);
  t.reschedule(100); // revived after it ran
  assert.equal(t.pending, true);
  assert.equal(t.cancel(), true);
  t.reschedule(200); // revived after a cancel
  clock.set(500);
  w.advanceTo();
  assert.deepEqual(runs, [300, 500]);
  assert.equal(w.size(), 0);
});

test('a task rescheduling itself reuses its timer', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const runs: number[] = [];
  const t = w.add(() => {
    runs.push(clock.now());
    if (runs.length < 3) t.reschedule(1_000);
  }, 100);
  for (let now = 100; now <= 3_000; now += 100) {
    clock.set(now);
    w.advanceTo();
  }
  assert.deepEqual(runs, [100, 1_100, 2_100]);
});

test('a task rescheduled by an earlier task of the same tick runs at its new time only', () => {
  const clock = new ManualClock(0);
  const w = wheel(clock, 4, 100);
  const runs: string[] = [];
  let later: ReturnType<TimeWheel['add']> | undefined;
  w.add(() => {
    runs.push('first');
    later!.reschedule(200);
  }, 100);
  later = w.add(() => runs.push(`later@${clock.now()}`), 100);
  clock.set(100);
  w.advanceTo();
  assert.deepEqual(runs, ['first']);
  clock.set(300);
  w.advanceTo();
  assert.deepEqual(runs, ['first', 'later@300']);
});
