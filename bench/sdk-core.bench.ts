/**
 * The SDK hot path per core: what one server core spends on each SDK call.
 *
 * The server is pinned to CPU 1 (`taskset -a -cp 1`), this load generator to CPU 0. Figures are
 * server CPU time per completed call (utime + stime of the server process from /proc/<pid>/stat,
 * divided by the calls), which other activity on the machine disturbs far less than a rate does.
 * Load: 20k instances in 200 services (100 each), gRPC, 64 calls in flight over 4 HTTP/2
 * connections, 16 Discover streams.
 *  - RegisterInstance: rate and CPU per call; "capacity" = 1 s / CPU per call;
 *  - RSS per registered instance (RSS after registering 20k − RSS before, / 20k), 1 s after the
 *    burst and settled (after the server's own idle collection), both against the idle server after
 *    a memory-reducing collection (POST /maintain/v1/memory/free);
 *  - Heartbeat: CPU per beat (after 2 s of the same load, unmeasured);
 *  - Discover INSTANCE full answer (100 instances, after 2 s unmeasured) and 200001 (revision
 *    equal): CPU per answer;
 *  - register → visible in Discover, p50/p99, measured in the same run;
 *  - Discover full in the 2 s after a memory-reducing collection (POST /maintain/v1/memory/free).
 * Run: node --import tsx bench/sdk-core.bench.ts   (also part of npm run bench)
 */
import { execFileSync } from 'node:child_process';
import { decodeProto } from '../src/common/api/codec.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { percentile, polarisClient, stream, unary, w } from './grpc-load.js';
import { cpuMicros, printTable, rssMiB, type Row } from './lib.js';

const SERVER_CPU = '1';
const LOAD_CPU = '0';
const INSTANCES = Number(process.env.BENCH_CORE_INSTANCES ?? 20_000);
const SERVICES = 200;
const CONNECTIONS = 4;
const IN_FLIGHT = 64;
const STREAMS = 16;

/** Pins every thread of a process to `cpus`; false when taskset is missing or refused. */
function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Measured {
  ops: number;
  ms: number;
  cpuUs: number;
}

/**
 * Runs `op` with `inFlight` workers until `total` calls are done or `maxMs` elapse. With `warmMs`,
 * the same load runs that long first, unmeasured (steady-state cost, not the warm-up after the
 * server's idle memory collection).
 */
async function measure(
  pid: number,
  op: (i: number) => Promise<unknown>,
  inFlight: number,
  total: number,
  maxMs: number,
  warmMs = 0,
): Promise<Measured> {
  if (warmMs > 0) {
    let k = 0;
    const until = performance.now() + warmMs;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until) await op(k++);
      }),
    );
  }
  let next = 0;
  let done = 0;
  const cpu0 = cpuMicros(pid);
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      await op(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { ops: done, ms: performance.now() - start, cpuUs: cpuMicros(pid) - cpu0 };
}

