/**
 * Wire object → protobuf binary. Wrappers are wrapped, Any is packed by its "@type", Duration text
 * becomes {seconds, nanos}, 64-bit decimal strings become varints/fixed64, enum names numbers.
 * Fields are written in field-number order, proto3 scalars at their default are omitted (except
 * oneof members), repeated numeric fields are packed. Each message type is compiled once into
 * closures that write straight into a shared byte buffer (see byte-writer.ts).
 */
import { ByteWriter, withWriter } from './byte-writer.js';
import { CodecError } from './codec-error.js';
import { K, messageDesc, resolveTypeUrl, type EnumDesc, type FieldDesc, type MessageDesc } from './schema.js';
import { S, int64String, is64, isNumericKind, isZero64, normalizeDuration, parseGoDuration, scalarDefault, type ScalarKind } from './scalars.js';

type Put = (w: ByteWriter, v: unknown) => void;
type Obj = Record<string, unknown>;
type MsgPut = (w: ByteWriter, o: Obj) => void;

export function wireTypeOf(kind: number, k: ScalarKind): number {
  if (kind !== K.SCALAR && kind !== K.ENUM) return 2;
  switch (k) {
    case S.DOUBLE: case S.FIXED64: case S.SFIXED64: return 1;
    case S.FLOAT: case S.FIXED32: case S.SFIXED32: return 5;
    case S.STRING: case S.BYTES: return 2;
    default: return 0;
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

// 64-bit value being written, as two's complement halves (set by setLong)
let LO = 0;
let HI = 0;

function setLong(v: unknown): void {
  let n: number;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
  else {
    const s = int64String(v);
    if (s.length < 16) n = Number(s);
    else {
      const b = BigInt.asUintN(64, BigInt(s));
      LO = Number(b & 0xffffffffn) >>> 0;
      HI = Number(b >> 32n) >>> 0;
      return;
    }
  }
  const m = n < 0 ? -n : n;
  let lo = m % 4294967296 >>> 0;
  let hi = Math.floor(m / 4294967296) >>> 0;
  if (n < 0) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  LO = lo;
  HI = hi;
}

function scalarPut(k: ScalarKind): Put {
  switch (k) {
    case S.DOUBLE: return (w, v) => w.double(num(v));
    case S.FLOAT: return (w, v) => w.float(num(v));
    case S.INT32: return (w, v) => w.int32(num(v) | 0);
    case S.UINT32: return (w, v) => w.varint32(num(v));
    case S.SINT32: return (w, v) => { const n = num(v) | 0; w.varint32(((n << 1) ^ (n >> 31)) >>> 0); };
    case S.FIXED32: case S.SFIXED32: return (w, v) => w.fixed32(num(v));
    case S.INT64: case S.UINT64: return (w, v) => { setLong(v); w.varint64(LO, HI); };
    case S.SINT64:
      return (w, v) => {
        setLong(v);
        const mask = HI >> 31;
        w.varint64(((LO << 1) ^ mask) >>> 0, (((HI << 1) | (LO >>> 31)) ^ mask) >>> 0);
      };
    case S.FIXED64: case S.SFIXED64: return (w, v) => { setLong(v); w.fixed64(LO, HI); };
    case S.BOOL: return (w, v) => w.byte(v === true ? 1 : 0);
    case S.STRING:
      return (w, v) => {
        if (typeof v !== 'string') throw new CodecError(`cannot encode ${typeof v} as string`);
        w.lenString(v);
      };
    default:
      return (w, v) => {
        if (typeof v === 'string') w.lenBytes(Buffer.from(v, 'base64'));
        else if (v instanceof Uint8Array) w.lenBytes(v);
        else throw new CodecError(`cannot encode ${typeof v} as bytes`);
      };
  }
}

function isDefaultScalar(k: ScalarKind, v: unknown): boolean {
  if (k === S.STRING) return v === '';
  if (k === S.BOOL) return v !== true;
  if (k === S.BYTES) return typeof v === 'string' ? v === '' : (v as Uint8Array).length === 0;
  if (is64(k)) return isZero64(v);
  return v === 0 || v === '0';
}

function enumNumber(e: EnumDesc, v: unknown): number {
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' ? e.byName.get(v) : undefined;
  if (n === undefined) throw new CodecError(`unknown value ${JSON.stringify(v)} for enum ${e.fullName}`);
  return n;
}

function putDurationBody(w: ByteWriter, v: unknown): void {
  let seconds: string;
  let nanos: number;
  if (typeof v === 'string') {
    const d = parseGoDuration(v);
    seconds = d.seconds.toString();
    nanos = d.nanos;
  } else {
    normalizeDuration(v); // validates objects, throws otherwise
    const o = v as { seconds?: unknown; nanos?: unknown };
    seconds = int64String(o.seconds ?? 0);
    nanos = Number(o.nanos ?? 0);
  }
  if (seconds !== '0') {
    w.byte(8);
    setLong(seconds);
    w.varint64(LO, HI);
  }
  if (nanos !== 0) {
    w.byte(16);
    w.int32(nanos);
  }
}

function lazyMessage(name: string): MsgPut {
  let put: MsgPut | undefined;
  return (w, o) => (put ??= messagePut(messageDesc(name)))(w, o);
}

/** Writes one value of the field's kind, tag included; `force` writes scalars even when default. */
function valuePut(f: FieldDesc, tag: number, force: boolean): Put {
  switch (f.kind) {
    case K.SCALAR: {
      const put = scalarPut(f.scalar);
      const k = f.scalar;
      if (force) {
        return (w, v) => {
          w.varint32(tag);
          put(w, v);
        };
      }
      return (w, v) => {
        if (isDefaultScalar(k, v)) return;
        w.varint32(tag);
        put(w, v);
      };
    }
    case K.ENUM: {
      const e = f.enumDesc as EnumDesc;
      return (w, v) => {
        const n = enumNumber(e, v);
        if (!force && n === 0) return;
        w.varint32(tag);
        w.int32(n);
      };
    }
    case K.WRAPPER: {
      const put = scalarPut(f.scalar);
      const k = f.scalar;
      const innerTag = (1 << 3) | wireTypeOf(K.SCALAR, k);
      return (w, v) => {
        if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) v = (v as { value?: unknown }).value;
        w.varint32(tag);
        const mark = w.fork();
        if (v !== undefined && v !== null && !isDefaultScalar(k, v)) {
          w.byte(innerTag);
          put(w, v);
        }
        w.ldelim(mark);
      };
    }
    case K.DURATION:
      return (w, v) => {
        w.varint32(tag);
        const mark = w.fork();
        putDurationBody(w, v);
        w.ldelim(mark);
      };
    case K.ANY:
      return (w, v) => {
        w.varint32(tag);
        const mark = w.fork();
        putAnyBody(w, v as Obj);
        w.ldelim(mark);
      };
    default: {
      const sub = lazyMessage(f.msgName);
      return (w, v) => {
        w.varint32(tag);
        const mark = w.fork();
        sub(w, (v ?? {}) as Obj);
        w.ldelim(mark);
      };
    }
  }
}

function putAnyBody(w: ByteWriter, o: Obj): void {
  if (o === null || typeof o !== 'object') throw new CodecError('cannot encode a non-object as google.protobuf.Any');
  const url = o['@type'];
  if (typeof url !== 'string' || url === '') throw new CodecError('Any without "@type"');
  const d = resolveTypeUrl(url);
  w.byte(10);
  w.lenString(url);
  w.byte(18);
  const mark = w.fork();
  if (d.selfKind === K.ANY) putAnyBody(w, o.value as Obj); // an Any packed in an Any
  else messagePut(d)(w, o);
  w.ldelim(mark);
}

function fieldPut(f: FieldDesc): Put {
  if (f.map) {
    const keyTag = (1 << 3) | wireTypeOf(K.SCALAR, f.keyScalar);
    const putKey = scalarPut(f.keyScalar);
    const keyKind = f.keyScalar;
    const putValue = valuePut(f, (2 << 3) | wireTypeOf(f.kind, f.scalar), true);
    const dflt = f.kind === K.MESSAGE ? {} : f.kind === K.ENUM ? 0 : scalarDefault(f.scalar);
    const tag = (f.number << 3) | 2;
    return (w, v) => {
      const obj = v instanceof Map ? Object.fromEntries(v) : (v as Obj);
      for (const key of Object.keys(obj)) {
        w.varint32(tag);
        const mark = w.fork();
        w.byte(keyTag);
        putKey(w, keyKind === S.BOOL ? key === 'true' : key);
        const value = obj[key];
        putValue(w, value === undefined || value === null ? dflt : value);
        w.ldelim(mark);
      }
    };
  }
  if (f.repeated) {
    if ((f.kind === K.SCALAR && isNumericKind(f.scalar)) || f.kind === K.ENUM) {
      // proto3 packs repeated numeric fields
      const e = f.enumDesc;
      const put: Put = e ? (w, v) => w.int32(enumNumber(e, v)) : scalarPut(f.scalar);
      const tag = (f.number << 3) | 2;
      return (w, v) => {
        const list = v as unknown[];
        if (list.length === 0) return;
        w.varint32(tag);
        const mark = w.fork();
        for (const x of list) put(w, x ?? 0);
        w.ldelim(mark);
      };
    }
    const put = valuePut(f, (f.number << 3) | wireTypeOf(f.kind, f.scalar), true);
    const dflt = f.kind === K.SCALAR || f.kind === K.WRAPPER ? scalarDefault(f.scalar) : {};
    return (w, v) => {
      if (!Array.isArray(v)) throw new CodecError(`repeated field ${f.owner}.${f.name} is not an array`);
      for (const x of v) put(w, x ?? dflt);
    };
  }
  return valuePut(f, (f.number << 3) | wireTypeOf(f.kind, f.scalar), f.oneof !== null);
}

function messagePut(d: MessageDesc): MsgPut {
  const cached = d.cache.protoEnc as MsgPut | undefined;
  if (cached) return cached;
  let put: MsgPut;
  if (d.selfKind === K.WRAPPER) {
    const inner = valuePut(d.fields[0], (1 << 3) | wireTypeOf(K.SCALAR, d.wrapperScalar), false);
    put = (w, o) => {
      const v = o.value;
      if (v !== undefined && v !== null) inner(w, v);
    };
  } else if (d.selfKind === K.DURATION) {
    put = (w, o) => {
      if (o.value !== undefined && o.value !== null) putDurationBody(w, o.value);
    };
  } else if (d.selfKind === K.ANY) {
    put = putAnyBody;
  } else {
    const fields = d.byNumberOrder;
    const n = fields.length;
    const names = fields.map((f) => f.name);
    const puts = fields.map(fieldPut);
    put = (w, o) => {
      for (let i = 0; i < n; i++) {
        const v = o[names[i]];
        if (v !== undefined && v !== null) puts[i](w, v);
      }
    };
  }
  d.cache.protoEnc = put;
  return put;
}

/** Protobuf binary of a wire object of message type `typeName`. */
export function encodeProto(typeName: string, obj: object): Buffer {
  const d = messageDesc(typeName);
  if (obj === null || typeof obj !== 'object') throw new CodecError(`cannot encode ${typeof obj} as ${d.fullName}`);
  const put = messagePut(d);
  return withWriter((w) => {
    put(w, obj as Obj);
    return w.finish();
  });
}
