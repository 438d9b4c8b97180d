/**
 * xDS v3 benchmark on the embedded store:
 *  - snapshot build: services × endpoints registered, then the first ADS request builds every
 *    resource (the daemon logs the duration; the client sees it as the first answer's latency);
 *  - 1,000 state-of-the-world streams (Envoy-like: CDS wildcard + EDS for 10 services each, all
 *    of them also watching one "hot" service), spread over 4 connections (--connections); RSS per stream;
 *  - push latency: one endpoint of the hot service changes (console PUT) → time until each of the
 *    1,000 streams holds the new EDS (p50 / p99 / last), measured from sending the PUT;
 *  - services rebuilt per change (polaris_xds_services_rebuilt_total): only the changed one;
 *  - the bench client's own CPU per change (process.cpuUsage over each round, averaged), to tell
 *    how much of the latency is this one process standing in for 1,000 Envoys;
 *  - memory per stream, from the daemon: its RSS, and its V8 heap after a full garbage collection
 *    (asked for through the daemon's inspector), before and after the streams connect.
 *  - the longest event-loop stall within each push (from just before the PUT to the last stream's
 *    answer), read from a histogram of the bench's own preload (bench/eld-probe.mjs) that costs
 *    the daemon nothing to read, next to the /metrics figure printed before (a scrape resets
 *    prom-client's histogram and then renders every metric, so each scrape's own tail is counted
 *    in the next round's figure).
 * Run: npm run bench (or node --import tsx bench/xds.bench.ts [--services S] [--endpoints E] [--streams N] [--rounds R] [--connections C] [--pin] [--full-decode] [--delta] [--mix] [--namespaces K] [--grpc-js-streams])
 * `--grpc-js-streams`: the daemon serves the streams through grpc-js (`streamFastPath: false`),
 * the way it did before call.ts, for a before/after in one build.
 * `--delta`: the streams are incremental (DeltaAggregatedResources: CDS wildcard, EDS by name
 * subscribed, each answer ACKed by nonce) instead of state of the world.
 * `--mix`: several node kinds instead of one: the services spread over `--namespaces` (default 4)
 * namespaces, and per namespace plain sidecars (6 in 10), sidecars naming their own service
 * (`sidecar.polarismesh.cn/serviceName`: own inbound cluster, so a view of their own; 3 in 10)
 * and gateways (`gateway~<ns>/…` with the gateway metadata; 1 in 10). Every stream watches the hot
 * service (namespace 0) and 10 services of its own namespace.
 * Environment: XDS_BENCH_PROF=<dir> writes the daemon's .cpuprofile there plus windows.json
 * (monotonic µs of each push and each /metrics scrape) for bench/cpuprofile-stalls.ts;
 * XDS_BENCH_NODE_ARGS adds daemon flags (e.g. --trace-gc); XDS_BENCH_LOG=<file> saves the
 * daemon's output; XDS_BENCH_HEAP_PROF=<file> samples the daemon's allocations during the push
 * rounds (including objects already collected) into a .heapprofile; XDS_BENCH_VERBOSE prints every round.
 * `--full-decode`: the bench client decodes every resource of every answer (one process decoding
 * for 1,000 Envoys, serially: latencies then include that); by default it reads only each
 * answer's envelope (version, type, nonce), so the figures are the server's delivery.
 * `--pin` pins the daemon (every thread) to CPU 1 and this client process to CPU 0 with taskset,
 * so the two do not steal each other's core (other load on the machine still does).
 */
import { call } from '../test/helpers/daemon.js';
import { adsClient, node, T, type DeltaSession, type SotwResponse, type SotwSession } from '../test/helpers/xds-client.js';
import { leanAdsClient } from './xds-lean-client.js';
import { startXdsDaemon } from '../test/helpers/xds-daemon.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, rssMiB, type Row, numArg as arg } from './lib.js';

