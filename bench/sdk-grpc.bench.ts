/**
 * SDK-plane benchmarks over gRPC (service-grpc), with a client built from the protos like an SDK:
 *  - RegisterInstance TPS and Heartbeat TPS (64 calls in flight);
 *  - Discover QPS on a 100-instance service: full answers and 200001 (revision equal) answers,
 *    32 streams each sending one request after the previous answer;
 *  - register → Discover visibility latency (p50/p99 over 200 registrations).
 * Run: node --import tsx bench/sdk-grpc.bench.ts   (also part of npm run bench)
 */
import * as grpc from '@grpc/grpc-js';
import { decodeProto, encodeProto } from '../src/common/api/codec.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { printTable, rssMiB, type Row } from './lib.js';

/**
 * The load generator shares the machine with the server, so its client uses the project's
 * compiled codec (wire objects: wrappers are bare values) instead of protobufjs' reflection, which
 * would make the client, not the server, the bottleneck.
 */
const w = (value: unknown) => value;

function method(name: string, req: string, res: string, stream = false): grpc.MethodDefinition<object, object> {
  return {
    path: `/v1.PolarisGRPC/${name}`,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: (o: object) => encodeProto(req, o),
    requestDeserialize: (b: Buffer) => decodeProto(req, b),
    responseSerialize: (o: object) => encodeProto(res, o),
    responseDeserialize: (b: Buffer) => decodeProto(res, b),
  };
}

function polarisClient(port: number): any {
  const Client = grpc.makeGenericClientConstructor(
    {
      ReportClient: method('ReportClient', 'v1.Client', 'v1.Response'),
      RegisterInstance: method('RegisterInstance', 'v1.Instance', 'v1.Response'),
      Heartbeat: method('Heartbeat', 'v1.Instance', 'v1.Response'),
      Discover: method('Discover', 'v1.DiscoverRequest', 'v1.DiscoverResponse', true),
    },
    'PolarisGRPC',
  );
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function unary(client: any, name: string, req: unknown): Promise<any> {
  return new Promise((res, rej) => client[name](req, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))));
}

/** Runs `op(i)` with `inFlight` concurrent calls until `total` calls or `ms` elapse; returns calls/s. */
async function closedLoop(op: (i: number) => Promise<unknown>, inFlight: number, total: number, ms: number): Promise<number> {
  let next = 0;
  let done = 0;
  const start = Date.now();
  const deadline = start + ms;
  const worker = async () => {
    while (next < total && Date.now() < deadline) {
      await op(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (done / (Date.now() - start)) * 1000;
}

function stream(client: any): (req: unknown) => Promise<any> {
  const call = client.Discover();
  const waiting: ((v: any) => void)[] = [];
  call.on('data', (d: unknown) => waiting.shift()?.(d));
  call.on('error', () => undefined);
  return (req) =>
    new Promise((res) => {
      waiting.push(res);
      call.write(req);
    });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

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
