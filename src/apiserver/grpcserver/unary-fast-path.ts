import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { status, type Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { hookGrpcStreams } from '../grpc-stream-hook.js';
import { frameMessage, OK_TRAILERS, plainGrpc, respondStatus, RESPOND_OPTIONS, RESPONSE_HEADERS, tooLarge } from '../grpc-wire.js';

/**
 * The SDK's unary calls (Heartbeat, RegisterInstance, …) served straight from the HTTP/2 stream.
 *
 * grpc-js runs every call through a generic machine: an intercepting call object with a stream
 * decoder, a read queue and Promise-based decompression, a Metadata copy of the headers, a Writable
 * stream object for the handler, per-call listeners and closures. For a 200-byte heartbeat that
 * machinery cost more server CPU (and garbage) than the beat itself. This path handles the common
 * case itself — `application/grpc*` content, identity encoding, one length-prefixed message — and
 * answers with the same headers, message framing and trailers grpc-js writes. Anything else
 * (compression, a method not listed) is handed to grpc-js untouched, so behaviour at the edges is
 * grpc-js' own.
 *
 * Installing it wraps the `stream` listener grpc-js put on the HTTP/2 server behind a connection
 * injector. That server is grpc-js internal state; when it cannot be found the path is simply not
 * installed and every call goes through grpc-js.
 */

/** What a handler sees of a call: the decoded request, the request headers and the peer. */
export interface FastCall<Req> {
  readonly request: Req;
  readonly metadata: HeaderMetadata;
  getPeer(): string;
}

/** Answers a call: the response message (bytes are sent as they are) or a gRPC status error. */
export type FastRespond<Res> = (err: { code: number; details: string } | null, value?: Res | Buffer) => void;

export interface FastUnaryMethod<Req = unknown, Res = unknown> {
  deserialize(b: Buffer): Req;
  serialize(v: Res | Buffer): Buffer;
  handle(call: FastCall<Req>, respond: FastRespond<Res>): void;
}

/** The slice of grpc-js' Metadata the handlers read: values of a header, `-bin` ones as bytes. */
export class HeaderMetadata {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(key: string): (string | Buffer)[] {
    const v = this.headers[key.toLowerCase()];
    if (v === undefined) return [];
    const values = Array.isArray(v) ? v : key.endsWith('-bin') ? v.split(',') : [v];
    if (!key.endsWith('-bin')) return values;
    return values.map((s) => Buffer.from(s.trim(), 'base64'));
  }
}

class Call<Req> implements FastCall<Req> {
  constructor(
    readonly request: Req,
    readonly metadata: HeaderMetadata,
    private readonly stream: ServerHttp2Stream,
  ) {}

  /** As grpc-js writes it: `address:port`. */
  getPeer(): string {
    const socket = this.stream.session?.socket;
    if (!socket?.remoteAddress) return 'unknown';
    return socket.remotePort ? `${socket.remoteAddress}:${socket.remotePort}` : socket.remoteAddress;
  }
}

const noop = (): void => undefined;

function sendTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

function respondMessage(stream: ServerHttp2Stream, payload: Buffer): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const framed = frameMessage(payload);
  stream.respond(RESPONSE_HEADERS, RESPOND_OPTIONS);
  stream.once('wantTrailers', sendTrailers);
  stream.end(framed);
}

/** The request body of a call being read. */
class Body {
  chunks: Buffer[] = [];
  size = 0;
}

export class UnaryFastPath {
  private readonly methods = new Map<string, FastUnaryMethod<any, any>>();
  private installedOn = 0;
  private taken = 0;

  constructor(
    private readonly maxReceiveBytes: number,
    private readonly logger: Logger,
  ) {}

  add<Req, Res>(path: string, method: FastUnaryMethod<Req, Res>): void {
    this.methods.set(path, method);
  }

  /**
   * Puts this path in front of grpc-js on every HTTP/2 server `server` holds (its connection
   * injectors). Returns how many servers it was installed on.
   */
  install(server: Server): number {
    const installed = hookGrpcStreams(server, INSTALLED, (grpcJs, h2) => (stream, headers, flags, raw) => {
      const method = this.methods.get(headers[':path'] as string);
      if (method === undefined || !plainGrpc(headers)) {
        grpcJs.call(h2, stream, headers, flags, raw);
        return;
      }
      this.taken++;
      this.serve(stream, headers, method);
    });
    if (installed === undefined) {
      this.logger.warn('grpc-js internals changed: the unary fast path is off, every call goes through grpc-js');
      return 0;
    }
    if (installed === 0 && this.installedOn === 0) {
      this.logger.warn('no grpc-js HTTP/2 server found: the unary fast path is off, every call goes through grpc-js');
    }
    this.installedOn += installed;
    return installed;
  }

  /** Calls this path has taken so far; undefined while it is not installed anywhere. */
  calls(): number | undefined {
    return this.installedOn > 0 ? this.taken : undefined;
  }

  private serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, method: FastUnaryMethod): void {
    // Errors (a reset by the peer) are followed by 'close'; nothing is left to answer then.
    stream.on('error', noop);
    const body = new Body();
    const max = this.maxReceiveBytes;
    stream.on('data', (chunk: Buffer) => {
      if (body.size < 0) return;
      body.size += chunk.length;
      if (max >= 0 && body.size > max + 5) {
        respondStatus(stream, status.RESOURCE_EXHAUSTED, tooLarge(body.size - 5, max));
        body.size = -1;
        body.chunks.length = 0;
        return;
      }
      body.chunks.push(chunk);
    });
    stream.on('end', () => {
      if (body.size < 0) return;
      this.finish(stream, headers, method, body.chunks.length === 1 ? body.chunks[0] : Buffer.concat(body.chunks, body.size));
    });
  }

  private finish(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, method: FastUnaryMethod, data: Buffer): void {
    if (data.length < 5) {
      respondStatus(stream, status.UNIMPLEMENTED, 'Received no request message for unary method');
      return;
    }
    const len = data.readUInt32BE(1);
    if (this.maxReceiveBytes >= 0 && len > this.maxReceiveBytes) {
      respondStatus(stream, status.RESOURCE_EXHAUSTED, tooLarge(len, this.maxReceiveBytes));
      return;
    }
    // A set compressed flag under identity encoding is read as it is, as grpc-js does.
    if (data.length < len + 5) {
      // A message cut short never became a message.
      respondStatus(stream, status.UNIMPLEMENTED, 'Received no request message for unary method');
      return;
    }
    if (data.length > len + 5) {
      respondStatus(stream, status.UNIMPLEMENTED, 'Received a second request message for unary method');
      return;
    }
    let request: unknown;
    try {
      request = method.deserialize(data.subarray(5));
    } catch {
      respondStatus(stream, status.INTERNAL, 'Error deserializing request');
      return;
    }
    const call = new Call(request, new HeaderMetadata(headers), stream);
    try {
      method.handle(call, (err, value) => {
        if (err) {
          respondStatus(stream, err.code, err.details);
          return;
        }
        let payload: Buffer;
        try {
          payload = method.serialize(value);
        } catch (e) {
          this.logger.error({ err: e }, 'gRPC answer could not be encoded');
          respondStatus(stream, status.INTERNAL, 'Error serializing response');
          return;
        }
        respondMessage(stream, payload);
      });
    } catch (e) {
      this.logger.error({ err: e }, 'gRPC handler threw');
      respondStatus(stream, status.UNKNOWN, 'Unknown error');
    }
  }
}

const INSTALLED = Symbol('unary fast path installed');