/** CPU time (user + system) a process has used, ms (Linux /proc, 100 Hz ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Time the main thread of a process has spent runnable but waiting for a CPU, ms (/proc schedstat). */
function runQueueMs(pid: number): number {
  const [, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return waitNs / 1e6;
}


const flag = (name: string) => process.argv.includes(`--${name}`);

/** Pins every thread of a process to one CPU (threads created later inherit it). */
function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * The start of a throwaway script speaking the inspector protocol over Node 20's WebSocket:
 * `ws` and `send(method, params)` resolving the result.
 */
function inspectorClient(wsUrl: string): string {
  return `
    const ws = new WebSocket(${JSON.stringify(wsUrl)});
    let id = 0;
    const send = (method, params = {}) => new Promise((resolve) => {
      const my = ++id;
      const on = (ev) => { const m = JSON.parse(ev.data); if (m.id === my) { ws.removeEventListener('message', on); resolve(m.result); } };
      ws.addEventListener('message', on);
      ws.send(JSON.stringify({ id: my, method, params }));
    });`;
}

/**
 * The daemon's V8 heap in use after a full collection, MiB: a throwaway Node process (with the
 * WebSocket client of Node 20) speaks the inspector protocol to the daemon's --inspect port.
 */
async function heapAfterGcMiB(wsUrl: string): Promise<{ heap: number; external: number }> {
  const script = `${inspectorClient(wsUrl)}
    ws.addEventListener('open', async () => {
      await send('HeapProfiler.collectGarbage');
      await send('HeapProfiler.collectGarbage');
      const r = await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      console.log(r.result.value);
      ws.close();
    });`;
  const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise((r) => child.on('exit', r));
  const m = JSON.parse(out.trim() || '{}') as { heapUsed?: number; external?: number };
  return { heap: (m.heapUsed ?? NaN) / (1024 * 1024), external: (m.external ?? NaN) / (1024 * 1024) };
}

/**
 * Samples the daemon's allocations (V8's sampling heap profiler over its inspector, counting
 * objects already collected by scavenges and full collections too) until the returned function
 * is called, then writes the profile (.heapprofile, Chrome DevTools' Memory tab opens it).
 */
async function sampleAllocations(wsUrl: string, file: string): Promise<() => Promise<void>> {
  const script = `${inspectorClient(wsUrl)}
    ws.addEventListener('open', async () => {
      await send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      console.log('started');
      process.stdin.once('data', async () => {
        const r = await send('HeapProfiler.stopSampling');
        require('node:fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(r.profile));
        ws.close();
        process.exit(0);
      });
    });`;
  const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return async () => {
    child.stdin.write('stop\n');
    await new Promise((r) => child.on('exit', r));
  };
}

const NS = 'bench-xds';
const svcName = (i: number) => `svc-${String(i).padStart(3, '0')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** Scrapes /metrics once; note that a scrape resets the event-loop lag histogram. */
async function metrics(http: string, ...names: string[]): Promise<number[]> {
  const text = (await call(http, 'GET', '/metrics')).text;
  return names.map((name) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  });
}

async function metric(http: string, name: string): Promise<number> {
  return (await metrics(http, name))[0];
}

/** Monotonic clock in µs (CLOCK_MONOTONIC, the clock of the daemon's .cpuprofile timestamps). */
const mono = () => Number(process.hrtime.bigint() / 1000n);

/** Client of bench/eld-probe.mjs: each read returns the daemon's loop delays since the last read. */
class EldProbe {
  private buf = '';
  private waiting: Array<(line: string) => void> = [];
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
  }
  static open(path: string): Promise<EldProbe> {
    return new Promise((resolve, reject) => {
      const sock = connect(path, () => resolve(new EldProbe(sock)));
      sock.once('error', reject);
    });
  }
  read(): Promise<{ max: number; p99: number; count: number; gaps: Array<[number, number]> }> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line)));
      this.sock.write('r\n');
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

export interface XdsBenchOptions {
  services: number;
  endpoints: number;
  streams: number;
  rounds: number;
  connections: number;
  /** Incremental (DeltaAggregatedResources) streams instead of state of the world. */
  delta: boolean;
  /** Several node kinds over `namespaces` namespaces instead of one kind of plain sidecar. */
  mix: boolean;
  namespaces: number;
  pin: boolean;
  fullDecode: boolean;
  /** Streams go through grpc-js (`streamFastPath: false`) instead of the direct path. */
  grpcJsStreams: boolean;
}

/** Command-line options, overridden by `over` (npm run bench runs the default and two variants). */
function benchOptions(over: Partial<XdsBenchOptions>): XdsBenchOptions {
  const mix = over.mix ?? flag('mix');
  return {
    services: over.services ?? arg('services', 100),
    endpoints: over.endpoints ?? arg('endpoints', 100),
    streams: over.streams ?? arg('streams', 1000),
    rounds: over.rounds ?? arg('rounds', 5),
    connections: over.connections ?? arg('connections', 4),
    delta: over.delta ?? flag('delta'),
    mix,
    namespaces: over.namespaces ?? arg('namespaces', mix ? 4 : 1),
    pin: over.pin ?? flag('pin'),
    fullDecode: over.fullDecode ?? flag('full-decode'),
    grpcJsStreams: over.grpcJsStreams ?? flag('grpc-js-streams'),
  };
}

/** Where the services live: one namespace, or service s in namespace s mod K. */
class Layout {
  constructor(private readonly o: XdsBenchOptions) {}
  ns(s: number): string {
    return this.o.namespaces <= 1 ? NS : `${NS}-${s % this.o.namespaces}`;
  }
  cluster(s: number): string {
    return `OUTBOUND|${this.ns(s)}|${svcName(s)}`;
  }
  /** Services of namespace index k other than the hot one (service 0). */
  servicesOf(k: number): number[] {
    const out: number[] = [];
    for (let s = k; s < this.o.services; s += Math.max(1, this.o.namespaces)) if (s !== 0) out.push(s);
    return out;
  }
}

interface StreamPlan {
  node: object;
  /** What decides the node's resources (bench-side view of the server's node kinds). */
  kind: string;
  /** EDS names: the hot service's cluster first. */
  names: string[];
}

function plans(o: XdsBenchOptions, at: Layout): StreamPlan[] {
  const hot = at.cluster(0);
  const out: StreamPlan[] = [];
  for (let i = 0; i < o.streams; i++) {
    const ip = `10.200.${i >> 8}.${i & 255}`;
    if (!o.mix) {
      // The original bench: one kind of sidecar, 10 services in a sliding window plus the hot one.
      const names = [hot, ...Array.from({ length: 10 }, (_, k) => at.cluster(1 + ((i + k) % (o.services - 1))))];
      out.push({ node: node(`${NS}/bench-${i}~${ip}`), kind: `sidecar ${NS}`, names });
      continue;
    }
    const k = i % o.namespaces;
    const ns = o.namespaces <= 1 ? NS : `${NS}-${k}`;
    const group = Math.floor(i / o.namespaces);
    const mine = at.servicesOf(k);
    const names = [hot, ...Array.from({ length: Math.min(10, mine.length) }, (_, j) => at.cluster(mine[(group + j) % mine.length]))];
    // Streams of one group of ten name the same own service: several streams per node kind.
    const own = svcName(mine[Math.floor(group / 10) % mine.length]);
    const slot = group % 10;
    if (slot < 6) out.push({ node: node(`${ns}/bench-${i}~${ip}`), kind: `sidecar ${ns}`, names });
    else if (slot < 9) out.push({ node: node(`${ns}/bench-${i}~${ip}`, { 'sidecar.polarismesh.cn/serviceName': own }), kind: `sidecar ${ns} ${own}`, names });
    else {
      const meta = { 'gateway.polarismesh.cn/serviceNamespace': ns, 'gateway.polarismesh.cn/serviceName': own };
      out.push({ node: node(`gateway~${ns}/bench-${i}~${ip}`, meta), kind: `gateway ${ns} ${own}`, names });
    }
  }
  return out;
}

/** One bench stream, state of the world or delta: connect (CDS, then EDS, ACKed), then answers and ACKs. */
interface BenchStream {
  open(): Promise<void>;
  next(timeoutMs: number): Promise<{ type_url: string; resources: unknown[] }>;
  ack(res: unknown): void;
  /** Whether an answer is waiting that nobody asked for (resolves at once or after 1 ms). */
  unexpected(): Promise<boolean>;
}

function sotwStream(s: SotwSession, plan: StreamPlan): BenchStream {
  return {
    async open() {
      s.request(T.CDS, [], { node: plan.node });
      const cds = await s.next(120_000);
      s.request(T.CDS, [], { ack: cds });
      s.request(T.EDS, plan.names);
      const eds = await s.next(120_000);
      s.request(T.EDS, plan.names, { ack: eds });
    },
    next: (ms) => s.next(ms),
    ack: (r) => s.request(T.EDS, plan.names, { ack: r as SotwResponse }),
    unexpected: async () => !(await s.inbox.quiet(1)),
  };
}

function deltaStream(s: DeltaSession, plan: StreamPlan): BenchStream {
  return {
    async open() {
      s.request(T.CDS, { node: plan.node });
      const cds = await s.next(120_000);
      s.request(T.CDS, { nonce: cds.nonce });
      s.request(T.EDS, { subscribe: plan.names });
      const eds = await s.next(120_000);
      s.request(T.EDS, { nonce: eds.nonce });
    },
    next: (ms) => s.next(ms),
    ack: (r) => {
      const res = r as { type_url: string; nonce: string };
      s.request(res.type_url, { nonce: res.nonce });
    },
    unexpected: async () => !(await s.inbox.quiet(1)),
  };
}

export async function runXdsBench(over: Partial<XdsBenchOptions> = {}): Promise<Row[]> {
  const o = benchOptions(over);
  const { services, endpoints: perService, streams, rounds, connections } = o;
  const at = new Layout(o);
  const plan = plans(o, at);
  const kinds = new Set(plan.map((p) => p.kind)).size;
  const edsSubs = new Set(plan.map((p) => `${p.kind}\u0000${[...p.names].sort().join(',')}`)).size;
  const tag = [
    o.delta ? 'delta' : '',
    o.mix ? `${kinds} node kinds in ${o.namespaces} namespaces` : '',
    o.grpcJsStreams ? 'streams through grpc-js' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const label = (what: string) => `xds${tag ? ` [${tag}]` : ''} ${what}`;
  const rows: Row[] = [];
  const profDir = process.env.XDS_BENCH_PROF;
  const probeDir = mkdtempSync(join(tmpdir(), 'xds-bench-'));
  const probePath = join(probeDir, 'eld.sock');
  const nodeArgs = [
    '--inspect=127.0.0.1:0',
    '--import',
    new URL('./eld-probe.mjs', import.meta.url).pathname,
    ...(process.env.XDS_BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []),
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
  ];
  process.env.XDS_BENCH_ELD_SOCKET = probePath;
  const { d, xdsPort } = await startXdsDaemon(nodeArgs, o.grpcJsStreams ? ['streamFastPath: false'] : []);
  delete process.env.XDS_BENCH_ELD_SOCKET;
  const probe = await EldProbe.open(probePath);
  const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(d.output())?.[1];
  if (o.pin) {
    pin(d.proc.pid as number, 1);
    pin(process.pid, 0);
  }
  const windows: Array<{ label: string; from: number; to: number; gaps?: Array<[number, number]> }> = [];
  const clients: Array<{ close(): void; sotw(): SotwSession; delta(): DeltaSession }> = [];
  try {
    // Register services × endpoints (console batches of 100).
    const ids = new Map<string, string>();
    for (let s = 0; s < services; s++) {
      const body = Array.from({ length: perService }, (_, i) => ({
        service: svcName(s),
        namespace: at.ns(s),
        host: `10.${s >> 8}.${s & 255}.${i + 1}`,
        port: 8080,
        weight: 100,
        healthy: true,
        metadata: { version: i % 2 ? 'v1' : 'v2', zone: `z${i % 3}` },
        location: { region: 'r1', zone: `z${i % 3}` },
      }));
      const res = await call(d.http, 'POST', '/naming/v1/instances', body);
      if (res.body?.code !== 200000) throw new Error(`register: ${res.text}`);
      if (s === 0) ids.set('hot', res.body.responses[0].instance?.id);
    }
    const total = services * perService;
    const rssIdle = rssMiB(d.proc.pid as number);

    for (let c = 0; c < connections; c++) clients.push(o.fullDecode ? adsClient(xdsPort, { ownConnection: true }) : leanAdsClient(xdsPort));

    // First stream: activation builds every resource.
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds'); // a scrape resets the lag histogram
    const t0 = performance.now();
    const first = clients[0].sotw();
    first.request(T.CDS, [], { node: node(`${at.ns(0)}/bench-0~10.200.0.1`) });
    await first.next(60_000);
    const firstMs = performance.now() - t0;
    const buildLagMax = (await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds')) * 1000;
    first.end();
    await new Promise((r) => setTimeout(r, 300));
    const { heap: heapBuilt, external: extBuilt } = inspector ? await heapAfterGcMiB(inspector) : { heap: NaN, external: NaN };
    const rssBuilt = rssMiB(d.proc.pid as number);
    const built = /xDS snapshot built.*?"services":(\d+).*?"resources":(\d+).*?"ms":(\d+)/.exec(d.output());
    rows.push({
      bench: label(`snapshot build, ${services} services × ${perService} endpoints (${total})`),
      value: built ? `${built[3]} ms` : 'n/a',
      note: `${built?.[2] ?? '?'} resources; first CDS answer after ${firstMs.toFixed(0)} ms; longest event-loop stall meanwhile ${buildLagMax.toFixed(0)} ms`,
    });

    // N Envoy-like streams: CDS wildcard, EDS for 10 services + the hot one, ACKing everything.
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds'); // a scrape resets the lag histogram
    await probe.read(); // and this starts the probe's window
    const openFrom = mono();
    const tOpen = performance.now();
    const sessions: BenchStream[] = [];
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < streams; i++) {
      const client = clients[i % clients.length];
      const s = o.delta ? deltaStream(client.delta(), plan[i]) : sotwStream(client.sotw(), plan[i]);
      sessions.push(s);
      ready.push(s.open());
    }
    await Promise.all(ready);
    const openMs = performance.now() - tOpen;
    await new Promise((r) => setTimeout(r, 500));
    const { max: openStall, gaps: openGaps } = await probe.read();
    windows.push({ label: 'connect 0', from: openFrom, to: mono(), gaps: openGaps });
    const openLagMax = (await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds')) * 1000;
    const { heap: heapHeld, external: extHeld } = inspector ? await heapAfterGcMiB(inspector) : { heap: NaN, external: NaN };
    const rssHeld = rssMiB(d.proc.pid as number);
    rows.push({
      bench: label(`${streams} streams connected (CDS + 11 EDS each, ACKed)`),
      value: `${openMs.toFixed(0)} ms`,
      note: `longest event-loop stall meanwhile ${openStall.toFixed(0)} ms (probe; ${openLagMax.toFixed(0)} ms by the /metrics lag histogram)${o.mix ? `; ${kinds} node kinds, ${edsSubs} distinct EDS subscriptions` : ''}`,
    });
    rows.push({
      bench: label(`daemon memory per stream (${streams} streams)`),
      value: `${(((heapHeld - heapBuilt) * 1024) / streams).toFixed(1)} KiB heap, ${(((rssHeld - rssBuilt) * 1024) / streams).toFixed(1)} KiB RSS`,
      note: `daemon heap after full GC ${heapBuilt.toFixed(1)} → ${heapHeld.toFixed(1)} MiB, external (Buffers) ${extBuilt.toFixed(1)} → ${extHeld.toFixed(1)} MiB; RSS (after that GC) ${rssIdle.toFixed(0)} (registered) → ${rssBuilt.toFixed(0)} (snapshot built) → ${rssHeld.toFixed(0)} MiB (streams open)`,
    });

    // Push latency of one endpoint change of the hot service to every stream.
    const lat: number[] = [];
    const lasts: number[] = [];
    const firsts: number[] = [];
    const putMs: number[] = [];
    const fanOut: number[] = [];
    const stalls: number[] = [];
    let pushLagMax = 0;
    let otherTypes = 0;
    const rebuiltBefore = await metric(d.http, 'polaris_xds_services_rebuilt_total');
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds');
    const pid = d.proc.pid as number;
    const cpu: number[] = [];
    const waited: number[] = [];
    let clientCpuUs = 0;
    const stopSampling = process.env.XDS_BENCH_HEAP_PROF && inspector ? await sampleAllocations(inspector, process.env.XDS_BENCH_HEAP_PROF) : undefined;
    for (let round = 0; round < rounds; round++) {
      await probe.read(); // starts the window: what the loop did before is dropped
      const from = mono();
      const cpu0 = cpuMs(pid);
      const clientCpu0 = process.cpuUsage();
      const wait0 = runQueueMs(pid);
      const t = performance.now();
      const got = sessions.map(async (s) => {
        const r = await s.next(30_000);
        const took = performance.now() - t;
        if (r.type_url !== T.EDS) otherTypes++;
        s.ack(r);
        return took;
      });
      const res = await call(d.http, 'PUT', '/naming/v1/instances', [
        { id: ids.get('hot'), service: svcName(0), namespace: at.ns(0), host: '10.0.0.1', port: 8080, weight: 50 + round },
      ]);
      if (res.body?.code !== 200000) throw new Error(`update: ${res.text}`);
      putMs.push(performance.now() - t);
      const times = await Promise.all(got);
      const clientCpu = process.cpuUsage(clientCpu0);
      clientCpuUs += clientCpu.user + clientCpu.system;
      // The window ends after the daemon has had time to read the last ACKs.
      await new Promise((r) => setTimeout(r, 100));
      const { max: stall, gaps } = await probe.read();
      windows.push({ label: `push ${round}`, from, to: mono(), gaps });
      stalls.push(stall);
      lat.push(...times);
      lasts.push(Math.max(...times));
      firsts.push(Math.min(...times));
      cpu.push(cpuMs(pid) - cpu0);
      waited.push(runQueueMs(pid) - wait0);
      const scrapeFrom = mono();
      const [push, lag] = await metrics(d.http, 'polaris_xds_last_push_seconds', 'polaris_nodejs_eventloop_lag_max_seconds');
      windows.push({ label: `scrape ${round}`, from: scrapeFrom, to: mono() });
      fanOut.push(push * 1000);
      pushLagMax = Math.max(pushLagMax, lag * 1000);
      if (process.env.XDS_BENCH_VERBOSE) {
        const sorted = [...times].sort((a, b) => a - b);
        console.error(
          `round ${round}: put ${putMs.at(-1)?.toFixed(0)} first ${sorted[0].toFixed(0)} p50 ${percentile(sorted, 50).toFixed(0)} last ${sorted.at(-1)?.toFixed(0)} fan-out ${fanOut.at(-1)?.toFixed(0)} stall ${stall.toFixed(0)} lag(/metrics) ${(lag * 1000).toFixed(0)} cpu ${cpu.at(-1)} waited ${waited.at(-1)?.toFixed(0)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await stopSampling?.();
    // Every stream should have had exactly one answer per change: anything more is waiting now.
    await new Promise((r) => setTimeout(r, 300));
    const extra = (await Promise.all(sessions.map((s) => s.unexpected()))).filter(Boolean).length;
    const rebuilt = (await metric(d.http, 'polaris_xds_services_rebuilt_total')) - rebuiltBefore;
    const flushMs = (await metric(d.http, 'polaris_xds_last_flush_seconds')) * 1000;
    lat.sort((a, b) => a - b);
    lasts.sort((a, b) => a - b);
    rows.push({
      bench: label(`push of 1 endpoint change to ${streams} streams`),
      value: `p50 ${percentile(lat, 50).toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms`,
      note: `first stream served after ${median(firsts).toFixed(0)} ms, last after ${percentile(lasts, 50).toFixed(0)} ms (median of ${rounds} rounds; the PUT itself answered after ${median(putMs).toFixed(0)} ms); ${rebuilt} service rebuilds for ${rounds} changes, last rebuild ${flushMs.toFixed(1)} ms; server-side fan-out to all streams ${median(fanOut).toFixed(0)} ms; server CPU per change incl. the PUT and all ACKs ${median(cpu).toFixed(0)} ms; the daemon's main thread waited for a CPU (other processes' load) ${median(waited).toFixed(0)} ms per change (max ${Math.max(...waited).toFixed(0)}); bench client CPU per change (reading ${streams} answers, sending ${streams} ACKs and the PUT) ${(clientCpuUs / 1000 / rounds).toFixed(0)} ms; longest event-loop stall within a push (PUT to last ACK read) ${median(stalls).toFixed(0)} ms median round, ${Math.max(...stalls).toFixed(0)} ms max; per /metrics scrape (includes the previous scrape's own tail) ${pushLagMax.toFixed(1)} ms${otherTypes > 0 ? `; ${otherTypes} answers of another type than EDS` : ''}${extra > 0 ? `; ${extra} streams had an answer more than one per change` : ''}`,
    });
  } finally {
    probe.close();
    rmSync(probeDir, { recursive: true, force: true });
    if (process.env.XDS_BENCH_VERBOSE) console.error(d.output().split('\n').filter((l) => /Mark-Compact|Scavenge|Mark-sweep/.test(l)).slice(-60).join('\n'));
    for (const c of clients) c.close();
    await d.stop();
    if (process.env.XDS_BENCH_LOG) writeFileSync(process.env.XDS_BENCH_LOG, d.output());
    if (profDir) writeFileSync(join(profDir, `windows-${d.proc.pid}.json`), JSON.stringify(windows));
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await runXdsBench());
