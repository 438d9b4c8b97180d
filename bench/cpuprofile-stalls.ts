/**
 * What the event loop's longest busy stretches are made of, from a `.cpuprofile` (node --cpu-prof,
 * e.g. the daemon under `XDS_BENCH_PROF=<dir> node --import tsx bench/xds.bench.ts`).
 * A stretch is a run of consecutive samples that are not `(idle)`: the main thread did not go
 * back to waiting for I/O in between, so timers (and the lag histogram) waited that long. Each
 * sample is put in one bucket by its stack: garbage collection, our xDS code (by file), other code
 * of ours (by directory), or the package doing the work (grpc-js, protobufjs, fastify, …).
 * Run: node --import tsx bench/cpuprofile-stalls.ts FILE.cpuprofile [--top 15] [--min-ms 8] [--from-ms T0 --to-ms T1 | --from-us M0 --to-us M1]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

/** The bucket of one stack (root first). */
function bucket(stack: ProfileNode[]): string {
  const leaf = stack[stack.length - 1];
  const name = leaf.callFrame.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return '(program: native, outside JS)';
  // The innermost frame of our own code says which of our steps is running.
  let ours: string | undefined;
  for (let i = stack.length - 1; i >= 0; i--) {
    const url = stack[i].callFrame.url;
    const m = /\/src\/(.*)\.ts$/.exec(url);
    if (m && !url.includes('node_modules')) {
      ours = m[1].startsWith('apiserver/xdsserverv3/') ? `xds:${m[1].slice('apiserver/xdsserverv3/'.length)}.${stack[i].callFrame.functionName || '(anon)'}` : `src:${m[1].split('/').slice(0, 2).join('/')}`;
      break;
    }
  }
  const url = leaf.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith('node:') ? url : url === '' ? `(native ${name || 'anon'})` : 'other');
  return ours ? `${ours} > ${pkg}` : pkg;
}

const file = process.argv[2];
if (!file) throw new Error('usage: cpuprofile-stalls.ts FILE.cpuprofile');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
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
  console.log(fmt(s.buckets, 8));
}
const sum = new Map<string, number>();
for (const s of long) for (const [k, v] of s.buckets) sum.set(k, (sum.get(k) ?? 0) + v);
console.log(`\nSummed over the stretches of ${minMs} ms or more:`);
console.log(fmt(sum, 30));
console.log(`\nAll busy time in the window:`);
console.log(fmt(totals, 30));
