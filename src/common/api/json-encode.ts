/**
 * Wire object → JSON, exactly as golang jsonpb (v1.5.4) with EmitDefaults writes it (compact):
 * json_name keys in declaration order, every field present (unset message/wrapper → null,
 * repeated → [], map → {} with sorted keys, scalars → 0/""/false, enums → name of value 0),
 * 64-bit integers quoted, wrappers bare, Any as {"@type": …, …fields}, Duration as "1.500s",
 * strings HTML-escaped like Go's encoding/json.
 *
 * Each message type is compiled once per field set (field-sets.ts) into a closure over arrays of
 * per-field writers, which write straight into a shared byte buffer (see byte-writer.ts). A field
 * set only changes which fields are compiled in, so it costs nothing per answer.
 */
import { ByteWriter, withWriter } from './byte-writer.js';
import { CodecError } from './codec-error.js';
import { ALL_FIELDS, type JsonFieldSet } from './field-sets.js';
import { K, messageDesc, resolveTypeUrl, type EnumDesc, type FieldDesc, type MessageDesc } from './schema.js';
import {
  S, goString, int64String, is64, isFloat, jsonBytes, jsonFloat, jsonInt32, normalizeDuration,
  type ScalarKind,
} from './scalars.js';

type Put = (w: ByteWriter, v: unknown) => void;
type Obj = Record<string, unknown>;
type MsgPut = (w: ByteWriter, o: Obj) => void;

const EMPTY: Obj = Object.freeze({}) as Obj;
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');
const EMPTY_ARRAY = ascii('[]');
const EMPTY_OBJECT = ascii('{}');

function wrongType(what: string, v: unknown): CodecError {
  return new CodecError(`cannot encode ${v === null ? 'null' : typeof v} as ${what}`);
}

/** A JSON string literal; short plain-ASCII strings are copied byte by byte. */
export function putString(w: ByteWriter, s: string): void {
  const n = s.length;
  if (n < 64) {
    w.ensure(n + 2);
    const buf = w.buf;
    const start = w.pos;
    let p = start;
    buf[p++] = 0x22;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      // control chars, '"', '\\', '<', '>', '&' and non-ASCII take the slow path
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) break;
      buf[p++] = c;
    }
    if (i === n) {
      buf[p++] = 0x22;
      w.pos = p;
      return;
    }
  }
  w.utf8(goString(s));
}

function scalarPut(k: ScalarKind): Put {
  if (k === S.STRING) {
    return (w, v) => {
      if (typeof v !== 'string') throw wrongType('string', v);
      putString(w, v);
    };
  }
  if (k === S.BOOL) {
    return (w, v) => {
      if (v === true) w.bytes(TRUE);
      else if (v === false) w.bytes(FALSE);
      else throw wrongType('bool', v);
    };
  }
  if (k === S.BYTES) return (w, v) => w.ascii7(jsonBytes(v));
  if (is64(k)) {
    return (w, v) => {
      w.byte(0x22);
      w.ascii7(int64String(v));
      w.byte(0x22);
    };
  }
  if (isFloat(k)) {
    const single = k === S.FLOAT;
    return (w, v) => w.ascii7(jsonFloat(v, single));
  }
  return (w, v) => {
    if (typeof v === 'number' && (v | 0) === v && v >= 0) w.decimal(v);
    else w.ascii7(jsonInt32(v));
  };
}

function scalarDefaultJson(k: ScalarKind): Buffer {
  if (k === S.STRING || k === S.BYTES) return ascii('""');
  if (k === S.BOOL) return FALSE;
  if (is64(k)) return ascii('"0"');
  return ascii('0');
}

function enumPut(e: EnumDesc): Put {
  const names = new Map<string, Buffer>();
  for (const name of e.byName.keys()) names.set(name, ascii(`"${name}"`));
  return (w, v) => {
    if (typeof v === 'string') {
      const b = names.get(v);
      if (b === undefined) throw new CodecError(`unknown value "${v}" for enum ${e.fullName}`);
      w.bytes(b);
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      const name = e.byNumber.get(v);
      w.ascii7(name !== undefined ? `"${name}"` : '' + v);
    } else throw wrongType(`enum ${e.fullName}`, v);
  };
}

function enumDefaultJson(e: EnumDesc): Buffer {
  return ascii(typeof e.zero === 'string' ? `"${e.zero}"` : '0');
}

/** Lazily bound writer of a message type (types may refer to each other). */
function lazyMessage(name: string, fs: JsonFieldSet): MsgPut {
  let put: MsgPut | undefined;
  return (w, o) => (put ??= messagePut(messageDesc(name), fs))(w, o);
}

function wrapperPut(k: ScalarKind): Put {
  const inner = scalarPut(k);
  const dflt = scalarDefaultJson(k);
  return (w, v) => {
    if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) v = (v as { value?: unknown }).value;
    if (v === undefined || v === null) w.bytes(dflt);
    else inner(w, v);
  };
}

