/**
 * What the event loop's longest busy stretches are made of, from a `.cpuprofile` (node --cpu-prof,
 * e.g. the daemon under `XDS_BENCH_PROF=<dir> node --import tsx bench/xds.bench.ts`).
 * A stretch is a run of consecutive samples that are not `(idle)`: the main thread did not go
 * back to waiting for I/O in between, so timers (and the lag histogram) waited that long. Each
 * sample is put in one bucket by its stack: garbage collection, our xDS code (by file), other code
 * of ours (by directory), or the package doing the work (grpc-js, protobufjs, fastify, …).
 * Run: node --import tsx bench/cpuprofile-stalls.ts FILE.cpuprofile [--top 15] [--parts 8] [--min-ms 8] [--from-ms T0 --to-ms T1 | --from-us M0 --to-us M1] [--windows windows-PID.json]
 * `--windows`: the push and scrape windows the xDS bench wrote (monotonic µs): per window the
 * longest stretch in it, and the parts of the longest stretch of every push window summed
 * (`--each`: also the parts of each window's longest stretch of `--min-ms` or more).
 */
import { readFileSync } from 'node:fs';
import { bucket, step, type ProfileNode } from './profile-buckets.js';
import { numArg as arg } from './lib.js';

const windowsArg = process.argv.indexOf('--windows');

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}


const file = process.argv[2];
if (!file) throw new Error('usage: cpuprofile-stalls.ts FILE.cpuprofile');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c as number, n.id);
const stackCache = new Map<number, string>();
function bucketOf(id: number): string {
  let b = stackCache.get(id);
  if (b === undefined) {
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.unshift(byId.get(cur) as ProfileNode);
    b = bucket(stack);
    stackCache.set(id, b);
  }
  return b;
}
const isIdle = (id: number) => byId.get(id)?.callFrame.functionName === '(idle)';

// Sample i covers [t_i, t_{i+1}); times in ms from the profile's start.
const times: number[] = [];
let t = 0;
for (const d of p.timeDeltas) times.push((t += d / 1000));
// --from-us / --to-us: absolute monotonic microseconds (process.hrtime, what the bench prints).
const from = process.argv.includes('--from-us') ? (arg('from-us', 0) - p.startTime) / 1000 : arg('from-ms', 0);
const to = process.argv.includes('--to-us') ? (arg('to-us', 0) - p.startTime) / 1000 : arg('to-ms', Infinity);
interface Stretch {
  start: number;
  end: number;
  buckets: Map<string, number>;
}
const stretches: Stretch[] = [];
let cur: Stretch | undefined;
const totals = new Map<string, number>();
for (let i = 0; i < p.samples.length - 1; i++) {
  if (times[i] < from || times[i] > to) continue;
  const dur = times[i + 1] - times[i];
  const id = p.samples[i];
  if (isIdle(id)) {
    if (cur) stretches.push(cur);
    cur = undefined;
    continue;
  }
  cur ??= { start: times[i], end: times[i], buckets: new Map() };
  cur.end = times[i + 1];
  const b = bucketOf(id);
  cur.buckets.set(b, (cur.buckets.get(b) ?? 0) + dur);
  totals.set(b, (totals.get(b) ?? 0) + dur);
}
if (cur) stretches.push(cur);

const top = arg('top', 15);
// How many parts each listed stretch shows (`--parts`).
const partsShown = arg('parts', 8);
const minMs = arg('min-ms', 8);
const fmt = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `    ${v.toFixed(1).padStart(7)} ms  ${k}`)
    .join('\n');
const long = stretches.filter((s) => s.end - s.start >= minMs).sort((a, b) => b.end - b.start - (a.end - a.start));
console.log(`${stretches.length} busy stretches; ${long.length} of ${minMs} ms or more; the ${Math.min(top, long.length)} longest:`);
for (const s of long.slice(0, top)) {
  console.log(`  at ${s.start.toFixed(0)} ms: ${(s.end - s.start).toFixed(1)} ms`);
  console.log(fmt(s.buckets, partsShown));
}
const sum = new Map<string, number>();
for (const s of long) for (const [k, v] of s.buckets) sum.set(k, (sum.get(k) ?? 0) + v);
console.log(`\nSummed over the stretches of ${minMs} ms or more:`);
console.log(fmt(sum, 30));
console.log(`\nAll busy time in the window:`);
console.log(fmt(totals, 30));

