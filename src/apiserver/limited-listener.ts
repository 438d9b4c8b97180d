import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ConnLimiter, type ConnLimitSettings } from '../common/conn-limit.js';

/**
 * gRPC listeners under the shared connection limit. grpc-js has no accept hook, so the socket is
 * accepted by our own `net` server, judged by the limiter, and only then handed to grpc-js through
 * its connection injector. Any grpc-js adapter (service-grpc, config-grpc, xDS) listens this way.
 */
export interface LimitedGrpcListener {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting new connections; open ones are left to the gRPC server's own shutdown. */
  close(): Promise<void>;
}

export async function listenGrpcLimited(
  server: GrpcServer,
  credentials: ServerCredentials,
  listen: { host: string; port: number },
  limiter: ConnLimiter | undefined,
): Promise<LimitedGrpcListener> {
  const injector = server.createConnectionInjector(credentials);
  const net: NetServer = createServer({ noDelay: true }, (socket: Socket) => {
    if (limiter && !limiter.admit(socket)) return;
    injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen({ host: listen.host === '' ? '0.0.0.0' : listen.host, port: listen.port }, () => {
      net.off('error', reject);
      resolve();
    });
  });
  const port = (net.address() as AddressInfo).port;
  let closed = false;
  return {
    port,
    // Stops accepting at once. net.Server's own close callback would wait for every injected
    // socket, which only the gRPC server's shutdown ends, so it is not awaited here.
    async close() {
      if (closed) return;
      closed = true;
      net.close(() => undefined);
    },
  };
}

/**
 * The limiter an API server uses: the one bootstrap handed in (shared with the maintain API and
 * reload), else a private one built from its `connLimit` options (standalone use and tests).
 */
export function limiterFor(
  given: ConnLimiter | undefined,
  name: string,
  protocol: string,
  options: { openConnLimit: boolean; maxConnPerHost?: number; maxConnLimit?: number; whiteList?: readonly string[] | string } | undefined,
  log: Logger,
): { limiter: ConnLimiter | undefined; owned: boolean } {
  if (given) return { limiter: given, owned: false };
  if (!options?.openConnLimit) return { limiter: undefined, owned: false };
  const raw = options.whiteList ?? [];
  const whiteList = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((s) => s.trim()).filter((s) => s !== '');
  const settings: Partial<ConnLimitSettings> = {
    openConnLimit: true,
    maxConnPerHost: options.maxConnPerHost ?? 0,
    maxConnLimit: options.maxConnLimit ?? 0,
    whiteList,
  };
  return { limiter: new ConnLimiter(name, protocol, settings, log), owned: true };
}