const durationPut: Put = (w, v) => {
  w.byte(0x22);
  w.ascii7(normalizeDuration(v));
  w.byte(0x22);
};

/** Writer of one value of the field's kind; absent values (list/map elements) write the default. */
function elementPut(f: FieldDesc, fs: JsonFieldSet): Put {
  switch (f.kind) {
    case K.SCALAR: {
      const put = scalarPut(f.scalar);
      const dflt = scalarDefaultJson(f.scalar);
      return (w, v) => (v === undefined || v === null ? w.bytes(dflt) : put(w, v));
    }
    case K.ENUM: {
      const put = enumPut(f.enumDesc as EnumDesc);
      const dflt = enumDefaultJson(f.enumDesc as EnumDesc);
      return (w, v) => (v === undefined || v === null ? w.bytes(dflt) : put(w, v));
    }
    case K.WRAPPER:
      return wrapperPut(f.scalar);
    case K.ANY: {
      const put = anyPut(fs);
      return (w, v) => (v === undefined || v === null ? w.bytes(EMPTY_OBJECT) : put(w, v));
    }
    case K.DURATION:
      return (w, v) => (v === undefined || v === null ? w.ascii7('"0s"') : durationPut(w, v));
    default: {
      const put = lazyMessage(f.msgName, fs);
      return (w, v) => put(w, (v === undefined || v === null ? EMPTY : v) as Obj);
    }
  }
}

