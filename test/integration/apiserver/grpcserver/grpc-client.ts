/**
 * A plain grpc-js client built from proto/ with @grpc/proto-loader, the way an SDK generated
 * from the official protos talks: wrapper fields are `{ value }` messages, enums are names.
 */
import { readdirSync, statSync } from 'node:fs';
import http2 from 'node:http2';
import { join, relative, resolve, sep } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import pino from 'pino';
import { createGrpcServer, type GrpcApiServer, type GrpcServerDeps, type GrpcServerOptions } from '../../../../src/apiserver/grpcserver/index.js';
import { FakeClientOps, fakeNamingService } from '../../../helpers/fake-client-ops.js';

const PROTO_DIR = resolve(import.meta.dirname, '..', '..', '..', '..', 'proto');

function protoFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.proto')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

let pkgCache: grpc.GrpcObject | undefined;

function pkg(): grpc.GrpcObject {
  if (!pkgCache) {
    const def = protoLoader.loadSync(protoFilesUnder(PROTO_DIR), {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
      includeDirs: [PROTO_DIR],
    });
    pkgCache = grpc.loadPackageDefinition(def);
  }
  return pkgCache;
}

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export function newClient(
  service: 'PolarisGRPC' | 'PolarisHeartbeatGRPC' | 'PolarisServiceContractGRPC',
  port: number,
  creds: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): AnyClient {
  const v1 = pkg().v1 as grpc.GrpcObject;
  const Ctor = v1[service] as grpc.ServiceClientConstructor;
  return new Ctor(`127.0.0.1:${port}`, creds) as unknown as AnyClient;
}

/** Promisified unary call with optional metadata. */
export function unary<T = Record<string, any>>(
  client: AnyClient,
  method: string,
  req: object,
  md: Record<string, string> = {},
): Promise<T> {
  const meta = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) meta.set(k, v);
  return new Promise((resolvePromise, reject) => {
    (client[method] as Function).call(client, req, meta, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, res: T) =>
      err ? reject(err) : resolvePromise(res),
    );
  });
}

/** `{ value }` wrapper helper. */
export const w = <T>(value: T): { value: T } => ({ value });

/** Unwraps a wrapper message (undefined when absent). */
export const uw = <T>(x: { value: T } | null | undefined): T | undefined => (x === null || x === undefined ? undefined : x.value);

export interface Harness {
  server: GrpcApiServer;
  fake: FakeClientOps;
  port: number;
  stop(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

export async function startServer(
  overrides: Partial<GrpcServerOptions> = {},
  fake = new FakeClientOps(),
  extraDeps: Partial<GrpcServerDeps> = {},
): Promise<Harness> {
  const server = createGrpcServer(
    { naming: fakeNamingService(fake), logger: silentLogger, ...extraDeps },
    {
      listenIP: '127.0.0.1',
      listenPort: 0,
      api: { client: { enable: true, include: [] } },
      shutdownTimeoutMs: 3000,
      ...overrides,
    },
  );
  await server.start();
  return { server, fake, port: server.listenPort, stop: () => server.stop() };
}

/** A Discover stream with a FIFO of received answers. */
export class DiscoverStream {
  readonly call: grpc.ClientDuplexStream<object, Record<string, any>>;
  private readonly received: Record<string, any>[] = [];
  private waiters: Array<() => void> = [];
  ended = false;
  status: grpc.StatusObject | undefined;
  error: Error | undefined;

  constructor(client: AnyClient, md: Record<string, string> = {}) {
    const meta = new grpc.Metadata();
    for (const [k, v] of Object.entries(md)) meta.set(k, v);
    this.call = (client.Discover as Function).call(client, meta) as grpc.ClientDuplexStream<object, Record<string, any>>;
    this.call.on('data', (m: Record<string, any>) => {
      this.received.push(m);
      this.wake();
    });
    this.call.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
      this.wake();
    });
    this.call.on('error', (e: Error) => {
      this.error = e;
      this.wake();
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  send(req: object): void {
    this.call.write(req);
  }

  /** Waits for `n` answers (in arrival order) or fails after `timeoutMs`. */
  async next(n = 1, timeoutMs = 3000): Promise<Record<string, any>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (this.error) throw this.error;
      if (this.ended && this.received.length < n) throw new Error(`stream ended after ${this.received.length} answers`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} answers (got ${this.received.length})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.received.splice(0, n);
  }

  /** Half-closes and waits for the server's status. */
  async close(timeoutMs = 3000): Promise<grpc.StatusObject> {
    this.call.end();
    const deadline = Date.now() + timeoutMs;
    while (!this.status) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no status after half-close');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.status;
  }
}

/** A gRPC answer read off raw HTTP/2: headers, trailers and the body bytes. */
export interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** POSTs raw bytes as a gRPC request body on a fresh HTTP/2 connection (framing is the caller's). */
export function rawGrpcCall(port: number, path: string, body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ headers, trailers, body: Buffer.concat(chunks) });
    });
    req.on('error', (err) => {
      session.close();
      reject(err);
    });
    req.end(body);
  });
}

/** A gRPC length-prefixed frame around `payload` (flag 1 = compressed). */
export function grpcFrame(payload: Buffer, compressed = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** The gRPC status of a raw answer (trailers, or headers of a trailers-only answer). */
export const rawGrpcStatus = (a: RawAnswer): number => Number(a.trailers['grpc-status'] ?? a.headers['grpc-status']);
