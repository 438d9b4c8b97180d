/**
 * HTTP naming benchmarks on the embedded store:
 *  - instance list QPS on a service of 100 instances while the store holds 10k instances;
 *  - RSS with 100k instances;
 *  - time to start (spawn → serving) with 100k instances in the store.
 * Run: npm run bench (or node --import tsx bench/naming-http.bench.ts [--instances N])
 */
import { call, startDaemon } from '../test/helpers/daemon.js';
import { cpuMicros, load, printTable, rssMiB, type Row, numArg as arg } from './lib.js';


async function register(http: string, from: number, to: number): Promise<void> {
  const batches: Promise<unknown>[] = [];
  for (let n = from; n < to; n += 100) {
    const items = [];
    for (let k = n; k < Math.min(n + 100, to); k++) {
      items.push({ service: `svc-${Math.floor(k / 100)}`, namespace: 'bench', host: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, port: 8080, metadata: { idx: String(k) } });
    }
    batches.push(call(http, 'POST', '/naming/v1/instances', items));
    if (batches.length >= 8) await Promise.all(batches.splice(0));
  }
  await Promise.all(batches);
}

export async function runNamingHttpBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const total = arg('instances', 100_000);
  const d = await startDaemon({ extraYaml: '' });
  try {
    let t = Date.now();
    await register(d.http, 0, 10_000);
    rows.push({ bench: 'HTTP register 10k instances (batches of 100)', value: `${((10_000 / (Date.now() - t)) * 1000).toFixed(0)} inst/s` });
    const list = await load({ url: `${d.http}/naming/v1/instances?service=svc-7&namespace=bench&limit=100`, durationSec: 10 });
    rows.push({ bench: 'HTTP instance list (100 of 10k), 32 conns', value: `${list.rps.toFixed(0)} req/s`, note: `p50 ${list.p50} ms, p99 ${list.p99} ms, non2xx ${list.non2xx}` });
    t = Date.now();
    await register(d.http, 10_000, total);
    rows.push({ bench: `HTTP register up to ${total} instances`, value: `${(((total - 10_000) / (Date.now() - t)) * 1000).toFixed(0)} inst/s` });
    rows.push({ bench: `RSS with ${total} instances`, value: `${rssMiB(d.proc.pid as number).toFixed(0)} MiB` });
    await d.stop();
    t = Date.now();
    const d2 = await startDaemon({ dir: d.dir, ports: d.ports });
    const startCpu = cpuMicros(d2.proc.pid as number) / 1000;
    rows.push({
      bench: `start with ${total} instances in the store`,
      value: `${Date.now() - t} ms`,
      note: `spawn → first HTTP answer, includes tsx load; server CPU ${startCpu.toFixed(0)} ms`,
    });
    const c = await call(d2.http, 'GET', '/naming/v1/instances/count');
    rows.push({ bench: 'instances after restart', value: String(c.body?.amount) });
    rows.push({ bench: `RSS after restart with ${total} instances`, value: `${rssMiB(d2.proc.pid as number).toFixed(0)} MiB` });
    await d2.stop();
  } finally {
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runNamingHttpBench());
}