function compareNumericKeys(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function fieldPut(f: FieldDesc, fs: JsonFieldSet): Put {
  const elem = elementPut(f, fs);
  if (f.map) {
    const numericKeys = f.keyScalar !== S.STRING && f.keyScalar !== S.BOOL;
    return (w, v) => {
      if (v === undefined || v === null) return w.bytes(EMPTY_OBJECT);
      let obj = v as Obj;
      if (v instanceof Map) obj = Object.fromEntries(v);
      else if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(`map field ${f.owner}.${f.name}`, v);
      const keys = Object.keys(obj);
      const n = keys.length;
      if (n === 0) return w.bytes(EMPTY_OBJECT);
      if (n > 1) {
        if (numericKeys) keys.sort(compareNumericKeys);
        else keys.sort();
      }
      for (let i = 0; i < n; i++) {
        w.byte(i === 0 ? 0x7b : 0x2c);
        putString(w, keys[i]);
        w.byte(0x3a);
        elem(w, obj[keys[i]]);
      }
      w.byte(0x7d);
    };
  }
  if (f.repeated) {
    return (w, v) => {
      if (v === undefined || v === null) return w.bytes(EMPTY_ARRAY);
      if (!Array.isArray(v)) throw wrongType(`repeated field ${f.owner}.${f.name}`, v);
      const n = v.length;
      if (n === 0) return w.bytes(EMPTY_ARRAY);
      for (let i = 0; i < n; i++) {
        w.byte(i === 0 ? 0x5b : 0x2c);
        elem(w, v[i]);
      }
      w.byte(0x5d);
    };
  }
  switch (f.kind) {
    case K.MESSAGE: {
      const put = lazyMessage(f.msgName, fs);
      return (w, v) => (v === undefined || v === null ? w.bytes(NULL) : put(w, v as Obj));
    }
    case K.WRAPPER:
      // fast paths for the wrappers nearly every naming message is made of
      if (f.scalar === S.STRING) {
        return (w, v) => {
          if (v === undefined || v === null) w.bytes(NULL);
          else if (typeof v === 'string') putString(w, v);
          else elem(w, v);
        };
      }
      if (f.scalar === S.UINT32 || f.scalar === S.INT32) {
        return (w, v) => {
          if (v === undefined || v === null) w.bytes(NULL);
          else if (typeof v === 'number' && (v | 0) === v && v >= 0) w.decimal(v);
          else elem(w, v);
        };
      }
      if (f.scalar === S.BOOL) {
        return (w, v) => {
          if (v === undefined || v === null) w.bytes(NULL);
          else if (v === true) w.bytes(TRUE);
          else if (v === false) w.bytes(FALSE);
          else elem(w, v);
        };
      }
      return (w, v) => (v === undefined || v === null ? w.bytes(NULL) : elem(w, v));
    case K.ANY:
    case K.DURATION:
      return (w, v) => (v === undefined || v === null ? w.bytes(NULL) : elem(w, v));
    default:
      return elem;
  }
}

/** Cache slot of a message's compiled writer for a field set. */
const cacheKey = (fs: JsonFieldSet): string => 'json:' + fs.name;

function messagePut(d: MessageDesc, fs: JsonFieldSet): MsgPut {
  const key = cacheKey(fs);
  const cached = d.cache[key] as MsgPut | undefined;
  if (cached) return cached;
  let put: MsgPut;
  if (d.selfKind === K.WRAPPER) {
    const one = wrapperPut(d.wrapperScalar);
    put = (w, o) => one(w, o.value);
  } else if (d.selfKind === K.DURATION) {
    put = (w, o) => (o.value === undefined || o.value === null ? w.ascii7('"0s"') : durationPut(w, o.value));
  } else if (d.selfKind === K.ANY) {
    put = anyPut(fs);
  } else {
    const omit = fs.omit.get(d.fullName);
    const fields = omit ? d.fields.filter((f) => !omit.has(f.name)) : d.fields;
    const n = fields.length;
    const names = fields.map((f) => f.name);
    const puts = fields.map((f) => fieldPut(f, fs));
    // '{"key":' for the first field, ',"key":' for the others
    const keyFirst = fields.map((f) => Buffer.from('{' + goString(f.jsonName) + ':', 'utf8'));
    const keyNext = fields.map((f) => Buffer.from(',' + goString(f.jsonName) + ':', 'utf8'));
    const inOneof = fields.map((f) => f.oneof !== null);
    if (n === 0) put = (w) => w.bytes(EMPTY_OBJECT);
    else if (!inOneof.some(Boolean)) {
      put = (w, o) => {
        w.bytes(keyFirst[0]);
        puts[0](w, o[names[0]]);
        for (let i = 1; i < n; i++) {
          w.bytes(keyNext[i]);
          puts[i](w, o[names[i]]);
        }
        w.byte(0x7d);
      };
    } else {
      // Unset oneof members are not emitted, even with EmitDefaults.
      put = (w, o) => {
        let first = true;
        for (let i = 0; i < n; i++) {
          const v = o[names[i]];
          if (inOneof[i] && (v === undefined || v === null)) continue;
          w.bytes(first ? keyFirst[i] : keyNext[i]);
          puts[i](w, v);
          first = false;
        }
        if (first) w.byte(0x7b);
        w.byte(0x7d);
      };
    }
  }
  d.cache[key] = put;
  return put;
}

const anyPuts = new Map<JsonFieldSet, Put>();

/** `{"@type": url, …fields}`; a packed well-known type is written as `{"@type": url, "value": …}`. */
function anyPut(fs: JsonFieldSet): Put {
  const cached = anyPuts.get(fs);
  if (cached) return cached;
  const put: Put = (w, v) => {
    if (typeof v !== 'object' || v === null) throw wrongType('google.protobuf.Any', v);
    const o = v as Obj;
    const url = o['@type'];
    if (typeof url !== 'string' || url === '') throw new CodecError('Any without "@type"');
    const d = resolveTypeUrl(url);
    w.ascii7('{"@type":');
    putString(w, url);
    if (d.selfKind !== K.MESSAGE) {
      w.ascii7(',"value":');
      if (d.selfKind === K.ANY) put(w, o.value); // an Any packed in an Any
      else messagePut(d, fs)(w, o);
      w.byte(0x7d);
      return;
    }
    const mark = w.pos;
    messagePut(d, fs)(w, o); // writes "{…}": turn its "{" into ","
    if (w.pos - mark === 2) w.pos = mark; // "{}": nothing but the type
    else w.buf[mark] = 0x2c;
    if (w.pos === mark) w.byte(0x7d);
  };
  anyPuts.set(fs, put);
  return put;
}

function check(d: MessageDesc, obj: unknown): Obj {
  if (obj === null || typeof obj !== 'object') throw wrongType(d.fullName, obj);
  return obj as Obj;
}

/**
 * JSON text (jsonpb EmitDefaults, compact) of a wire object of message type `typeName`, with the
 * fields of `fields` (default: every field).
 */
export function encodeJson(typeName: string, obj: object, fields: JsonFieldSet = ALL_FIELDS): string {
  const d = messageDesc(typeName);
  const put = messagePut(d, fields);
  const o = check(d, obj);
  return withWriter((w) => {
    put(w, o);
    return w.text();
  });
}

/** Same as encodeJson, as UTF-8 bytes (saves the string round trip for HTTP bodies). */
export function encodeJsonBuffer(typeName: string, obj: object, fields: JsonFieldSet = ALL_FIELDS): Buffer {
  const d = messageDesc(typeName);
  const put = messagePut(d, fields);
  const o = check(d, obj);
  return withWriter((w) => {
    put(w, o);
    return w.finish();
  });
}

/** JSON text of a list of wire objects of type `typeName`. */
export function encodeJsonArray(typeName: string, list: readonly object[], fields: JsonFieldSet = ALL_FIELDS): string {
  const d = messageDesc(typeName);
  const put = messagePut(d, fields);
  return withWriter((w) => {
    w.byte(0x5b);
    for (let i = 0; i < list.length; i++) {
      if (i > 0) w.byte(0x2c);
      put(w, check(d, list[i]));
    }
    w.byte(0x5d);
    return w.text();
  });
}
