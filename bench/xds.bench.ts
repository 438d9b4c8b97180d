/**
 * xDS v3 benchmark on the embedded store:
 *  - snapshot build: services × endpoints registered, then the first ADS request builds every
 *    resource (the daemon logs the duration; the client sees it as the first answer's latency);
 *  - 1,000 state-of-the-world streams (Envoy-like: CDS wildcard + EDS for 10 services each, all
 *    of them also watching one "hot" service), spread over 4 connections; RSS per stream;
 *  - push latency: one endpoint of the hot service changes (console PUT) → time until each of the
 *    1,000 streams holds the new EDS (p50 / p99 / last), measured from sending the PUT;
 *  - services rebuilt per change (polaris_xds_services_rebuilt_total): only the changed one.
 * Run: npm run bench (or node --import tsx bench/xds.bench.ts [--services S] [--endpoints E] [--streams N] [--rounds R])
 */
import { call } from '../test/helpers/daemon.js';
import { adsClient, node, T, type AdsClient, type SotwSession } from '../test/helpers/xds-client.js';
import { startXdsDaemon } from '../test/helpers/xds-daemon.js';
import { readFileSync } from 'node:fs';
import { printTable, rssMiB, type Row } from './lib.js';

/** CPU time (user + system) a process has used, ms (Linux /proc, 100 Hz ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

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
  const rows: Row[] = [];
  const { d, xdsPort } = await startXdsDaemon(process.env.XDS_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.XDS_BENCH_PROF}`] : undefined);
  const clients: AdsClient[] = [];
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

    for (let c = 0; c < 4; c++) clients.push(adsClient(xdsPort, { ownConnection: true }));
    const hot = cluster(svcName(0));

    // First stream: activation builds every resource.
    const t0 = performance.now();
    const sessions: Array<{ s: SotwSession; names: string[] }> = [];
    const first = clients[0].sotw();
    first.request(T.CDS, [], { node: node(`${NS}/bench-0~10.200.0.1`) });
    await first.next(60_000);
    const firstMs = performance.now() - t0;
    first.end();
    const built = /xDS snapshot built.*?"services":(\d+).*?"resources":(\d+).*?"ms":(\d+)/.exec(d.output());
    rows.push({
      bench: `xds snapshot build, ${services} services × ${perService} endpoints (${total})`,
      value: built ? `${built[3]} ms` : 'n/a',
      note: `${built?.[2] ?? '?'} resources; first CDS answer after ${firstMs.toFixed(0)} ms`,
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
    const rssHeld = rssMiB(d.proc.pid as number);
    const openLagMax = (await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds')) * 1000;
    rows.push({
      bench: `xds ${streams} streams connected (CDS + 11 EDS each, ACKed)`,
      value: `${openMs.toFixed(0)} ms`,
      note: `RSS ${rssIdle.toFixed(0)} → ${rssHeld.toFixed(0)} MiB, ${(((rssHeld - rssIdle) * 1024) / streams).toFixed(1)} KiB per stream; longest event-loop stall meanwhile ${openLagMax.toFixed(0)} ms`,
    });

    // Push latency of one endpoint change of the hot service to every stream.
    const lat: number[] = [];
    const lasts: number[] = [];
    const putMs: number[] = [];
    const fanOut: number[] = [];
    let pushLagMax = 0;
    const rebuiltBefore = await metric(d.http, 'polaris_xds_services_rebuilt_total');
    await metric(d.http, 'polaris_nodejs_eventloop_lag_max_seconds');
    const pid = d.proc.pid as number;
    const cpu: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cpu0 = cpuMs(pid);
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
      lat.push(...times);
      lasts.push(Math.max(...times));
      cpu.push(cpuMs(pid) - cpu0);
      const [push, lag] = await metrics(d.http, 'polaris_xds_last_push_seconds', 'polaris_nodejs_eventloop_lag_max_seconds');
      fanOut.push(push * 1000);
      pushLagMax = Math.max(pushLagMax, lag * 1000);
      await new Promise((r) => setTimeout(r, 200));
    }
    const rebuilt = (await metric(d.http, 'polaris_xds_services_rebuilt_total')) - rebuiltBefore;
    const flushMs = (await metric(d.http, 'polaris_xds_last_flush_seconds')) * 1000;
    lat.sort((a, b) => a - b);
    lasts.sort((a, b) => a - b);
    rows.push({
      bench: `xds push of 1 endpoint change to ${streams} streams`,
      value: `p50 ${percentile(lat, 50).toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms`,
      note: `last stream served after ${percentile(lasts, 50).toFixed(0)} ms (median of ${rounds} rounds; the PUT itself answered after ${percentile(putMs.sort((a, b) => a - b), 50).toFixed(0)} ms); ${rebuilt} service rebuilds for ${rounds} changes, last rebuild ${flushMs.toFixed(1)} ms; server-side fan-out to all streams ${percentile(fanOut.sort((a, b) => a - b), 50).toFixed(0)} ms; server CPU per change incl. the PUT and all ACKs ${percentile(cpu.sort((a, b) => a - b), 50).toFixed(0)} ms; longest event-loop stall ${pushLagMax.toFixed(1)} ms`,
    });
  } finally {
    for (const c of clients) c.close();
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await runXdsBench());
