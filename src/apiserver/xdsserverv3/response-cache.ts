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

/** Per response type: how one stream's string fields are encoded (field numbers from the loaded protos). */
class TailEncoder {
  private readonly ids = new Map<string, number>();

  constructor(private readonly typeName: string) {}

  /** Each non-empty value as a length-delimited field (wire type 2), in a small pooled Buffer. */
  encode(values: Record<string, string>): Uint8Array {
    let n = 0;
    for (const [f, v] of Object.entries(values)) {
      if (v === '') continue;
      const len = Buffer.byteLength(v);
      n += varintSize((this.id(f) << 3) | 2) + varintSize(len) + len;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const [f, v] of Object.entries(values)) {
      if (v === '') continue;
      at = writeVarint(out, at, (this.id(f) << 3) | 2);
      at = writeVarint(out, at, Buffer.byteLength(v));
      at += out.write(v, at, 'utf8');
    }
    return out;
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

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

function writeVarint(b: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    b[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[at++] = v;
  return at;
}

/**
 * Encoded response bodies shared between streams. A push usually sends the same resources to
 * many streams, which differ only in their nonce: the common part is encoded once per resource
 * set (memoised under the caller's key) and each stream adds only its own fields.
 */
export class ResponseCache {
  private readonly bodies = new Map<string, Uint8Array>();
  private readonly tails = new Map<string, TailEncoder>();

  constructor(private readonly max = 128) {}

  /** `typeName` message of `common` (memoised under `key`) followed by the per-stream string fields. */
  encode(typeName: string, key: string, common: () => object, perStream: Record<string, string>): EncodedResponse {
    let body = this.bodies.get(key);
    if (body) {
      // Most recently used last, so a hot set is not evicted by a burst of one-off ones.
      this.bodies.delete(key);
    } else {
      body = encodeMessage(typeName, common());
      if (this.bodies.size >= this.max) this.bodies.delete(this.bodies.keys().next().value as string);
    }
    this.bodies.set(key, body);
    let tail = this.tails.get(typeName);
    if (!tail) this.tails.set(typeName, (tail = new TailEncoder(typeName)));
    return new EncodedResponse(body, tail.encode(perStream));
  }
}
