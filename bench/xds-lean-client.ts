import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';
import { messageType } from '../src/apiserver/xdsserverv3/protos.js';
import { DeltaSession, SotwSession, type DeltaResponse, type SotwResponse } from '../test/helpers/xds-client.js';

/**
 * An ADS client for the bench, on node:http2 with gRPC's framing done here, that reads only the
 * envelope of each DiscoveryResponse / DeltaDiscoveryResponse (version, type, nonce, removed
 * names, and the number of resources) and skips the resources' bytes where they lie in the
 * received chunks, without gathering a message into one buffer first.
 *
 * One bench process stands in for 1,000 Envoys, which decode in parallel. Through grpc-js, this
 * process spent more CPU per change than the server (every message is copied into a new buffer
 * and passes promises, filters and a Readable before it is seen), so the last stream's latency
 * was this process's queue rather than the server's delivery. Its HTTP/2 receive windows are
 * Envoy's defaults (256 MiB per stream and per connection) instead of 64 KiB, which would make
 * the server wait for window updates from this one busy process.
 */

const WINDOW = 256 * 1024 * 1024;
const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

/** What the parser does with a field of the response: keep the string, count it, or skip it. */
type FieldUse = { kind: 'string'; key: string } | { kind: 'list'; key: string } | { kind: 'count' };

const enum St {
  Tag,
  Len,
  Varint,
  Skip,
  Collect,
}

/** The shared stand-in for each resource of an answer (the bench counts resources, never reads them). */
const SKIPPED = Object.freeze({ name: '', version: '', type_url: '', value: Buffer.alloc(0), resource: Object.freeze({ type_url: '', value: Buffer.alloc(0) }) });

/**
 * gRPC length-prefixed messages in, envelopes out: a byte-wise state machine over the protobuf
 * fields, so a message split over HTTP/2 DATA frames needs no reassembly. Only string fields the
 * caller named are gathered (a few bytes each); every other field is skipped in place.
 */
class EnvelopeParser {
  private inMsg = false;
  private hdr = 0;
  private msgLen = 0;
  private left = 0;
  private st = St.Tag;
  private v = 0;
  private mul = 1;
  private use: FieldUse | undefined;
  private skip = 0;
  private pieces: Buffer[] = [];
  private cur: Record<string, unknown> = {};

  constructor(
    private readonly fields: ReadonlyMap<number, FieldUse>,
    private readonly make: () => Record<string, unknown>,
    private readonly emit: (m: Record<string, unknown>) => void,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (!this.inMsg) {
        const b = chunk[i++] as number;
        if (this.hdr === 0) {
          if (b !== 0) throw new Error('compressed gRPC messages are not expected');
          this.msgLen = 0;
        } else this.msgLen = this.msgLen * 256 + b;
        if (++this.hdr === 5) {
          this.hdr = 0;
          this.inMsg = true;
          this.left = this.msgLen;
          this.cur = this.make();
          this.st = St.Tag;
          this.v = 0;
          this.mul = 1;
          if (this.left === 0) this.finish();
        }
        continue;
      }
      if (this.st === St.Skip || this.st === St.Collect) {
        const k = Math.min(n - i, this.skip);
        if (this.st === St.Collect) this.pieces.push(chunk.subarray(i, i + k));
        i += k;
        this.left -= k;
        this.skip -= k;
        if (this.skip === 0) this.fieldDone();
      } else {
        const b = chunk[i++] as number;
        this.left--;
        if (this.st === St.Varint) {
          if ((b & 0x80) === 0) this.st = St.Tag;
        } else {
          this.v += (b & 0x7f) * this.mul;
          this.mul *= 128;
          if ((b & 0x80) === 0) {
            const value = this.v;
            this.v = 0;
            this.mul = 1;
            if (this.st === St.Tag) this.onTag(value);
            else this.onLength(value);
          }
        }
      }
      if (this.left === 0 && this.inMsg) {
        if (this.st !== St.Tag) throw new Error('a gRPC message ended inside a protobuf field');
        this.finish();
      }
    }
  }

  private onTag(tag: number): void {
    const wire = tag & 7;
    this.use = this.fields.get(Math.floor(tag / 8));
    if (wire === 0) this.st = St.Varint;
    else if (wire === 2) this.st = St.Len;
    else if (wire === 1 || wire === 5) {
      this.st = St.Skip;
      this.skip = wire === 1 ? 8 : 4;
    } else throw new Error(`unexpected protobuf wire type ${wire}`);
  }

  private onLength(len: number): void {
    const u = this.use;
    this.skip = len;
    this.pieces = [];
    this.st = u && u.kind !== 'count' ? St.Collect : St.Skip;
    if (u?.kind === 'count') (this.cur.resources as unknown[]).push(SKIPPED);
    if (len === 0) this.fieldDone();
  }

  private fieldDone(): void {
    const u = this.use;
    if (this.st === St.Collect && u && u.kind !== 'count') {
      const text = this.pieces.length === 1 ? (this.pieces[0] as Buffer).toString() : Buffer.concat(this.pieces).toString();
      if (u.kind === 'string') this.cur[u.key] = text;
      else (this.cur[u.key] as string[]).push(text);
    }
    this.pieces = [];
    this.st = St.Tag;
  }

  private finish(): void {
    this.inMsg = false;
    const m = this.cur;
    this.cur = {};
    this.emit(m);
  }
}

