import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { status } from '@grpc/grpc-js';

/**
 * gRPC over HTTP/2 as grpc-js (1.14) puts it on the wire, for the paths that serve calls straight
 * from node's HTTP/2 streams (the SDK's unary calls, xDS streams): the same response headers,
 * message framing, trailers and trailers-only error answers, so a client cannot tell them apart.
 */

/** Response headers grpc-js sends before the first message (shared, never mutated). */
export const RESPONSE_HEADERS = Object.freeze({
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
});
/** Trailers of a call that ends with OK. */
export const OK_TRAILERS = Object.freeze({ 'grpc-status': String(status.OK), 'grpc-message': 'OK' });
/** Response headers are sent so that trailers follow the last message (`'wantTrailers'`). */
export const RESPOND_OPTIONS = Object.freeze({ waitForTrailers: true });

/** Trailers of a call that ends with `code` after its response headers went out. */
export function statusTrailers(code: number, details: string): Record<string, string> {
  return { 'grpc-status': String(code), 'grpc-message': encodeURI(details) };
}

/** A trailers-only answer with a gRPC status (as grpc-js answers before any message). */
export function respondStatus(stream: ServerHttp2Stream, code: number, details: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc+proto',
      'grpc-status': String(code),
      'grpc-message': encodeURI(details),
    },
    { endStream: true },
  );
}

/** `payload` with gRPC's message prefix (uncompressed flag, big-endian length) in one new Buffer. */
export function frameMessage(payload: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(payload.length + 5);
  framed[0] = 0;
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed;
}

/** grpc-js' answer to a request message over the receive limit. */
export function tooLarge(size: number, max: number): string {
  return `Received message larger than max (${size} vs ${max})`;
}

/**
 * A call the direct paths can serve: gRPC content and an uncompressed request (no `grpc-encoding`,
 * or identity). Anything else goes to grpc-js, whose behaviour at those edges stays its own.
 */
export function plainGrpc(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/grpc')) return false;
  const enc = headers['grpc-encoding'];
  return enc === undefined || enc === 'identity';
}
