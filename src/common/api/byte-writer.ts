/**
 * A growable byte buffer shared by the JSON and protobuf encoders. Encoding writes straight into
 * one scratch Buffer (no rope strings, no per-field operation objects), which keeps large
 * responses (thousands of instances) out of the garbage collector's way.
 */

const MIN_SIZE = 64 * 1024;
const KEEP_MAX = 16 * 1024 * 1024;

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  /** false once a byte ≥ 0x80 was written (lets JSON output be decoded as latin1, faster) */
  ascii = true;

  constructor(size = MIN_SIZE) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.pos = 0;
    this.ascii = true;
    if (this.buf.length > KEEP_MAX) this.buf = Buffer.allocUnsafe(MIN_SIZE);
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Copies constant bytes (e.g. a precomputed JSON key). */
  bytes(src: Uint8Array): void {
    const n = src.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 24) for (let i = 0; i < n; i++) buf[p++] = src[i];
    else {
      buf.set(src, p);
      p += n;
    }
    this.pos = p;
  }

  /** Writes a string known to be ASCII. */
  ascii7(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Writes a string as UTF-8 and returns the byte count. */
  utf8(s: string): number {
    const n = s.length;
    if (n < 64) {
      if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
      const buf = this.buf;
      const start = this.pos;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) return this.utf8Slow(s, start);
        buf[p++] = c;
      }
      this.pos = p;
      return n;
    }
    return this.utf8Slow(s, this.pos);
  }

  private utf8Slow(s: string, start: number): number {
    const len = Buffer.byteLength(s, 'utf8');
    this.pos = start;
    if (this.pos + len > this.buf.length) this.grow(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
    // every non-ASCII UTF-16 unit takes more than one UTF-8 byte
    if (len !== s.length) this.ascii = false;
    return len;
  }

  /** Decimal digits of an integer in [0, 2^31). */
  decimal(v: number): void {
    if (v < 10) {
      this.byte(48 + v);
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
    if (this.pos + digits > this.buf.length) this.grow(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    do {
      buf[--p] = 48 + (v % 10);
      v = (v / 10) | 0;
    } while (v > 0);
  }

  // ---- protobuf primitives ------------------------------------------------------------------

  varint32(v: number): void {
    v >>>= 0;
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    while (v > 127) {
      buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** int32 varint: negative values take 10 bytes (sign-extended), as protobuf requires. */
  int32(v: number): void {
    if (v >= 0) this.varint32(v);
    else this.varint64(v | 0, -1);
  }

  varint64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    while (hi !== 0) {
      buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      buf[this.pos++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  float(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Length-delimited bytes (length prefix included). */
  lenBytes(src: Uint8Array): void {
    this.varint32(src.length);
    this.bytes(src);
  }

  /** Length-delimited UTF-8 string (length prefix included). */
  lenString(s: string): void {
    const n = s.length;
    if (n < 43) {
      // n UTF-16 units take at most 3n < 128 bytes: the prefix is one byte
      const start = this.pos;
      this.byte(0);
      const len = this.utf8(s);
      this.buf[start] = len;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint32(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** Starts a length-delimited block: reserves one byte for the length, returns the mark. */
  fork(): number {
    const mark = this.pos;
    this.byte(0);
    return mark;
  }

  /** Ends the block started at `mark`, writing its length (shifting the body if it needs >1 byte). */
  ldelim(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    let v = len;
    let p = mark;
    while (v > 127) {
      buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[p] = v;
    this.pos += extra;
  }

  /** A copy of the written bytes. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  text(): string {
    return this.buf.toString(this.ascii ? 'latin1' : 'utf8', 0, this.pos);
  }
}

let shared: ByteWriter | undefined;
let busy = false;

/** Runs `fn` with the shared scratch writer (or a private one if re-entered). */
export function withWriter<T>(fn: (w: ByteWriter) => T): T {
  if (busy) return fn(new ByteWriter(4096));
  const w = (shared ??= new ByteWriter());
  w.reset();
  busy = true;
  try {
    return fn(w);
  } finally {
    busy = false;
  }
}
