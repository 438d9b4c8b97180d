import * as grpc from '@grpc/grpc-js';
import { decodeProto, encodeProto } from '../src/common/api/codec.js';

/**
 * The load generator shares the machine with the server, so its client uses the project's
 * compiled codec (wire objects: wrappers are bare values) instead of protobufjs' reflection, which
 * would make the client, not the server, the bottleneck.
 */
export const w = (value: unknown) => value;

function method(name: string, req: string, res: string, stream = false, raw = false): grpc.MethodDefinition<object, object> {
  return {
    path: `/v1.PolarisGRPC/${name}`,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: (o: object) => encodeProto(req, o),
    requestDeserialize: (b: Buffer) => decodeProto(req, b),
    responseSerialize: (o: object) => encodeProto(res, o),
    responseDeserialize: raw ? (b: Buffer) => b : (b: Buffer) => decodeProto(res, b),
  };
}

/**
 * A PolarisGRPC client. `ownConnection` gives it an HTTP/2 connection of its own (grpc-js would
 * otherwise share one per target); `rawDiscover` hands Discover answers over as the received bytes
 * (the load generator then spends nothing on decoding them).
 */
export function polarisClient(port: number, opts: { ownConnection?: boolean; rawDiscover?: boolean } = {}): any {
  const Client = grpc.makeGenericClientConstructor(
    {
      ReportClient: method('ReportClient', 'v1.Client', 'v1.Response'),
      RegisterInstance: method('RegisterInstance', 'v1.Instance', 'v1.Response'),
      Heartbeat: method('Heartbeat', 'v1.Instance', 'v1.Response'),
      Discover: method('Discover', 'v1.DiscoverRequest', 'v1.DiscoverResponse', true, opts.rawDiscover),
    },
    'PolarisGRPC',
  );
  const channelOptions: grpc.ChannelOptions = opts.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {};
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), channelOptions);
}

export function unary(client: any, name: string, req: unknown): Promise<any> {
  return new Promise((res, rej) => client[name](req, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))));
}

/** Runs `op(i)` with `inFlight` concurrent calls until `total` calls or `ms` elapse; returns calls/s. */
export async function closedLoop(op: (i: number) => Promise<unknown>, inFlight: number, total: number, ms: number): Promise<number> {
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

export function stream(client: any): (req: unknown) => Promise<any> {
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

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

