/**
 * Protobuf binary → wire object. Wrappers are unwrapped, Any is unpacked by its type URL
 * (legacy "…/v2.X" read as v1.X), Duration becomes its Go jsonpb text, 64-bit integers decimal
 * strings, enums their names. Uses protobufjs' Reader for the primitives; each message type is
 * compiled once into an array of per-field readers indexed by field number. Malformed input throws
 * CodecError.
 */
import protobuf from 'protobufjs';
import { CodecError } from './codec-error.js';
import { K, messageDesc, normalizeTypeUrl, plainObjectConstructor, resolveTypeUrl, type EnumDesc, type FieldDesc, type MessageDesc } from './schema.js';
import { S, formatDuration, isNumericKind, scalarDefault, type ScalarKind } from './scalars.js';
import { wireTypeOf } from './proto-encode.js';

type Reader = protobuf.Reader;
type Obj = Record<string, unknown>;
type MsgRead = (r: Reader, end: number) => Obj;

const { Reader } = protobuf;

function longString(x: unknown): string {
  return typeof x === 'number' ? String(x) : (x as { toString(): string }).toString();
}

function scalarReader(k: ScalarKind): (r: Reader) => unknown {
  switch (k) {
    case S.DOUBLE: return (r) => r.double();
    case S.FLOAT: return (r) => r.float();
    case S.INT32: return (r) => r.int32();
    case S.UINT32: return (r) => r.uint32();
    case S.SINT32: return (r) => r.sint32();
    case S.FIXED32: return (r) => r.fixed32();
    case S.SFIXED32: return (r) => r.sfixed32();
    case S.INT64: return (r) => longString(r.int64());
    case S.UINT64: return (r) => longString(r.uint64());
    case S.SINT64: return (r) => longString(r.sint64());
    case S.FIXED64: return (r) => longString(r.fixed64());
    case S.SFIXED64: return (r) => longString(r.sfixed64());
    case S.BOOL: return (r) => r.bool();
    case S.STRING: return (r) => r.string();
    default: return (r) => { const b = r.bytes(); return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'); };
  }
}

function malformed(what: string): CodecError {
  return new CodecError(`proto: cannot parse invalid wire-format data (${what})`);
}

function lazyReader(name: string): MsgRead {
  let dec: MsgRead | undefined;
  return (r, end) => (dec ??= messageReader(messageDesc(name)))(r, end);
}

function subEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw malformed('length out of range');
  return end;
}

const wrapperBodyReaders = new Map<ScalarKind, (r: Reader, end: number) => unknown>();

/** Reader of the bare value of a wrapper message of inner kind `k` occupying r.pos..end. */
function wrapperBodyReader(k: ScalarKind): (r: Reader, end: number) => unknown {
  let body = wrapperBodyReaders.get(k);
  if (body) return body;
  const read = scalarReader(k);
  const valueTag = (1 << 3) | wireTypeOf(K.SCALAR, k);
  const dflt = scalarDefault(k);
  body = (r, end) => {
    let value: unknown;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === valueTag) value = read(r);
      else skipField(r, tag);
    }
    if (r.pos !== end) throw malformed('wrapper overrun');
    return value !== undefined ? value : dflt;
  };
  wrapperBodyReaders.set(k, body);
  return body;
}

/** The text ("1.500s") of a Duration message occupying r.pos..end. */
function readDurationBody(r: Reader, end: number): string {
  let seconds = '0';
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) seconds = longString(r.int64());
    else if (tag === 16) nanos = r.int32();
    else skipField(r, tag);
  }
  if (r.pos !== end) throw malformed('duration overrun');
  try {
    return formatDuration(BigInt(seconds), nanos);
  } catch (err) {
    throw malformed(err instanceof Error ? err.message : String(err));
  }
}

/** Reader of one value of the field's kind whose tag (with wire type `wt`) was just read. */
function valueReader(f: FieldDesc): (r: Reader) => unknown {
  switch (f.kind) {
    case K.SCALAR:
      return scalarReader(f.scalar);
    case K.ENUM: {
      const e = f.enumDesc as EnumDesc;
      return (r) => {
        const n = r.int32();
        return e.byNumber.get(n) ?? n;
      };
    }
    case K.WRAPPER: {
      const body = wrapperBodyReader(f.scalar);
      return (r) => body(r, subEnd(r));
    }
    case K.DURATION:
      return (r) => readDurationBody(r, subEnd(r));
    case K.ANY:
      return (r) => readAnyBody(r, subEnd(r));
    default: {
      const sub = lazyReader(f.msgName);
      return (r) => sub(r, subEnd(r));
    }
  }
}

