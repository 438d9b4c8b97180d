/**
 * Eureka server benchmarks on the embedded store, 10k instances (100 apps × 100):
 *  - register rate through POST /eureka/apps/{app} (32 in flight);
 *  - first full fetch after the registrations (view build + encode), then steady full-fetch and
 *    delta-fetch rates (JSON; full also gzip);
 *  - full fetch right after one change (incremental rebuild of one app + re-encode);
 *  - renew rate of one instance.
 * Run: npm run bench (or node --import tsx bench/eureka.bench.ts [--instances N])
 */
import { eu, instanceBody, JSON_HEADERS, startEurekaDaemon } from '../test/helpers/eureka.js';
import { load, printTable, rssMiB, type Row, numArg as arg } from './lib.js';


const host = (k: number) => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
const app = (k: number) => `BENCH-APP-${Math.floor(k / 100)}`;

async function registerAll(base: string, total: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const k = next++;
      const r = await eu(base, 'POST', `/eureka/apps/${app(k)}`, { body: instanceBody(app(k), host(k), 8080), headers: JSON_HEADERS });
      if (r.status !== 204) throw new Error(`register ${k}: ${r.status} ${r.text}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

export async function runEurekaBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const total = arg('instances', 10_000);
  // Registration leases leave the delta window while the full fetches run; the delta then holds one change.
  const d = await startEurekaDaemon({ eurekaOption: { deltaExpireInterval: 15 } });
  try {
    let t = Date.now();
    await registerAll(d.eureka, total);
    rows.push({ bench: `Eureka register ${total} instances (32 in flight)`, value: `${((total / (Date.now() - t)) * 1000).toFixed(0)} inst/s` });

    t = Date.now();
    const first = await eu(d.eureka, 'GET', '/eureka/apps', { headers: { accept: 'application/json' } });
    const n = first.json.applications.application.reduce((s: number, a: any) => s + a.instance.length, 0);
    rows.push({ bench: `Eureka first full fetch (${n} instances, build + encode)`, value: `${Date.now() - t} ms`, note: `${(first.text.length / 1024 / 1024).toFixed(1)} MiB JSON` });

    // autocannon is the bottleneck on multi-MiB bodies, so plain fetches one after another.
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      const res = await fetch(`${d.eureka}/eureka/apps`, { headers: { accept: 'application/json' } });
      await res.arrayBuffer();
      times.push(performance.now() - s);
    }
    times.sort((x, y) => x - y);
    rows.push({ bench: `Eureka full fetch of ${total}, JSON, sequential`, value: `${times[10].toFixed(1)} ms p50`, note: `max ${times[19].toFixed(1)} ms (client download included)` });
    const gz = await load({ url: `${d.eureka}/eureka/apps`, headers: { accept: 'application/json', 'accept-encoding': 'gzip' }, connections: 8, durationSec: 10 });
    rows.push({ bench: `Eureka full fetch of ${total}, JSON gzip, 8 conns`, value: `${gz.rps.toFixed(0)} req/s`, note: `p50 ${gz.p50} ms, p99 ${gz.p99} ms, non2xx ${gz.non2xx}` });

    // One change, then the next full fetch pays for one app's rebuild and a re-encode.
    const id = `${host(0)}:${app(0).toLowerCase()}:8080`;
    const after: number[] = [];
    for (let i = 0; i < 7; i++) {
      await eu(d.eureka, 'PUT', `/eureka/apps/${app(0)}/${id}/status?value=${i % 2 === 0 ? 'OUT_OF_SERVICE' : 'UP'}`);
      t = Date.now();
      await (await fetch(`${d.eureka}/eureka/apps`, { headers: { accept: 'application/json' } })).arrayBuffer();
      after.push(Date.now() - t);
    }
    after.sort((x, y) => x - y);
    rows.push({ bench: `Eureka full fetch right after one change (${total})`, value: `${after[3]} ms p50`, note: `max ${after[6]} ms; rebuild of the changed app + encode + download; compare the row above` });

    const delta = await load({ url: `${d.eureka}/eureka/apps/delta`, headers: { accept: 'application/json' }, connections: 32, durationSec: 10 });
    rows.push({ bench: 'Eureka delta fetch (1 change live), 32 conns', value: `${delta.rps.toFixed(0)} req/s`, note: `p50 ${delta.p50} ms, p99 ${delta.p99} ms, non2xx ${delta.non2xx}` });

    const renew = await load({ url: `${d.eureka}/eureka/apps/${app(1)}/${host(1)}:${app(1).toLowerCase()}:8080`, method: 'PUT', connections: 32, durationSec: 10 });
    rows.push({ bench: 'Eureka renew (one instance), 32 conns', value: `${renew.rps.toFixed(0)} req/s`, note: `p50 ${renew.p50} ms, p99 ${renew.p99} ms, non2xx ${renew.non2xx}` });
    rows.push({ bench: `RSS with ${total} Eureka instances`, value: `${rssMiB(d.proc.pid as number).toFixed(0)} MiB` });
  } finally {
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runEurekaBench());
}
