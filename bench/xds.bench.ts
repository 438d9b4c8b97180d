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
 * Run: npm run bench (or node --import tsx bench/xds.bench.ts [--services S] [--endpoints E] [--streams N] [--rounds R] [--connections C] [--pin] [--full-decode])
 * `--full-decode`: the bench client decodes every resource of every answer (one process decoding
 * for 1,000 Envoys, serially: latencies then include that); by default it reads only each
 * answer's envelope (version, type, nonce), so the figures are the server's delivery.
 * `--pin` pins the daemon (every thread) to CPU 1 and this client process to CPU 0 with taskset,
 * so the two do not steal each other's core (other load on the machine still does).
 */
import { call } from '../test/helpers/daemon.js';
import { adsClient, node, T, type SotwSession } from '../test/helpers/xds-client.js';
import { leanAdsClient } from './xds-lean-client.js';
import { startXdsDaemon } from '../test/helpers/xds-daemon.js';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { printTable, rssMiB, type Row } from './lib.js';

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

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

const flag = (name: string) => process.argv.includes(`--${name}`);

/** Pins every thread of a process to one CPU (threads created later inherit it). */
function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * The daemon's V8 heap in use after a full collection, MiB: a throwaway Node process (with the
 * WebSocket client of Node 20) speaks the inspector protocol to the daemon's --inspect port.
 */