if (windowsArg > 0) {
  const wins = JSON.parse(readFileSync(process.argv[windowsArg + 1], 'utf8')) as Array<{ label: string; from: number; to: number; gaps?: Array<[number, number]> }>;
  // The stalls the daemon's probe saw (a 2 ms interval late by 5 ms or more): exactly the samples in them.
  const gapParts = new Map<string, number>();
  const gapSteps = new Map<string, number>();
  let gapTotal = 0;
  const gapLens: string[] = [];
  for (const w of wins) {
    let longest: [number, number] | undefined;
    for (const g of w.gaps ?? []) if (!longest || g[1] > longest[1]) longest = g;
    if (!longest) continue;
    const a = (longest[0] - p.startTime) / 1000;
    const b = a + longest[1];
    const parts = new Map<string, number>();
    for (let i = 0; i < p.samples.length - 1; i++) {
      if (times[i] < a || times[i] >= b || isIdle(p.samples[i])) continue;
      const k = bucketOf(p.samples[i]);
      parts.set(k, (parts.get(k) ?? 0) + (times[i + 1] - times[i]));
    }
    gapLens.push(`${w.label.split(' ')[1]}:${longest[1].toFixed(0)}`);
    let sampled = 0;
    for (const [k, v] of parts) {
      gapParts.set(k, (gapParts.get(k) ?? 0) + v);
      gapSteps.set(step(k), (gapSteps.get(step(k)) ?? 0) + v);
      sampled += v;
    }
    gapTotal += longest[1];
    // The rest of the stall: the process did not run (waited for a CPU) or the sampler missed it.
    gapSteps.set('no sample (not running: waiting for a CPU)', (gapSteps.get('no sample (not running: waiting for a CPU)') ?? 0) + Math.max(0, longest[1] - sampled));
    if (process.argv.includes('--each')) console.log(`  ${w.label} longest stall ${longest[1].toFixed(1)} ms at ${((longest[0] - w.from) / 1000).toFixed(0)} ms into the window\n${fmt(parts, partsShown)}`);
  }
  // Everything the daemon ran inside the push windows (all rounds), whether it stalled the loop or not.
  const inPush = new Map<string, number>();
  let pushWindows = 0;
  for (const w of wins.filter((x) => x.label.startsWith('push'))) {
    pushWindows++;
    const a = (w.from - p.startTime) / 1000;
    const b = (w.to - p.startTime) / 1000;
    for (let i = 0; i < p.samples.length - 1; i++) {
      if (times[i] < a || times[i] >= b || isIdle(p.samples[i])) continue;
      const k = bucketOf(p.samples[i]);
      inPush.set(k, (inPush.get(k) ?? 0) + (times[i + 1] - times[i]));
    }
  }
  let busy = 0;
  for (const v of inPush.values()) busy += v;
  const bySteps = new Map<string, number>();
  for (const [k, v] of inPush) bySteps.set(step(k), (bySteps.get(step(k)) ?? 0) + v);
  console.log(`\nBusy time inside the ${pushWindows} push windows: ${busy.toFixed(0)} ms (${(busy / Math.max(1, pushWindows)).toFixed(1)} ms per round); by step:`);
  console.log(fmt(bySteps, 12));
  console.log('by part:');
  console.log(fmt(inPush, 40));
  if (gapLens.length > 0) {
    console.log(`\nLongest stall the probe saw per window (round:ms): ${gapLens.join(' ')}`);
    console.log(`Their ${gapTotal.toFixed(0)} ms by step of the push:`);
    console.log(fmt(gapSteps, 12));
    console.log('Their samples summed over the rounds:');
    console.log(fmt(gapParts, 25));
  }
  for (const kind of ['push', 'scrape']) {
    const parts = new Map<string, number>();
    const lens: string[] = [];
    for (const w of wins.filter((x) => x.label.startsWith(kind))) {
      const a = (w.from - p.startTime) / 1000;
      const b = (w.to - p.startTime) / 1000;
      let best: Stretch | undefined;
      for (const st of stretches) if (st.end > a && st.start < b && (!best || st.end - st.start > best.end - best.start)) best = st;
      if (!best) continue;
      lens.push(`${w.label.split(' ')[1]}:${(best.end - best.start).toFixed(0)}`);
      if (process.argv.includes('--each') && best.end - best.start >= minMs) console.log(`  ${w.label}: ${(best.end - best.start).toFixed(1)} ms at ${(best.start - a).toFixed(0)} ms into the window\n${fmt(best.buckets, partsShown)}`);
      for (const [k, v] of best.buckets) parts.set(k, (parts.get(k) ?? 0) + v);
    }
    console.log(`\nLongest stretch per ${kind} window (round:ms): ${lens.join(' ')}`);
    console.log(`Their parts summed over the rounds:`);
    console.log(fmt(parts, 20));
  }
}
