/**
 * JSON value (already JSON.parse'd) → wire object, with golang jsonpb (v1.5.4) Unmarshaler
 * semantics as polaris-server v1.18.1 used them (AllowUnknownFields false):
 * both the proto field name and the json_name are accepted (json_name wins when both are given),
 * null = absent, wrappers take the bare value, 64-bit integers accept numbers and strings (decoded to
 * decimal strings), 32-bit numbers may be quoted, enums take name or number (decoded to the name),
 * unknown fields are rejected (`unknown field "x" in v1.Namespace`), Any is resolved by "@type"
 * (legacy "…/v2.X" read as v1.X), Duration takes Go duration text.
 */
import { CodecError } from './codec-error.js';
import { K, messageDesc, normalizeTypeUrl, plainObjectConstructor, resolveTypeUrl, type EnumDesc, type FieldDesc, type MessageDesc } from './schema.js';
import {
  S, formatDuration, is64, isFloat, parseGoDuration, readBytes, readFloat, readInt32, readInt64,
  scalarDefault, typeMismatch, type ScalarKind,
} from './scalars.js';

type Dec = (v: unknown) => unknown;
type MsgDec = (v: unknown) => Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

function scalarDecoder(k: ScalarKind): Dec {
  if (k === S.STRING) {
    return (v) => {
      if (typeof v === 'string') return v;
      throw typeMismatch(v, 'string');
    };
  }
  if (k === S.BOOL) {
    return (v) => {
      if (typeof v === 'boolean') return v;
      throw typeMismatch(v, 'bool');
    };
  }
  if (k === S.BYTES) return readBytes;
  if (is64(k)) return (v) => readInt64(v, k);
  if (isFloat(k)) return (v) => readFloat(v, k);
  return (v) => readInt32(v, k);
}

function enumDecoder(e: EnumDesc): Dec {
  return (v) => {
    if (typeof v === 'string') {
      if (e.byName.has(v)) return v;
      throw new CodecError(`unknown value ${JSON.stringify(JSON.stringify(v))} for enum ${e.fullName}`);
    }
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw typeMismatch(v, 'protoreflect.EnumNumber');
      return e.byNumber.get(v) ?? v;
    }
    throw typeMismatch(v, 'protoreflect.EnumNumber');
  };
}

function lazyMessage(name: string): MsgDec {
  let dec: MsgDec | undefined;
  return (v) => (dec ??= messageDecoder(messageDesc(name)))(v);
}

function durationDecoder(v: unknown): string {
  if (typeof v !== 'string') throw typeMismatch(v, 'string');
  const d = parseGoDuration(v);
  return formatDuration(d.seconds, d.nanos);
}

/**
 * Decoder of one value of the field's kind. `null` (possible for list elements and map values)
 * yields the kind's default, as golang's decoder does.
 */
function elementDecoder(f: FieldDesc): Dec {
  switch (f.kind) {
    case K.SCALAR: {
      const dec = scalarDecoder(f.scalar);
      const dflt = scalarDefault(f.scalar);
      return (v) => (v === null ? dflt : dec(v));
    }
    case K.ENUM: {
      const e = f.enumDesc as EnumDesc;
      const dec = enumDecoder(e);
      return (v) => (v === null ? e.zero : dec(v));
    }
    case K.WRAPPER: {
      const dec = scalarDecoder(f.scalar);
      const dflt = scalarDefault(f.scalar);
      return (v) => (v === null ? dflt : dec(v));
    }
    case K.ANY:
      return (v) => (v === null ? {} : decodeAny(v));
    case K.DURATION:
      return (v) => (v === null ? '0s' : durationDecoder(v));
    default: {
      const dec = lazyMessage(f.msgName);
      return (v) => dec(v);
    }
  }
}

function mapKeyDecoder(k: ScalarKind): (key: string) => string {
  if (k === S.STRING) return (key) => key;
  if (k === S.BOOL) {
    return (key) => {
      if (key === 'true' || key === 'false') return key;
      throw new CodecError(`invalid character '${key[0] ?? ''}' looking for beginning of value`);
    };
  }
  if (is64(k)) return (key) => readInt64(key, k);
  return (key) => String(readInt32(key, k));
}