function readAnyBody(r: Reader, end: number): Obj {
  let url = '';
  let start = -1;
  let stop = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) url = r.string();
    else if (tag === 18) {
      stop = subEnd(r);
      start = r.pos;
      r.pos = stop;
    } else skipField(r, tag);
  }
  if (r.pos !== end) throw malformed('Any overrun');
  if (url === '') return {};
  const d = resolveTypeUrl(url);
  const head: Obj = { '@type': normalizeTypeUrl(url) };
  if (start < 0) return Object.assign(head, messageReader(d)(Reader.create(new Uint8Array(0)), 0));
  const save = r.pos;
  r.pos = start;
  const inner = messageReader(d)(r, stop);
  r.pos = save;
  if (d.selfKind === K.ANY) head.value = inner; // an Any packed in an Any
  else Object.assign(head, inner);
  return head;
}

function skipField(r: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw malformed('illegal tag 0');
  r.skipType(tag & 7);
}

function fieldReader(f: FieldDesc): (r: Reader, wt: number, o: Obj) => void {
  const name = f.name;
  const wt0 = wireTypeOf(f.kind, f.scalar);
  if (f.map) {
    const keyRead = scalarReader(f.keyScalar);
    const keyTag = (1 << 3) | wireTypeOf(K.SCALAR, f.keyScalar);
    const valRead = valueReader(f);
    const valTag = (2 << 3) | wt0;
    return (r, wt, o) => {
      if (wt !== 2) throw malformed(`wire type ${wt} for map field ${f.owner}.${name}`);
      const end = subEnd(r);
      let key: unknown = f.keyScalar === S.BOOL ? false : scalarDefault(f.keyScalar);
      let value: unknown;
      while (r.pos < end) {
        const tag = r.uint32();
        if (tag === keyTag) key = keyRead(r);
        else if (tag === valTag) value = valRead(r);
        else skipField(r, tag);
      }
      if (r.pos !== end) throw malformed('map entry overrun');
      if (value === undefined) value = f.kind === K.MESSAGE ? {} : f.kind === K.ENUM ? (f.enumDesc as EnumDesc).zero : scalarDefault(f.scalar);
      const m = (o[name] ??= {}) as Obj;
      const k = String(key);
      if (k === '__proto__') Object.defineProperty(m, k, { value, enumerable: true, writable: true, configurable: true });
      else m[k] = value;
    };
  }
  const read = valueReader(f);
  if (f.repeated) {
    const packable = (f.kind === K.SCALAR && isNumericKind(f.scalar)) || f.kind === K.ENUM;
    return (r, wt, o) => {
      const list = (o[name] ??= []) as unknown[];
      if (packable && wt === 2) {
        const end = subEnd(r);
        while (r.pos < end) list.push(read(r));
        if (r.pos !== end) throw malformed('packed field overrun');
      } else if (wt === wt0) list.push(read(r));
      else throw malformed(`wire type ${wt} for field ${f.owner}.${name}`);
    };
  }
  return (r, wt, o) => {
    if (wt !== wt0) throw malformed(`wire type ${wt} for field ${f.owner}.${name}`);
    o[name] = read(r);
  };
}

function messageReader(d: MessageDesc): MsgRead {
  const cached = d.cache.protoDec as MsgRead | undefined;
  if (cached) return cached;
  let dec: MsgRead;
  if (d.selfKind === K.WRAPPER) {
    const body = wrapperBodyReader(d.wrapperScalar);
    dec = (r, end) => ({ value: body(r, end) });
  } else if (d.selfKind === K.DURATION) {
    dec = (r, end) => ({ value: readDurationBody(r, end) });
  } else if (d.selfKind === K.ANY) {
    dec = (r, end) => readAnyBody(r, end);
  } else {
    const readers: ((r: Reader, wt: number, o: Obj) => void)[] = [];
    for (const f of d.fields) readers[f.number] = fieldReader(f);
    const Out = plainObjectConstructor();
    dec = (r, end) => {
      const o = new Out();
      while (r.pos < end) {
        const tag = r.uint32();
        const num = tag >>> 3;
        const fr = readers[num];
        if (fr !== undefined) fr(r, tag & 7, o);
        else skipField(r, tag);
      }
      if (r.pos !== end) throw malformed('message overrun');
      return o;
    };
  }
  d.cache.protoDec = dec;
  return dec;
}

/** Decodes protobuf binary of message type `typeName` into a wire object. */
export function decodeProto<T extends object = Record<string, unknown>>(typeName: string, buf: Uint8Array): T {
  const dec = messageReader(messageDesc(typeName));
  const r = Reader.create(buf);
  try {
    return dec(r, r.len) as T;
  } catch (err) {
    if (err instanceof CodecError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new CodecError(`proto: cannot parse invalid wire-format data (${msg})`, { cause: err });
  }
}
