import type { ServerHttp2Stream } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { hookGrpcStreams } from '../grpc-stream-hook.js';
import { plainGrpc } from '../grpc-wire.js';
import type { LoopSlicer } from './slicer.js';

const HOOKED = Symbol('xDS streams admitted in slices');
const ignore = (): void => undefined;

/**
 * New streams reach grpc-js in the slicer's turns instead of the socket read that carried them.
 *
 * When a thousand Envoys (or one Envoy multiplexing many streams) connect at once, node's HTTP/2
 * session hands every stream of a socket read to its `'stream'` listener in one go, and grpc-js
 * sets each call up there and then (call objects, decoders, listeners, metadata: about a quarter
 * of a millisecond each), so the whole burst ran as one stretch of the event loop and every other
 * connection waited for it. Here the listener only queues the stream; the slicer hands queued
 * streams to grpc-js a few milliseconds' worth at a time, taking turns with the answers and pushes
 * it already slices, and the loop polls sockets in between.
 *
 * A queued stream's request bytes wait in its readable buffer (nothing reads them yet). A stream
 * the client reset meanwhile is dropped when its turn comes; until then a listener swallows its
 * `'error'` (a reset with an error code), which would otherwise be thrown as unhandled.
 *
 * Returns whether the hook is in place (false when grpc-js internals are not as expected: then
 * grpc-js sets calls up itself, as before).
 */
export function admitStreamsInSlices(
  server: Server,
  slicer: LoopSlicer,
  logger: Logger,
  /** Paths served without grpc-js (`DirectCall`), for calls with plain gRPC content and no deadline. */
  direct?: ReadonlyMap<string, (stream: ServerHttp2Stream) => void>,
): boolean {
  const hooked = hookGrpcStreams(server, HOOKED, (grpcJs, h2) => (stream, headers, flags, raw) => {
    stream.on('error', ignore);
    slicer.post(
      () => {
        stream.removeListener('error', ignore);
        if (stream.destroyed || stream.closed) return;
        const serve = direct?.get(headers[':path'] as string);
        // A call with a deadline goes to grpc-js, which ends it with DEADLINE_EXCEEDED when due.
        if (serve !== undefined && plainGrpc(headers) && headers['grpc-timeout'] === undefined) serve(stream);
        else grpcJs.call(h2, stream, headers, flags, raw);
      },
      (err) => {
        logger.error({ err }, 'xDS stream could not be set up');
        if (!stream.destroyed) stream.destroy();
      },
    );
  });
  if (!hooked) {
    logger.warn('grpc-js internals changed: new xDS streams are set up in the socket read that carried them');
    return false;
  }
  return true;
}
