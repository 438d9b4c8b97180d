/**
 * Cost of one Prometheus scrape of `GET /metrics` with many instances registered: 20k instances
 * in 200 services (HTTP batches of 100), then N sequential scrapes, each measured as
 *  - wall time (request to last byte, loopback);
 *  - the daemon's CPU (user + system from /proc, 10 ms ticks, so averaged over all scrapes);
 *  - response size;
 *  - the scrapes are 20 ms apart, so the daemon's busy stretches in a `--cpu-prof` profile are the
 *    scrapes' event-loop stalls: `node --import tsx bench/cpuprofile-stalls.ts FILE --min-ms 2`.
 * `--churn 1`: before each scrape, one instance (another service every other scrape) is isolated or
 * un-isolated over HTTP and the scrape waits for the naming cache to show it, as on a control plane
 * where something changes between scrapes; the daemon CPU then includes those PUTs.
 * Run: npm run bench, or node --import tsx bench/metrics.bench.ts [--scrapes N] [--instances N] [--churn 1] [--cpu-prof DIR]
 */
import { call, startDaemon } from '../test/helpers/daemon.js';
import { cpuMicros, printTable, type Row, numArg as arg } from './lib.js';

const strArg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function register(http: string, total: number, perService: number): Promise<void> {
  const batches: Promise<unknown>[] = [];
  for (let n = 0; n < total; n += 100) {
    const items = [];
    for (let k = n; k < Math.min(n + 100, total); k++) {
      items.push({ service: `svc-${Math.floor(k / perService)}`, namespace: 'bench', host: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, port: 8080, healthy: k % 10 !== 0 });
    }
    batches.push(call(http, 'POST', '/naming/v1/instances', items));
    if (batches.length >= 8) await Promise.all(batches.splice(0));
  }
  await Promise.all(batches);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runMetricsBench(): Promise<Row[]> {
  const instances = arg('instances', 20_000);
  const services = 200;
  const scrapes = arg('scrapes', 50);
  const prof = strArg('cpu-prof');
  const churn = arg('churn', 0) > 0;
  const d = await startDaemon({ extraYaml: '', nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  const rows: Row[] = [];
  try {
    await register(d.http, instances, Math.ceil(instances / services));
    const c = await call(d.http, 'GET', '/naming/v1/instances/count');
    if (Number(c.body?.amount) < instances) throw new Error(`registered ${c.body?.amount} of ${instances}`);
    // Let the naming cache catch up and the registration burst settle.
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < 5; i++) await call(d.http, 'GET', '/metrics'); // warm-up
    const pid = d.proc.pid as number;
    const walls: number[] = [];
    let bytes = 0;
    let seen = 0; // churn: scrapes that showed the change made just before them
    const cpu0 = cpuMicros(pid);
    const from = process.hrtime.bigint() / 1000n; // CLOCK_MONOTONIC µs, the clock of .cpuprofile timestamps
    const perService = Math.ceil(instances / services);
    for (let i = 0; i < scrapes; i++) {
      if (churn) {
        const j = i >> 1; // isolate an instance, then un-isolate it at the next scrape
        const k = ((j * 37) % services) * perService + (j % perService);
        const host = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
        const put = await call(d.http, 'PUT', '/naming/v1/instances', [{ service: `svc-${Math.floor(k / perService)}`, namespace: 'bench', host, port: 8080, isolate: i % 2 === 0 }]);
        if (put.status !== 200) throw new Error(`PUT ${put.status} ${put.text}`);
        await new Promise((res) => setTimeout(res, 20)); // the naming cache applies it meanwhile
      }
      const t = performance.now();
      const r = await call(d.http, 'GET', '/metrics');
      walls.push(performance.now() - t);
      bytes = Buffer.byteLength(r.text);
      await new Promise((res) => setTimeout(res, 20)); // lets the loop-delay monitor sample between scrapes
      if (!r.text.includes('instance_count{')) throw new Error('no instance_count in /metrics');
      if (churn && /^instance_isolate_count\{[^}]*\} 1$/m.test(r.text) === (i % 2 === 0)) seen++;
    }
    const cpuMs = (cpuMicros(pid) - cpu0) / 1000 / scrapes;
    if (prof) console.error(`scrapes between --from-us ${from} --to-us ${process.hrtime.bigint() / 1000n} (for bench/cpuprofile-stalls.ts)`);
    rows.push({
      bench: `GET /metrics, ${instances / 1000}k instances in ${services} services${churn ? ', one change before each' : ''}`,
      value: `${median(walls).toFixed(1)} ms`,
      note: `median wall of ${scrapes} sequential scrapes (max ${Math.max(...walls).toFixed(1)}); daemon CPU ${cpuMs.toFixed(1)} ms per scrape; ${(bytes / 1024).toFixed(0)} KiB${churn ? `; ${seen} of ${scrapes} scrapes showed the change just made` : ''}`,
    });
  } finally {
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runMetricsBench());
}