async function heapAfterGcMiB(wsUrl: string): Promise<{ heap: number; external: number }> {
  const script = `
    const ws = new WebSocket(${JSON.stringify(wsUrl)});
    let id = 0;
    const send = (method, params = {}) => new Promise((resolve) => {
      const my = ++id;
      const on = (ev) => { const m = JSON.parse(ev.data); if (m.id === my) { ws.removeEventListener('message', on); resolve(m.result); } };
      ws.addEventListener('message', on);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
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

const NS = 'bench-xds';
const cluster = (svc: string) => `OUTBOUND|${NS}|${svc}`;
const svcName = (i: number) => `svc-${String(i).padStart(3, '0')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

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

export async function runXdsBench(): Promise<Row[]> {
  const services = arg('services', 100);
  const perService = arg('endpoints', 100);
  const streams = arg('streams', 1000);
  const rounds = arg('rounds', 5);
  const connections = arg('connections', 4);
  const rows: Row[] = [];
  const nodeArgs = ['--inspect=127.0.0.1:0', ...(process.env.XDS_BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []), ...(process.env.XDS_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.XDS_BENCH_PROF}`] : [])];
  const { d, xdsPort } = await startXdsDaemon(nodeArgs);
  const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(d.output())?.[1];
  if (flag('pin')) {
    pin(d.proc.pid as number, 1);
    pin(process.pid, 0);
  }
  const clients: Array<{ close(): void; sotw(): SotwSession }> = [];
  try {
    // Register services × endpoints (console batches of 100).
    const ids = new Map<string, string>();
    for (let s = 0; s < services; s++) {
      const body = Array.from({ length: perService }, (_, i) => ({
        service: svcName(s),
        namespace: NS,
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

    for (let c = 0; c < connections; c++) clients.push(flag('full-decode') ? adsClient(xdsPort, { ownConnection: true }) : leanAdsClient(xdsPort));
    const hot = cluster(svcName(0));

    // First stream: activation builds every resource.
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds'); // a scrape resets the lag histogram
    const t0 = performance.now();
    const sessions: Array<{ s: SotwSession; names: string[] }> = [];
    const first = clients[0].sotw();
    first.request(T.CDS, [], { node: node(`${NS}/bench-0~10.200.0.1`) });
    await first.next(60_000);
    const firstMs = performance.now() - t0;
    const buildLagMax = (await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds')) * 1000;
    first.end();
    await new Promise((r) => setTimeout(r, 300));
    const { heap: heapBuilt, external: extBuilt } = inspector ? await heapAfterGcMiB(inspector) : { heap: NaN, external: NaN };
    const rssBuilt = rssMiB(d.proc.pid as number);
    const built = /xDS snapshot built.*?"services":(\d+).*?"resources":(\d+).*?"ms":(\d+)/.exec(d.output());
    rows.push({
      bench: `xds snapshot build, ${services} services × ${perService} endpoints (${total})`,
      value: built ? `${built[3]} ms` : 'n/a',
      note: `${built?.[2] ?? '?'} resources; first CDS answer after ${firstMs.toFixed(0)} ms; longest event-loop stall meanwhile ${buildLagMax.toFixed(0)} ms`,
    });

    // N Envoy-like streams: CDS wildcard, EDS for 10 services + the hot one, ACKing everything.
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds'); // a scrape resets the lag histogram
    const tOpen = performance.now();
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < streams; i++) {
      const s = clients[i % clients.length].sotw();
      const names = [hot, ...Array.from({ length: 10 }, (_, k) => cluster(svcName(1 + ((i + k) % (services - 1)))))];
      sessions.push({ s, names });
      ready.push(
        (async () => {
          s.request(T.CDS, [], { node: node(`${NS}/bench-${i}~10.200.${i >> 8}.${i & 255}`) });
          const cds = await s.next(120_000);
          s.request(T.CDS, [], { ack: cds });
          s.request(T.EDS, names);
          const eds = await s.next(120_000);
          s.request(T.EDS, names, { ack: eds });
        })(),
      );
    }
    await Promise.all(ready);
    const openMs = performance.now() - tOpen;
    await new Promise((r) => setTimeout(r, 500));
    const openLagMax = (await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds')) * 1000;
    const { heap: heapHeld, external: extHeld } = inspector ? await heapAfterGcMiB(inspector) : { heap: NaN, external: NaN };
    const rssHeld = rssMiB(d.proc.pid as number);
    rows.push({
      bench: `xds ${streams} streams connected (CDS + 11 EDS each, ACKed)`,
      value: `${openMs.toFixed(0)} ms`,
      note: `longest event-loop stall meanwhile ${openLagMax.toFixed(0)} ms`,
    });
    rows.push({
      bench: `xds daemon memory per stream (${streams} streams)`,
      value: `${(((heapHeld - heapBuilt) * 1024) / streams).toFixed(1)} KiB heap, ${(((rssHeld - rssBuilt) * 1024) / streams).toFixed(1)} KiB RSS`,
      note: `daemon heap after full GC ${heapBuilt.toFixed(1)} → ${heapHeld.toFixed(1)} MiB, external (Buffers) ${extBuilt.toFixed(1)} → ${extHeld.toFixed(1)} MiB; RSS (after that GC) ${rssIdle.toFixed(0)} (registered) → ${rssBuilt.toFixed(0)} (snapshot built) → ${rssHeld.toFixed(0)} MiB (streams open)`,
    });

    // Push latency of one endpoint change of the hot service to every stream.
    const lat: number[] = [];
    const lasts: number[] = [];
    const firsts: number[] = [];
    const putMs: number[] = [];
    const fanOut: number[] = [];
    let pushLagMax = 0;
    const rebuiltBefore = await metric(d.http, 'polaris_xds_services_rebuilt_total');
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds');
    const pid = d.proc.pid as number;
    const cpu: number[] = [];
    const waited: number[] = [];
    let clientCpuUs = 0;
    for (let round = 0; round < rounds; round++) {
      const cpu0 = cpuMs(pid);
      const clientCpu0 = process.cpuUsage();
      const wait0 = runQueueMs(pid);
      const t = performance.now();
      const got = sessions.map(async ({ s, names }) => {
        const r = await s.next(30_000);
        const at = performance.now() - t;
        s.request(T.EDS, names, { ack: r });
        return at;
      });
      const res = await call(d.http, 'PUT', '/naming/v1/instances', [
        { id: ids.get('hot'), service: svcName(0), namespace: NS, host: '10.0.0.1', port: 8080, weight: 50 + round },
      ]);
      if (res.body?.code !== 200000) throw new Error(`update: ${res.text}`);
      putMs.push(performance.now() - t);
      const times = await Promise.all(got);
      const clientCpu = process.cpuUsage(clientCpu0);
      clientCpuUs += clientCpu.user + clientCpu.system;
      lat.push(...times);
      lasts.push(Math.max(...times));
      firsts.push(Math.min(...times));
      cpu.push(cpuMs(pid) - cpu0);
      waited.push(runQueueMs(pid) - wait0);
      const [push, lag] = await metrics(d.http, 'polaris_xds_last_push_seconds', 'polaris_nodejs_eventloop_lag_max_seconds');
      fanOut.push(push * 1000);
      pushLagMax = Math.max(pushLagMax, lag * 1000);
      if (process.env.XDS_BENCH_VERBOSE) {
        const sorted = [...times].sort((a, b) => a - b);
        console.error(`round ${round}: put ${putMs.at(-1)?.toFixed(0)} first ${sorted[0].toFixed(0)} p50 ${percentile(sorted, 50).toFixed(0)} last ${sorted.at(-1)?.toFixed(0)} fan-out ${fanOut.at(-1)?.toFixed(0)} lag ${(lag * 1000).toFixed(0)} cpu ${cpu.at(-1)} waited ${waited.at(-1)?.toFixed(0)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const rebuilt = (await metric(d.http, 'polaris_xds_services_rebuilt_total')) - rebuiltBefore;
    const flushMs = (await metric(d.http, 'polaris_xds_last_flush_seconds')) * 1000;
    lat.sort((a, b) => a - b);
    lasts.sort((a, b) => a - b);
    rows.push({
      bench: `xds push of 1 endpoint change to ${streams} streams`,
      value: `p50 ${percentile(lat, 50).toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms`,
      note: `first stream served after ${percentile(firsts.sort((a, b) => a - b), 50).toFixed(0)} ms, last after ${percentile(lasts, 50).toFixed(0)} ms (median of ${rounds} rounds; the PUT itself answered after ${percentile(putMs.sort((a, b) => a - b), 50).toFixed(0)} ms); ${rebuilt} service rebuilds for ${rounds} changes, last rebuild ${flushMs.toFixed(1)} ms; server-side fan-out to all streams ${percentile(fanOut.sort((a, b) => a - b), 50).toFixed(0)} ms; server CPU per change incl. the PUT and all ACKs ${percentile(cpu.sort((a, b) => a - b), 50).toFixed(0)} ms; the daemon's main thread waited for a CPU (other processes' load) ${percentile(waited.sort((a, b) => a - b), 50).toFixed(0)} ms per change (max ${waited.at(-1)?.toFixed(0)}); bench client CPU per change (reading ${streams} answers, sending ${streams} ACKs and the PUT) ${(clientCpuUs / 1000 / rounds).toFixed(0)} ms; longest event-loop stall ${pushLagMax.toFixed(1)} ms`,
    });
  } finally {
    if (process.env.XDS_BENCH_VERBOSE) console.error(d.output().split('\n').filter((l) => /Mark-Compact|Scavenge|Mark-sweep/.test(l)).slice(-60).join('\n'));
    for (const c of clients) c.close();
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await runXdsBench());