function fieldDecoder(f: FieldDesc): Dec {
  const elem = elementDecoder(f);
  if (f.map) {
    const keyDec = mapKeyDecoder(f.keyScalar);
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw typeMismatch(v, 'map[string]json.RawMessage');
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const k = keyDec(key);
        const value = elem((v as Record<string, unknown>)[key]);
        if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
        else out[k] = value;
      }
      return out;
    };
  }
  if (f.repeated) {
    return (v) => {
      if (!Array.isArray(v)) throw typeMismatch(v, '[]json.RawMessage');
      const n = v.length;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = elem(v[i]);
      return out;
    };
  }
  return elem;
}

function messageDecoder(d: MessageDesc): MsgDec {
  const cached = d.cache.jsonDec as MsgDec | undefined;
  if (cached) return cached;
  let dec: MsgDec;
  if (d.selfKind === K.WRAPPER) {
    const inner = scalarDecoder(d.wrapperScalar);
    const dflt = scalarDefault(d.wrapperScalar);
    dec = (v) => ({ value: v === null ? dflt : inner(v) });
  } else if (d.selfKind === K.DURATION) {
    dec = (v) => ({ value: v === null ? '0s' : durationDecoder(v) });
  } else if (d.selfKind === K.ANY) {
    dec = (v) => (v === null ? {} : decodeAny(v));
  } else {
    // input key (proto name or json_name) → [field, decoder]
    const byKey = new Map<string, [FieldDesc, Dec]>();
    const entries = new Map<FieldDesc, [FieldDesc, Dec]>();
    for (const f of d.fields) entries.set(f, [f, fieldDecoder(f)]);
    for (const [key, f] of d.byKey) byKey.set(key, entries.get(f) as [FieldDesc, Dec]);
    const fullName = d.fullName;
    const Out = plainObjectConstructor();
    dec = (v) => {
      if (v === null) return new Out();
      if (typeof v !== 'object' || Array.isArray(v)) throw typeMismatch(v, 'map[string]json.RawMessage');
      const input = v as Record<string, unknown>;
      const out = new Out();
      let unknown: string | undefined;
      for (const key in input) {
        if (!hasOwn.call(input, key)) continue;
        const entry = byKey.get(key);
        if (entry === undefined) {
          unknown ??= key;
          continue;
        }
        const f = entry[0];
        // When both spellings are present the json_name one wins (golang reads it last).
        if (key !== f.jsonName && hasOwn.call(input, f.jsonName)) continue;
        const raw = input[key];
        if (raw === null || raw === undefined) continue;
        out[f.name] = entry[1](raw);
      }
      if (unknown !== undefined) throw new CodecError(`unknown field ${JSON.stringify(unknown)} in ${fullName}`);
      return out;
    };
  }
  d.cache.jsonDec = dec;
  return dec;
}

function decodeAny(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw typeMismatch(v, 'map[string]*json.RawMessage');
  const o = v as Record<string, unknown>;
  if (!hasOwn.call(o, '@type')) throw new CodecError("Any JSON doesn't have '@type'");
  const url = o['@type'];
  if (typeof url !== 'string') throw new CodecError(`can't unmarshal Any's '@type': ${JSON.stringify(JSON.stringify(url))}`);
  const d = resolveTypeUrl(url);
  const typeUrl = normalizeTypeUrl(url);
  try {
    if (d.selfKind !== K.MESSAGE) {
      if (!hasOwn.call(o, 'value')) throw new CodecError("Any JSON doesn't have 'value'");
      if (d.selfKind === K.ANY) return { '@type': typeUrl, value: decodeAny(o.value) };
      return { '@type': typeUrl, ...messageDecoder(d)(o.value) };
    }
    const rest: Record<string, unknown> = {};
    for (const key in o) if (key !== '@type' && hasOwn.call(o, key)) rest[key] = o[key];
    return { '@type': typeUrl, ...messageDecoder(d)(rest) };
  } catch (err) {
    if (err instanceof CodecError && err.message === "Any JSON doesn't have 'value'") throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new CodecError(`can't unmarshal Any nested proto ${url}: ${msg}`, { cause: err });
  }
}

/** Decodes one JSON value (already parsed) of message type `typeName` into a wire object. */
export function decodeJson<T extends object = Record<string, unknown>>(typeName: string, input: unknown): T {
  return messageDecoder(messageDesc(typeName))(input) as T;
}

/** Decodes a JSON array of messages of type `typeName` (batch request bodies). */
export function decodeJsonArray<T extends object = Record<string, unknown>>(typeName: string, input: unknown): T[] {
  if (!Array.isArray(input)) throw new CodecError('expected a JSON array');
  const dec = messageDecoder(messageDesc(typeName));
  const n = input.length;
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = dec(input[i]) as T;
  return out;
}
