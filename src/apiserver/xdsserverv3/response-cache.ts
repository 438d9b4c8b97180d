import protobuf from 'protobufjs';
import { encodeMessage, messageType, PRE_ENCODED, type PreEncoded } from './protos.js';

export const DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse';
export const DELTA_DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';

/**
 * One answer to one stream: the encoded fields every stream receiving this resource set shares
 * (`body`, one Uint8Array for all of them) followed by this stream's own string fields (nonce,
 * system version). Concatenated protobuf messages merge, so body + tail is one valid message.
 * Nothing is copied per stream until grpc-js frames the message (see `serialize`).
 */
export class EncodedResponse implements PreEncoded {
  readonly [PRE_ENCODED] = true;

  constructor(
    readonly body: Uint8Array,
    readonly tail: Uint8Array,
  ) {}

  get length(): number {
    return this.body.length + this.tail.length;
  }

  /**
   * body + tail in a scratch buffer reused by every call. Only valid until the next call: grpc-js
   * (1.14) copies the result of a response serializer into its framed buffer synchronously
   * (serializeMessage) and keeps no reference to it, so one scratch serves every stream and a
   * push allocates one framed buffer per stream instead of two.
   */
  serialize(): Buffer {
    const n = this.length;
    if (scratch.length < n) scratch = Buffer.allocUnsafeSlow(Math.max(n, scratch.length * 2));
    scratch.set(this.body, 0);
    scratch.set(this.tail, this.body.length);
    return scratch.subarray(0, n);
  }
}

let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * One answer sent unchanged to many streams: same resources, same version_info and the same
 * nonce (a process-wide sequence number, so it still differs between the responses of one
 * stream, see SotwStream). It is framed once (the 5-byte gRPC message header + message) and, where
 * `shareFrames` could hook the call, that very Buffer is written to every stream: no per-stream
 * copy. Elsewhere grpc-js serializes it as usual (one copy per stream).
 */
export class SharedResponse implements PreEncoded {
  readonly [PRE_ENCODED] = true;
  private frame: Buffer | undefined;

  constructor(
    readonly body: Uint8Array,
    readonly tail: Uint8Array,
    /** The nonce's sequence number (process-wide, increasing). */
    readonly seq: number,
    readonly nonce: string,
  ) {}

  get length(): number {
    return this.body.length + this.tail.length;
  }

  /** Length-prefixed message as gRPC puts it on the wire (uncompressed), built on first use. */
  framed(): Buffer {
    if (!this.frame) {
      const n = this.length;
      const f = Buffer.allocUnsafeSlow(n + 5);
      f[0] = 0;
      f.writeUInt32BE(n, 1);
      f.set(this.body, 5);
      f.set(this.tail, 5 + this.body.length);
      this.frame = f;
    }
    return this.frame;
  }

  serialize(): Buffer {
    return this.framed().subarray(5);
  }
}

type SerializeMessage = (this: unknown, value: unknown) => Buffer;
/** Per serializeMessage implementation: whether it frames messages as `SharedResponse.framed` does. */
const framingMatches = new WeakMap<SerializeMessage, boolean>();

/**
 * Lets `call` write a SharedResponse's framed Buffer as it is. grpc-js (1.14) frames each response
 * in `serializeMessage` of the call under the stream (no interceptors: `call.call`), allocating
 * and copying one buffer per stream. That method is wrapped on this call only, and only if it is
 * there and frames a probe message byte for byte as `framed()` does (checked once per implementation);
 * otherwise nothing changes and grpc-js copies as before. Returns whether the hook is in place.
 */
export function shareFrames(call: object): boolean {
  const base = (call as { call?: { serializeMessage?: unknown } }).call;
  if (!base || typeof base.serializeMessage !== 'function') return false;
  const own = base.serializeMessage as SerializeMessage;
  let matches = framingMatches.get(own);
  if (matches === undefined) {
    // version_info "1", nonce "2": valid for every discovery response type.
    const probe = new SharedResponse(Buffer.from([0x0a, 0x01, 0x31]), Buffer.from([0x2a, 0x01, 0x32]), 0, '');
    try {
      const out = own.call(base, probe);
      matches = Buffer.isBuffer(out) && out.equals(probe.framed());
    } catch {
      matches = false;
    }
    framingMatches.set(own, matches);
  }
  if (!matches) return false;
  base.serializeMessage = function (this: unknown, value: unknown): Buffer {
    return value instanceof SharedResponse ? value.framed() : own.call(this, value);
  };
  return true;
}

