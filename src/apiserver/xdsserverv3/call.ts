import type { ServerHttp2Stream } from 'node:http2';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { frameMessage, OK_TRAILERS, respondStatus, RESPOND_OPTIONS, RESPONSE_HEADERS, statusTrailers, tooLarge } from '../grpc-wire.js';
import { shareFrames, SharedResponse } from './response-cache.js';

/** What an xDS stream hears from its call. */
export interface CallListener {
  /** A request message, in arrival order. */
  request(req: object): void;
  /** The client half-closed the stream. */
  end(): void;
  /** The call is over from the client's side or broke (reset, connection gone, sent status). */
  gone(): void;
}

/** What an xDS stream needs of its gRPC call. */
export interface AdsCall {
  listen(on: CallListener): void;
  /** Sends a response message: a SharedResponse as its framed bytes, anything else serialized. */
  write(msg: object): void;
  /** Ends the call with status OK. */
  end(): void;
  /** Ends the call with an error status. */
  fail(code: status, details: string): void;
}

/** A call set up by grpc-js (compressed requests, or the direct path turned off). */
export function grpcJsCall(call: ServerDuplexStream<object, object>): AdsCall {
  // Answers shared by many streams are written as one framed Buffer (falls back to grpc-js's copy).
  shareFrames(call);
  return {
    listen(on: CallListener): void {
      call.on('data', (req: object) => on.request(req));
      call.on('end', () => on.end());
      call.on('error', () => on.gone());
      call.on('cancelled', () => on.gone());
    },
    write: (msg) => call.write(msg),
    end: () => call.end(),
    fail: (code, details) => call.emit('error', { code, details }),
  };
}

const ignore = (): void => undefined;

/**
 * A call served straight from node's HTTP/2 stream. grpc-js runs each received message through a
 * pause, a read queue and a Promise-based decompression step, wraps the stream in a second Duplex,
 * and keeps a Metadata copy and several closures per call; for an ACK of a few hundred bytes that
 * cost more than settling the ACK, and a push to a thousand streams is a thousand such ACKs in a
 * few socket reads. Here a message is cut from the DATA chunks, decoded and handed over in the same
 * turn, and answers are written as they are (shared framed Buffers included).
 *
 * What the client sees is grpc-js' own wire behaviour (`grpc-wire.ts`): response headers before the
 * first message, OK trailers, trailers-only error answers, RESOURCE_EXHAUSTED for a request over
 * the receive limit, INTERNAL for one that does not decode. Only uncompressed requests come here.
 */
export class DirectCall implements AdsCall {
  /** Bytes of a message not complete yet: chunks, and how many bytes they hold. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Status sent (or the stream is gone): nothing more is read or written. */
  private done = false;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly decode: (b: Buffer) => object,
    private readonly serialize: (msg: object) => Buffer,
    /** Largest request message in bytes; -1: no limit. */
    private readonly maxReceive: number,
  ) {}

  listen(on: CallListener): void {
    const s = this.stream;
    // A reset with an error code is raised as a stream error; 'close' follows and says enough.
    s.on('error', ignore);
    s.on('close', () => {
      this.done = true;
      on.gone();
    });
    s.on('end', () => {
      if (!this.done) on.end();
    });
    s.on('data', (chunk: Buffer) => this.read(chunk, on));
  }

  write(msg: object): void {
    if (this.done) return;
    let frame: Buffer;
    if (msg instanceof SharedResponse) {
      frame = msg.framed();
    } else {
      try {
        frame = frameMessage(this.serialize(msg));
      } catch {
        this.fail(status.INTERNAL, 'Error serializing response');
        return;
      }
    }
    const s = this.stream;
    if (s.destroyed || s.closed) return;
    if (!s.headersSent) s.respond(RESPONSE_HEADERS, RESPOND_OPTIONS);
    s.write(frame);
  }

  end(): void {
    this.finish(status.OK, 'OK');
  }

  fail(code: status, details: string): void {
    this.finish(code, details);
  }

  private finish(code: status, details: string): void {
    if (this.done) return;
    this.done = true;
    const s = this.stream;
    if (s.destroyed || s.closed) return;
    if (!s.headersSent) {
      respondStatus(s, code, details);
      return;
    }
    const trailers = code === status.OK ? OK_TRAILERS : statusTrailers(code, details);
    s.once('wantTrailers', () => s.sendTrailers(trailers));
    s.end();
  }

  /** Cuts whole messages out of the DATA chunks and hands each over decoded. */
  private read(chunk: Buffer, on: CallListener): void {
    if (this.done) return;
    let buf = chunk;
    if (this.partialBytes > 0) {
      this.partial.push(chunk);
      this.partialBytes += chunk.length;
      if (this.partialBytes < 5) return;
      const len = this.lengthAhead();
      if (this.maxReceive >= 0 && len > this.maxReceive) {
        this.fail(status.RESOURCE_EXHAUSTED, tooLarge(len, this.maxReceive));
        return;
      }
      // A message still short of its length (a big request over many chunks) is joined once, when whole.
      if (this.partialBytes < 5 + len) return;
      buf = Buffer.concat(this.partial, this.partialBytes);
      this.partial = [];
      this.partialBytes = 0;
    }
    let off = 0;
    while (buf.length - off >= 5) {
      const len = buf.readUInt32BE(off + 1);
      if (this.maxReceive >= 0 && len > this.maxReceive) {
        this.fail(status.RESOURCE_EXHAUSTED, tooLarge(len, this.maxReceive));
        return;
      }
      if (buf.length - off - 5 < len) break;
      // A set compressed flag under identity encoding is read as it is, as grpc-js does.
      let req: object;
      try {
        req = this.decode(buf.subarray(off + 5, off + 5 + len));
      } catch {
        this.fail(status.INTERNAL, 'Error deserializing request');
        return;
      }
      off += 5 + len;
      on.request(req);
      if (this.done) return;
    }
    if (off < buf.length) {
      this.partial.push(off === 0 ? buf : buf.subarray(off));
      this.partialBytes = buf.length - off;
    }
  }

  /** The length field of the message whose first bytes are held (at least 5 of them). */
  private lengthAhead(): number {
    const first = this.partial[0] as Buffer;
    if (first.length >= 5) return first.readUInt32BE(1);
    return Buffer.concat(this.partial, 5).readUInt32BE(1);
  }
}
