/**
 * Micro-benchmark of one service's xDS rebuild after one endpoint change: the build of a service
 * with E endpoints (default 100) is taken over by the next build after one instance changed health,
 * as the snapshot does on an instance event (fresh endpoints from toEndpoints, and fresh empty
 * rate-limit and health-check lists, as Discover answers those kinds anew on every read; the routes
 * the same object). Timed: buildService alone (encoding and hashing of the resources rebuilt), median
 * and p99 over the rounds; with no routes, and with a route to two label subsets (three load
 * assignments per change).
 *
 *   node --import tsx bench/xds-rebuild.bench.ts [--endpoints E] [--rounds R]
 */
import { toEndpoints, toRoutes, type ServiceInfo } from '../src/apiserver/xdsserverv3/convert.js';
import { buildService } from '../src/apiserver/xdsserverv3/service-build.js';
import { numArg as arg, printTable, type Row } from './lib.js';

function instances(n: number, changed: number, round: number) {
  return Array.from({ length: n }, (_, i) => ({
    host: `10.0.${i >> 8}.${i & 255}`,
    port: 8080,
    weight: 100,
    healthy: i === changed ? round % 2 === 0 : true,
    location: { region: 'ap-guangzhou', zone: `ap-guangzhou-${1 + (i % 3)}`, campus: '' },
    metadata: { version: i % 2 ? 'v1' : 'v2', env: 'prod', app: 'echo', 'polarismesh.cn/tls-mode': i % 4 ? 'none' : 'permissive' },
  }));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function run(endpoints: number, rounds: number, subsets: boolean): { p50: number; p99: number } {
  const routes = subsets
    ? toRoutes([{ sources: [{ metadata: {} }], destinations: [{ weight: 50, metadata: { version: { type: 'EXACT', value: 'v1' } } }, { weight: 50, metadata: { version: { type: 'EXACT', value: 'v2' } } }] }])
    : [];
  const info = (round: number): ServiceInfo => ({ namespace: 'bench', name: 'svc', ...toEndpoints(instances(endpoints, round % endpoints, round)), routes, rateLimits: [], healthChecks: [], revision: String(round) });
  let built = buildService(info(0));
  const ms: number[] = [];
  const warmup = Math.min(50, rounds);
  for (let round = 1; round <= rounds + warmup; round++) {
    const next = info(round);
    const t = performance.now();
    built = buildService(next, built);
    if (round > warmup) ms.push(performance.now() - t);
  }
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
}

export async function runXdsRebuildBench(over: { endpoints?: number; rounds?: number } = {}): Promise<Row[]> {
  const endpoints = over.endpoints ?? arg('endpoints', 100);
  const rounds = over.rounds ?? arg('rounds', 500);
  const rows: Row[] = [];
  for (const subsets of [false, true]) {
    const r = run(endpoints, rounds, subsets);
    rows.push({
      bench: `xds rebuild of a ${endpoints}-endpoint service after 1 endpoint change${subsets ? ', 2 subsets' : ''}`,
      value: `p50 ${r.p50.toFixed(2)} ms`,
      note: `p99 ${r.p99.toFixed(2)} ms over ${rounds} changes (buildService only, in-process)`,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await runXdsRebuildBench());
