import type { Logger } from 'pino';

/** Anything with timers, sockets or files: usable after construction, started and stopped by bootstrap. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Who is calling and on whose behalf; the first parameter of every module operation. Auth fills
 * `principal` (later issue); API servers fill the rest.
 */
export interface RequestContext {
  reqId: string;
  /** Caller address as seen by the API server. */
  clientIp: string;
  /** X-Polaris-Token (or gRPC metadata) when sent. */
  token?: string;
  /** The API server that received the call: 'http', 'grpc', 'eureka', 'xds', 'internal'. */
  protocol: string;
  logger?: Logger;
  /** Set for calls the server makes on its own behalf (self-registration, jobs). */
  internal?: boolean;
  /** Who the auth guard let through (set by the guard when the plane's auth switch is on). */
  principal?: CallerPrincipal;
}

/** The authenticated caller: a user, a user group's token, or the anonymous caller of non-strict mode. */
export interface CallerPrincipal {
  kind: 'user' | 'group' | 'anonymous';
  id: string;
  name: string;
  /** The main account the caller acts for (namespaces it creates are owned by it). */
  ownerId: string;
}

/**
 * A per-request child logger made only when something logs: pino redacts and serialises a child's
 * bindings when it is created, which costs more than most requests do.
 */
export function lazyChildLogger(parent: Logger, bindings: Record<string, unknown>): { readonly logger: Logger } {
  let child: Logger | undefined;
  return {
    get logger(): Logger {
      return (child ??= parent.child(bindings));
    },
  };
}

export function internalContext(reqId: string): RequestContext {
  return { reqId, clientIp: '127.0.0.1', protocol: 'internal', internal: true };
}
