/**
 * Config center benchmarks on the embedded store:
 *  - publish → watcher wake-up latency (p50 / p99 / max) over N concurrent HTTP long polls of one
 *    file, measured from the moment the publish request is sent to the moment each held
 *    WatchConfigFile answer arrives (so it includes the publish itself);
 *  - RSS of the daemon with N watchers held;
 *  - GetConfigFile QPS (HTTP, 32 connections).
 * Run: npm run bench (or node --import tsx bench/config-watch.bench.ts [--watchers N] [--rounds R])
 */
import { connect } from 'node:net';
import { configYaml } from '../test/helpers/config-daemon.js';
import { call, startDaemon } from '../test/helpers/daemon.js';
import { load, printTable, rssMiB, type Row, numArg as arg } from './lib.js';


const NS = 'bench-config';
const GROUP = 'g';
const FILE = 'app.yaml';

/**
 * One held long poll on a raw socket (no HTTP client library, so the client side of the
 * measurement costs one `data` event per answer); resolves when the whole answer arrived.
 */
function watchOnce(port: number, version: number): Promise<{ at: number; version: string; close(): void }> {
  const body = JSON.stringify({ watchFiles: [{ namespace: NS, group: GROUP, fileName: FILE, version: String(version) }] });
  const head =
    `POST /v1/WatchConfigFile HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(head + body));
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      text += chunk;
      const split = text.indexOf('\r\n\r\n');
      const len = /content-length:\s*(\d+)/i.exec(text);
      if (split < 0 || !len || text.length - split - 4 < Number(len[1])) return;
      const at = performance.now();
      const m = /"version":\s*"(\d+)"/.exec(text);
      // Closed after the round, so closes do not compete with the answers still being written.
      resolve({ at, version: m ? m[1] : '', close: () => sock.destroy() });
    });
    sock.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function heldWatchers(http: string): Promise<number> {
  const v = await call(http, 'GET', `/config/v1/configfiles/watchers?namespace=${NS}`);
  return (v.body?.watchers ?? []).reduce((n: number, w: { watching: number }) => n + w.watching, 0);
}

export async function runConfigWatchBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const watchers = arg('watchers', 1000);
  const rounds = arg('rounds', 5);
  const d = await startDaemon({ yaml: configYaml() });
  try {
    await call(d.http, 'POST', '/config/v1/configfiles', { namespace: NS, group: GROUP, name: FILE, content: 'v: 0' });
    await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: NS, group: GROUP, fileName: FILE });
    let version = 1;
    const rssIdle = rssMiB(d.proc.pid as number);
    const latencies: number[] = [];
    let rssHeld = 0;
    for (let round = 0; round < rounds; round++) {
      const pending = Array.from({ length: watchers }, () => watchOnce(d.ports.http, version));
      const deadline = Date.now() + 20_000;
      while ((await heldWatchers(d.http)) < watchers) {
        if (Date.now() > deadline) throw new Error('watchers did not all register');
        await new Promise((r) => setTimeout(r, 20));
      }
      if (round === 0) rssHeld = rssMiB(d.proc.pid as number);
      await call(d.http, 'PUT', '/config/v1/configfiles', { namespace: NS, group: GROUP, name: FILE, content: `v: ${round + 1}` });
      const t0 = performance.now();
      const pub = call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: NS, group: GROUP, fileName: FILE });
      const answers = await Promise.all(pending);
      await pub;
      for (const a of answers) a.close();
      version++;
      for (const a of answers) {
        if (a.version !== String(version)) throw new Error(`watcher woke with version ${a.version}, expected ${version}`);
        latencies.push(a.at - t0);
      }
    }
    latencies.sort((a, b) => a - b);
    rows.push({
      bench: `publish → wake-up, ${watchers} HTTP watchers × ${rounds} rounds`,
      value: `p50 ${percentile(latencies, 50).toFixed(1)} ms`,
      note: `min ${latencies[0].toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms (from sending the publish)`,
    });
    rows.push({ bench: `RSS idle → with ${watchers} held watchers`, value: `${rssIdle.toFixed(0)} → ${rssHeld.toFixed(0)} MiB` });

    const qps = await load({ url: `${d.http}/v1/GetConfigFile?namespace=${NS}&group=${GROUP}&fileName=${FILE}&version=0`, durationSec: 10 });
    rows.push({
      bench: 'HTTP GetConfigFile, 32 conns',
      value: `${qps.rps.toFixed(0)} req/s`,
      note: `p50 ${qps.p50} ms, p99 ${qps.p99} ms, non2xx ${qps.non2xx}`,
    });
  } finally {
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runConfigWatchBench());
}
