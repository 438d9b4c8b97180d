import type { Server, ServerCredentials } from '@grpc/grpc-js';

/** `host:port` for grpc-js, bracketing IPv6 literals ('' listens on every IPv4 address). */
export function bindAddress(ip: string, port: number): string {
  const host = ip === '' ? '0.0.0.0' : ip;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Binds a gRPC listener; resolves the bound port, or rejects naming the apiserver and address. */
export async function listenGrpc(server: Server, name: string, ip: string, port: number, credentials: ServerCredentials): Promise<number> {
  const address = bindAddress(ip, port);
  try {
    return await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  } catch (err) {
    server.forceShutdown();
    throw new Error(`${name}: cannot listen on ${address}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** Graceful stop that cuts the remaining connections after `timeoutMs`. */
export function shutdownGrpc(server: Server, timeoutMs: number, onForced?: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      onForced?.();
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