/** Per response type: how one stream's string fields are encoded (field numbers from the loaded protos). */
class TailEncoder {
  private readonly ids = new Map<string, number>();

  constructor(private readonly typeName: string) {}

  /** Each non-empty value as a length-delimited field (wire type 2). */
  encode(values: Record<string, string>): Uint8Array {
    const w = protobuf.Writer.create();
    for (const [f, v] of Object.entries(values)) if (v !== '') w.uint32((this.id(f) << 3) | 2).string(v);
    return w.finish();
  }

  private id(f: string): number {
    let id = this.ids.get(f);
    if (id === undefined) {
      const field = messageType(this.typeName).fields[f];
      if (!field || field.type !== 'string' || field.repeated) throw new Error(`${this.typeName}.${f} is not a singular string field`);
      this.ids.set(f, (id = field.id));
    }
    return id;
  }
}

/**
 * Encoded response bodies shared between streams. A push usually sends the same resources to
 * many streams, which differ only in their nonce: the common part is encoded once per resource
 * set (memoised under the caller's key) and each stream adds only its own fields.
 */
export class ResponseCache {
  private readonly bodies = new Map<string, Uint8Array>();
  private readonly tails = new Map<string, TailEncoder>();
  /** Answers shared by streams within one snapshot generation. */
  private readonly shared = new Map<string, SharedResponse>();
  private sharedGen = -1;
  private sharedBytes = 0;
  private seq = 0;

  constructor(
    private readonly max = 128,
    /** Bytes of shared answers kept per generation; beyond it the map starts over. */
    private readonly maxSharedBytes = 16 * 1024 * 1024,
  ) {}

  /** A process-wide nonce: never repeats, on any stream. */
  nextNonce(): { seq: number; nonce: string } {
    const seq = ++this.seq;
    return { seq, nonce: String(seq) };
  }

  /**
   * The answer with this body (`key`) and these per-stream fields (`variant`) in snapshot
   * generation `gen`, shared with every other stream asking for the same in the same generation:
   * one nonce, one encoding, one framed Buffer. A new generation starts a new map (its answers get
   * new, higher nonces).
   */
  encodeShared(typeName: string, key: string, variant: string, gen: number, common: () => object, fields: (nonce: string) => Record<string, string>): SharedResponse {
    if (gen !== this.sharedGen) {
      this.shared.clear();
      this.sharedBytes = 0;
      this.sharedGen = gen;
    }
    const k = `${key}\u0000${variant}`;
    let r = this.shared.get(k);
    if (r) return r;
    const body = this.body(typeName, key, common);
    const { seq, nonce } = this.nextNonce();
    r = new SharedResponse(body, this.tail(typeName).encode(fields(nonce)), seq, nonce);
    if (this.sharedBytes + r.length > this.maxSharedBytes) {
      this.shared.clear();
      this.sharedBytes = 0;
    }
    this.shared.set(k, r);
    this.sharedBytes += r.length + 5;
    return r;
  }

  /** The body of `shared` with other per-stream fields (a private nonce): nothing is re-encoded but the tail. */
  retail(typeName: string, shared: SharedResponse, perStream: Record<string, string>): EncodedResponse {
    return new EncodedResponse(shared.body, this.tail(typeName).encode(perStream));
  }

  private tail(typeName: string): TailEncoder {
    let tail = this.tails.get(typeName);
    if (!tail) this.tails.set(typeName, (tail = new TailEncoder(typeName)));
    return tail;
  }

  private body(typeName: string, key: string, common: () => object): Uint8Array {
    let body = this.bodies.get(key);
    if (body) {
      // Most recently used last, so a hot set is not evicted by a burst of one-off ones.
      this.bodies.delete(key);
    } else {
      body = encodeMessage(typeName, common());
      if (this.bodies.size >= this.max) this.bodies.delete(this.bodies.keys().next().value as string);
    }
    this.bodies.set(key, body);
    return body;
  }
}
