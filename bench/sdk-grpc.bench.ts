/**
 * SDK-plane benchmarks over gRPC (service-grpc), with a client built from the protos like an SDK:
 *  - RegisterInstance TPS and Heartbeat TPS (64 calls in flight);
 *  - Discover QPS on a 100-instance service: full answers and 200001 (revision equal) answers,
 *    32 streams each sending one request after the previous answer;
 *  - register → Discover visibility latency (p50/p99 over 200 registrations).
 * Run: node --import tsx bench/sdk-grpc.bench.ts   (also part of npm run bench)
 */
import { startDaemon } from '../test/helpers/daemon.js';
import { closedLoop, percentile, polarisClient, stream, unary, w } from './grpc-load.js';
import { printTable, rssMiB, type Row } from './lib.js';

export async function runSdkGrpcBench(): Promise<Row[]> {
  const rows: Row[] = [];
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server side.
  const d = await startDaemon({ nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
  const client = polarisClient(d.ports.grpc);
  try {
    const inst = (i: number) => ({
      service: w(`bench-${i % 100}`),
      namespace: w('bench'),
      host: w(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
      port: w(8080),
      enable_health_check: w(true),
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } },
    });
    await unary(client, 'ReportClient', { host: w('127.0.0.1') });
    const regTps = await closedLoop((i) => unary(client, 'RegisterInstance', inst(i)), 64, 20_000, 15_000);
    rows.push({ bench: 'gRPC RegisterInstance, 64 in flight', value: `${regTps.toFixed(0)} req/s` });

    const hbTps = await closedLoop((i) => unary(client, 'Heartbeat', inst(i % 10_000)), 64, 50_000, 10_000);
    rows.push({ bench: 'gRPC Heartbeat, 64 in flight', value: `${hbTps.toFixed(0)} req/s` });

    // bench-7 holds 100+ instances after the register run.
    const streams = Array.from({ length: 32 }, () => stream(client));
    const req = { type: 'INSTANCE', service: { name: w('bench-7'), namespace: w('bench') } };
    const first = await streams[0](req);
    const count = (first.instances ?? []).length;
    const revision = first.service.revision;
    let full = 0;
    let t = Date.now();
    await Promise.all(
      streams.map(async (s) => {
        while (Date.now() - t < 5000) {
          await s(req);
          full++;
        }
      }),
    );
    rows.push({ bench: `gRPC Discover full answer (${count} instances), 32 streams`, value: `${((full / (Date.now() - t)) * 1000).toFixed(0)} req/s` });
    const same = { type: 'INSTANCE', service: { name: w('bench-7'), namespace: w('bench'), revision: w(revision) } };
    let unchanged = 0;
    const cpu0 = process.cpuUsage();
    t = Date.now();
    await Promise.all(
      streams.map(async (s) => {
        while (Date.now() - t < 5000) {
          await s(same);
          unchanged++;
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      bench: 'gRPC Discover 200001 answer, 32 streams',
      value: `${((unchanged / (Date.now() - t)) * 1000).toFixed(0)} req/s`,
      note: `load generator used ${(((cpu.user + cpu.system) / 1000 / (Date.now() - t)) * 100).toFixed(0)}% of a core`,
    });

    const latencies: number[] = [];
    const probe = stream(client);
    for (let i = 0; i < 200; i++) {
      const name = `vis-${i}`;
      const start = process.hrtime.bigint();
      await unary(client, 'RegisterInstance', { service: w(name), namespace: w('bench'), host: w('10.200.0.1'), port: w(i + 1) });
      for (;;) {
        const r = await probe({ type: 'INSTANCE', service: { name: w(name), namespace: w('bench') } });
        if ((r.instances ?? []).length > 0) break;
      }
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    rows.push({
      bench: 'register → visible in Discover (same node)',
      value: `p50 ${percentile(latencies, 50).toFixed(1)} ms`,
      note: `p99 ${percentile(latencies, 99).toFixed(1)} ms, includes the register round trip`,
    });
    rows.push({ bench: 'RSS after the gRPC runs (~20k instances)', value: `${rssMiB(d.proc.pid as number).toFixed(0)} MiB` });
  } finally {
    client.close();
    await d.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runSdkGrpcBench());
}