/** `polaris_memory_reclaims_total` of the daemon. */
async function reclaimCount(http: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('polaris_memory_reclaims_total'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** A memory-reducing collection now (POST /maintain/v1/memory/free); resolves the count after it. */
async function freeMemory(http: string): Promise<number> {
  const r = await fetch(`${http}/maintain/v1/memory/free`, { method: 'POST' });
  if (r.status !== 200) throw new Error(`memory/free: ${r.status} ${await r.text()}`);
  await new Promise((res) => setTimeout(res, 500));
  return reclaimCount(http);
}

const perOp = (m: Measured) => m.cpuUs / Math.max(1, m.ops);
const rate = (m: Measured) => (m.ops / m.ms) * 1000;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

export async function runSdkCoreBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const d = await startDaemon({ nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
  const pid = d.proc.pid as number;
  const pinned = pin(pid, SERVER_CPU) && pin(process.pid, LOAD_CPU);
  const where = pinned ? `server taskset -c ${SERVER_CPU}, load taskset -c ${LOAD_CPU}` : 'NOT pinned (taskset failed)';
  const clients = Array.from({ length: CONNECTIONS }, () => polarisClient(d.ports.grpc, { ownConnection: true, rawDiscover: true }));
  const pick = (i: number) => clients[i % CONNECTIONS];
  try {
    const inst = (i: number) => ({
      service: w(`core-${i % SERVICES}`),
      namespace: w('bench'),
      host: w(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
      port: w(8080),
      protocol: w('grpc'),
      version: w('1.0.0'),
      metadata: { env: 'prod', zone: `z${i % 3}` },
      enable_health_check: w(true),
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(60) } },
    });
    for (const c of clients) await unary(c, 'ReportClient', { host: w('127.0.0.1') });
    await new Promise((r) => setTimeout(r, 500));
    // The idle server as it comes out of start-up (with its start-up garbage), then collected:
    // the per-instance figures below are measured against the collected one.
    const rssStart = rssMiB(pid);
    const reclaims0 = await freeMemory(d.http);
    const rss0 = rssMiB(pid);

    const reg = await measure(pid, (i) => unary(pick(i), 'RegisterInstance', inst(i)), IN_FLIGHT, INSTANCES, 120_000);
    rows.push({
      bench: `core: RegisterInstance, ${reg.ops} instances`,
      value: `${fmt(rate(reg))} req/s`,
      note: `${perOp(reg).toFixed(0)} µs CPU/call → ${fmt(1e6 / perOp(reg))}/s per core; ${where}`,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const rss1 = rssMiB(pid);
    const early = (await reclaimCount(d.http)) - reclaims0;
    rows.push({
      bench: `core: RSS per registered instance 1 s after (${reg.ops})`,
      value: `${(((rss1 - rss0) * 1024) / reg.ops).toFixed(2)} KiB`,
      note: `RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MiB (idle server ${rssStart.toFixed(0)} MiB before its collection)${early ? `; ${early} idle collection(s) already ran` : ''}`,
    });
    // Settled: the server's own memory-reducing collection once it has gone idle (maintain.memoryReclaim).
    const settleStart = performance.now();
    while ((await reclaimCount(d.http)) - reclaims0 < 1 && performance.now() - settleStart < 15_000) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const settledAfter = (performance.now() - settleStart + 1000) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const rssSettled = rssMiB(pid);
    rows.push({
      bench: `core: RSS per registered instance, settled (${reg.ops})`,
      value: `${(((rssSettled - rss0) * 1024) / reg.ops).toFixed(2)} KiB`,
      note:
        (await reclaimCount(d.http)) > reclaims0
          ? `RSS ${rss0.toFixed(0)} → ${rssSettled.toFixed(0)} MiB; idle collection ${settledAfter.toFixed(1)} s after the burst`
          : 'no idle collection within 16 s',
    });

    const hb = await measure(pid, (i) => unary(pick(i), 'Heartbeat', inst(i % INSTANCES)), IN_FLIGHT, INSTANCES * 3, 30_000, 2000);
    rows.push({ bench: 'core: Heartbeat, CPU per beat', value: `${perOp(hb).toFixed(0)} µs`, note: `${fmt(rate(hb))} beats/s; ${hb.ops} beats` });

    // What the server spends with nothing asked of it (health checks of 20k instances, cache probes).
    const idle0 = cpuMicros(pid);
    await new Promise((r) => setTimeout(r, 3000));
    const idlePct = (cpuMicros(pid) - idle0) / 30_000;
    rows.push({ bench: `core: idle server CPU with ${reg.ops} instances`, value: `${idlePct.toFixed(1)} %`, note: 'counted in the per-call figures too' });

    const streams = Array.from({ length: STREAMS }, (_, k) => stream(pick(k)));
    const full = (i: number) => ({ type: 'INSTANCE', service: { name: w(`core-${i % SERVICES}`), namespace: w('bench') } });
    const revisions: string[] = [];
    let bytes = 0;
    for (let s = 0; s < SERVICES; s++) {
      const buf: Buffer = await streams[0](full(s));
      const r = decodeProto('v1.DiscoverResponse', buf) as any;
      if (r.code !== 200000) throw new Error(`discover core-${s}: ${r.code} ${r.info}`);
      revisions.push(r.service.revision);
      if (s === 7) bytes = buf.length;
    }
    // Each stream asks for one service after the other; the answers are always full.
    const streamOp = (req: (i: number) => unknown) => (i: number) => streams[i % STREAMS](req(i));
    const dFull = await measure(pid, streamOp(full), STREAMS, Number.MAX_SAFE_INTEGER, 8000, 2000);
    rows.push({
      bench: `core: Discover full (${INSTANCES / SERVICES} instances, ${(bytes / 1024).toFixed(0)} KiB), CPU per answer`,
      value: `${perOp(dFull).toFixed(0)} µs`,
      note: `${fmt(rate(dFull))} answers/s, ${STREAMS} streams`,
    });
    const same = (i: number) => ({ type: 'INSTANCE', service: { name: w(`core-${i % SERVICES}`), namespace: w('bench'), revision: w(revisions[i % SERVICES]) } });
    let changed = 0;
    const dSame = await measure(
      pid,
      async (i) => {
        const buf: Buffer = await streams[i % STREAMS](same(i));
        // A 200001 answer is tiny; a full one means the service changed during the run.
        if (buf.length > 1024) changed++;
      },
      STREAMS,
      Number.MAX_SAFE_INTEGER,
      5000,
    );
    rows.push({
      bench: 'core: Discover 200001, CPU per answer',
      value: `${perOp(dSame).toFixed(0)} µs`,
      note: `${fmt(rate(dSame))} answers/s; ${changed} full answers (services changed during the run)`,
    });

    const latencies: number[] = [];
    const probe = streams[0];
    for (let i = 0; i < 100; i++) {
      const name = `core-vis-${i}`;
      const start = performance.now();
      await unary(clients[0], 'RegisterInstance', { service: w(name), namespace: w('bench'), host: w('10.250.0.1'), port: w(i + 1) });
      for (;;) {
        const r = decodeProto('v1.DiscoverResponse', await probe({ type: 'INSTANCE', service: { name: w(name), namespace: w('bench') } })) as any;
        if ((r.instances ?? []).length > 0) break;
      }
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    rows.push({
      bench: 'core: register → visible in Discover',
      value: `p99 ${percentile(latencies, 99).toFixed(1)} ms`,
      note: `p50 ${percentile(latencies, 50).toFixed(1)} ms, includes the register round trip`,
    });
    rows.push({ bench: `core: RSS at the end (${INSTANCES} instances)`, value: `${rssMiB(pid).toFixed(0)} MiB` });

    // What a memory-reducing collection costs the load that follows it (V8 drops compiled code).
    const warm = await measure(pid, streamOp(full), STREAMS, Number.MAX_SAFE_INTEGER, 2000);
    const t0 = performance.now();
    await freeMemory(d.http);
    const pauseMs = performance.now() - t0 - 500;
    const cold = await measure(pid, streamOp(full), STREAMS, Number.MAX_SAFE_INTEGER, 2000);
    const settled = await measure(pid, streamOp(full), STREAMS, Number.MAX_SAFE_INTEGER, 4000);
    rows.push({
      bench: 'core: Discover full, first 2 s after a memory collection',
      value: `${perOp(cold).toFixed(0)} µs`,
      note: `2 s before: ${perOp(warm).toFixed(0)} µs, the 4 s after: ${perOp(settled).toFixed(0)} µs; memory/free answered in ${pauseMs.toFixed(0)} ms`,
    });

    // The same instances loaded from the store by a fresh server: the steady cost of holding them.
    for (const c of clients) c.close();
    await d.stop();
    const d2 = await startDaemon({ dir: d.dir, ports: d.ports });
    try {
      pin(d2.proc.pid as number, SERVER_CPU);
      await new Promise((r) => setTimeout(r, 2000));
      await freeMemory(d2.http);
      const rss2 = rssMiB(d2.proc.pid as number);
      rows.push({
        bench: `core: RSS per instance after a restart (${reg.ops})`,
        value: `${(((rss2 - rss0) * 1024) / reg.ops).toFixed(2)} KiB`,
        note: `RSS ${rss2.toFixed(0)} MiB vs ${rss0.toFixed(0)} MiB empty, both collected`,
      });
    } finally {
      await d2.stop();
    }
  } catch (err) {
    process.stderr.write(d.output().slice(-3000));
    throw err;
  } finally {
    for (const c of clients) c.close();
    await d.stop();
    pin(process.pid, '0-1023');
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runSdkCoreBench());
}
