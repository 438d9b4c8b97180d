/**
 * Cluster-mode benchmarks: two servers sharing the local MariaDB (MySQL store) and Redis
 * (heartbeatRedis).
 *  - RegisterInstance TPS on node A (64 in flight): batches written to MySQL;
 *  - Heartbeat TPS on node A (64 in flight): beats written to Redis;
 *  - cross-node visibility: register on A, poll Discover on B every 5 ms (p50/p99 over 100).
 * Run: node --import tsx bench/cluster.bench.ts   (also part of npm run bench)
 */
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../test/helpers/cluster.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { closedLoop, percentile, polarisClient, stream, unary, w } from './grpc-load.js';
import { printTable, type Row } from './lib.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runClusterBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const db = uniqueDatabaseName();
  const a = await startDaemon({ yaml: clusterConfigYaml(db) });
  const b = await startDaemon({ yaml: clusterConfigYaml(db) });
  const ca = polarisClient(a.ports.grpc);
  const cb = polarisClient(b.ports.grpc);
  try {
    const inst = (i: number) => ({
      service: w(`cl-${i % 50}`),
      namespace: w('bench'),
      host: w(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
      port: w(8080),
      enable_health_check: w(true),
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(5) } },
    });
    const reg = await closedLoop((i) => unary(ca, 'RegisterInstance', inst(i)), 64, 10_000, 15_000);
    rows.push({ bench: 'cluster: RegisterInstance on MySQL, 64 in flight', value: `${reg.toFixed(0)} req/s` });
    const hb = await closedLoop((i) => unary(ca, 'Heartbeat', inst(i % 5_000)), 64, 40_000, 10_000);
    rows.push({ bench: 'cluster: Heartbeat into Redis, 64 in flight', value: `${hb.toFixed(0)} req/s` });

    const probe = stream(cb);
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const name = `xvis-${i}`;
      await unary(ca, 'RegisterInstance', { service: w(name), namespace: w('bench'), host: w('10.201.0.1'), port: w(i + 1) });
      const start = Date.now();
      for (;;) {
        const r = await probe({ type: 'INSTANCE', service: { name: w(name), namespace: w('bench') } });
        if ((r.instances ?? []).length > 0) break;
        await sleep(5);
      }
      latencies.push(Date.now() - start);
    }
    latencies.sort((x, y) => x - y);
    rows.push({
      bench: 'cluster: acknowledged on A → visible in Discover on B',
      value: `p50 ${percentile(latencies, 50)} ms`,
      note: `p99 ${percentile(latencies, 99)} ms (cache refresh interval 1 s; polaris-server: 1–6 s)`,
    });
  } finally {
    ca.close();
    cb.close();
    await Promise.all([a.stop(), b.stop()]);
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn.end();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await runClusterBench());
}
