import type { Lifecycle } from '../common/lifecycle.js';

/**
 * One protocol front end (HTTP OpenAPI, gRPC, Eureka, xDS, …). API servers are protocol adapters
 * only: they decode requests, call the module front doors and encode answers.
 *
 * Usable once constructed; bootstrap calls `start()` in order and `stop()` in reverse.
 */
export interface ApiServer extends Lifecycle {
  /** The configured apiserver name, e.g. `api-http`. */
  readonly name: string;
  /** The wire protocol: `http`, `grpc`, `eureka`, `xds`, … */
  readonly protocol: string;
  /** The port asked for in the configuration (0 = any free port). */
  readonly port: number;
  /**
   * The port actually bound. Equals `port` before `start()` resolves; after it, the real port
   * (useful when `port` is 0).
   */
  readonly listenPort: number;
  /** Binds and starts serving. Rejects if the address cannot be bound. */
  start(): Promise<void>;
  /**
   * Graceful: stops accepting new connections, lets in-flight requests finish (requests that
   * arrive on kept-alive connections meanwhile are refused), then resolves. Idempotent.
   */
  stop(): Promise<void>;
}
