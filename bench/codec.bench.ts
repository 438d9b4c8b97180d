/**
 * Micro-benchmark of the wire codec: a v1.BatchQueryResponse with 10,000 fully populated instances,
 * encoded/decoded as JSON (jsonpb EmitDefaults) and as protobuf binary.
 *
 *   node --import tsx bench/codec.bench.ts [instances] [seconds-per-case]
 */
import { POLARIS_1_18_FIELDS, decodeJson, decodeProto, encodeJson, encodeJsonBuffer, encodeProto } from '../src/common/api/codec.js';

const N = Number(process.argv[2] ?? 10000);
const SECONDS = Number(process.argv[3] ?? 2);

function instance(i: number): Record<string, unknown> {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return {
    id: (i * 2654435761).toString(16).padStart(40, '0'),
    service: 'echo-server',
    namespace: 'default',
    vpc_id: '',
    host: ip,
    port: 8080 + (i % 100),
    protocol: 'grpc',
    version: '1.0.0',
    priority: 0,
    weight: 100,
    enable_health_check: true,
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } },
    healthy: i % 7 !== 0,
    isolate: false,
    location: { region: 'ap-guangzhou', zone: 'ap-guangzhou-3', campus: 'gz-3' },
    metadata: { env: 'prod', app: 'echo', idx: String(i) },
    logic_set: '',
    ctime: '2025-06-25 11:17:47',
    mtime: '2025-06-25 11:17:47',
    revision: 'b6c3a1f0e9d8c7b6a5f4e3d2c1b0a9f8',
    service_token: '2b7e1516a8d04c5f9e3a6b0c1d2e3f40',
  };
}

const response = {
  code: 200000,
  info: 'execute success',
  amount: N,
  size: N,
  instances: Array.from({ length: N }, (_, i) => instance(i)),
};

function bench(name: string, bytes: number, fn: () => unknown): void {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    fn();
    ops++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const opsPerSec = ops / elapsed;
  const mbPerSec = (opsPerSec * bytes) / (1024 * 1024);
  console.log(
    `${name.padEnd(28)} ${opsPerSec.toFixed(2).padStart(9)} ops/s  ${(1000 / opsPerSec).toFixed(2).padStart(8)} ms/op  ${mbPerSec.toFixed(1).padStart(7)} MB/s  (${(bytes / 1024 / 1024).toFixed(2)} MB)`,
  );
}

const json = encodeJson('v1.BatchQueryResponse', response);
const parsed = JSON.parse(json) as unknown;
const bin = encodeProto('v1.BatchQueryResponse', response);
const jsonBytes = Buffer.byteLength(json);

console.log(`v1.BatchQueryResponse with ${N} instances`);
bench('encodeJson (string)', jsonBytes, () => encodeJson('v1.BatchQueryResponse', response));
bench('encodeJsonBuffer (bytes)', jsonBytes, () => encodeJsonBuffer('v1.BatchQueryResponse', response));
bench('encodeJsonBuffer (1.18.1 set)', jsonBytes, () => encodeJsonBuffer('v1.BatchQueryResponse', response, POLARIS_1_18_FIELDS));
bench('JSON.stringify (reference)', jsonBytes, () => JSON.stringify(response));
bench('decodeJson (parsed input)', jsonBytes, () => decodeJson('v1.BatchQueryResponse', parsed));
bench('JSON.parse + decodeJson', jsonBytes, () => decodeJson('v1.BatchQueryResponse', JSON.parse(json)));
bench('encodeProto', bin.length, () => encodeProto('v1.BatchQueryResponse', response));
bench('decodeProto', bin.length, () => decodeProto('v1.BatchQueryResponse', bin));