/** Field number → use, from the loaded proto (no field number written here). */
function fieldUses(typeName: string, strings: string[], lists: string[], counted: string): Map<number, FieldUse> {
  const f = messageType(typeName).fields;
  const out = new Map<number, FieldUse>();
  for (const key of strings) out.set(f[key].id, { kind: 'string', key });
  for (const key of lists) out.set(f[key].id, { kind: 'list', key });
  out.set(f[counted].id, { kind: 'count' });
  return out;
}

/**
 * One bidirectional ADS call on an HTTP/2 stream, with the four members the sessions use
 * (`write`, `cancel`, and the `data` and `error` events): requests are encoded by protobufjs and
 * framed here; a non-zero grpc-status in the trailers (or trailers-only headers) is an `error`.
 */
class H2Call extends EventEmitter {
  private readonly stream: http2.ClientHttp2Stream;
  private ended = false;

  constructor(session: http2.ClientHttp2Session, method: string, private readonly encode: (v: object) => Uint8Array, parser: (emit: (m: object) => void) => EnvelopeParser) {
    super();
    this.stream = session.request({ ':method': 'POST', ':path': ADS + method, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
    const p = parser((m) => this.emit('data', m));
    this.stream.on('data', (chunk: Buffer) => {
      try {
        p.push(chunk);
      } catch (err) {
        this.failWith(13, (err as Error).message);
        this.stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    const status = (h: http2.IncomingHttpHeaders) => {
      const code = h['grpc-status'];
      if (code === undefined) return;
      if (Number(code) !== 0) this.failWith(Number(code), decodeURIComponent(String(h['grpc-message'] ?? '')));
      else this.ended = true;
    };
    this.stream.on('response', status);
    this.stream.on('trailers', status);
    this.stream.on('error', (err: Error) => this.failWith(14, err.message));
    this.stream.on('close', () => {
      if (!this.ended) this.failWith(1, 'stream closed');
    });
  }

  write(msg: object): boolean {
    const body = this.encode(msg);
    const frame = Buffer.allocUnsafe(body.length + 5);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    return this.stream.write(frame);
  }

  cancel(): void {
    if (!this.stream.closed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private failWith(code: number, details: string): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('error', Object.assign(new Error(details), { code, details, metadata: undefined }));
  }
}

export function leanAdsClient(port: number): { close(): void; sotw(): SotwSession; delta(): DeltaSession } {
  const sotwReq = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const deltaReq = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const sotwFields = fieldUses('envoy.service.discovery.v3.DiscoveryResponse', ['version_info', 'type_url', 'nonce'], [], 'resources');
  const deltaFields = fieldUses('envoy.service.discovery.v3.DeltaDiscoveryResponse', ['system_version_info', 'type_url', 'nonce'], ['removed_resources'], 'resources');
  const newSotw = (): Record<string, unknown> => ({ version_info: '', resources: [], type_url: '', nonce: '' }) satisfies SotwResponse;
  const newDelta = (): Record<string, unknown> => ({ system_version_info: '', resources: [], type_url: '', removed_resources: [], nonce: '' }) satisfies DeltaResponse;
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: WINDOW } });
  session.on('connect', () => session.setLocalWindowSize(WINDOW));
  // A dropped connection shows as each stream's error; the session's own error needs a listener.
  session.on('error', () => {});
  const call = (method: string, encode: (v: object) => Uint8Array, fields: ReadonlyMap<number, FieldUse>, make: () => Record<string, unknown>) =>
    new H2Call(session, method, encode, (emit) => new EnvelopeParser(fields, make, emit)) as unknown as grpc.ClientDuplexStream<object, never>;
  return {
    close: () => session.close(),
    sotw: () => new SotwSession(call('StreamAggregatedResources', (v) => sotwReq.encode(sotwReq.fromObject(v)).finish(), sotwFields, newSotw)),
    delta: () => new DeltaSession(call('DeltaAggregatedResources', (v) => deltaReq.encode(deltaReq.fromObject(v)).finish(), deltaFields, newDelta)),
  };
}
