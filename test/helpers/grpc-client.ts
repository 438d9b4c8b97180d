import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join, resolve } from 'node:path';

const PROTO = resolve(import.meta.dirname, '..', '..', 'proto');

/**
 * A gRPC client built the way an SDK builds one: from the .proto files with proto-loader
 * (wrappers are `{ value }` objects here, as on the real wire).
 */
export function polarisClient(port: number, options: grpc.ChannelOptions = {}): any {
  const def = protoLoader.loadSync(join(PROTO, 'api/v1/service_manage/grpcapi.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: [PROTO],
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  return new pkg.v1.PolarisGRPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
}

export function unary(client: any, method: string, req: unknown): Promise<any> {
  return new Promise((res, rej) => client[method](req, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))));
}

/** One Discover request on a fresh stream; resolves its single answer. */
export function discoverOnce(client: any, req: unknown): Promise<any> {
  return new Promise((res, rej) => {
    const call = client.Discover();
    call.on('data', (d: unknown) => {
      res(d);
      call.end();
    });
    call.on('error', rej);
    call.write(req);
  });
}
