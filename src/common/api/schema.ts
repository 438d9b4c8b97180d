/**
 * Compiled message descriptors of the wire codec. Each protobuf message type is turned once (on
 * first use, cached by full name) into a plain descriptor with arrays of field descriptors, so the
 * encoders/decoders never do reflection lookups by name per call.
 */
import protobuf from 'protobufjs';
import { protoRoot } from './protos.js';
import { CodecError } from './codec-error.js';
import { S, SCALAR_BY_NAME, type ScalarKind } from './scalars.js';

/** What a field (or a map value / list element) holds. */
export const K = {
  SCALAR: 1,
  ENUM: 2,
  MESSAGE: 3,
  /** google.protobuf.*Value: the bare inner value on the wire-object side */
  WRAPPER: 4,
  /** google.protobuf.Any: `{ '@type': url, ...fields of the packed message }` */
  ANY: 5,
  /** google.protobuf.Duration: a string such as "1.500s" */
  DURATION: 6,
} as const;
export type ValueKind = (typeof K)[keyof typeof K];

export interface EnumDesc {
  fullName: string;
  byName: Map<string, number>;
  byNumber: Map<number, string>;
  /** name of value 0 (the default), or 0 when the enum has no such value */
  zero: string | number;
}

export interface FieldDesc {
  name: string;
  jsonName: string;
  number: number;
  repeated: boolean;
  map: boolean;
  /** key kind of a map field */
  keyScalar: ScalarKind;
  /** kind of the value (singular value, list element or map value) */
  kind: ValueKind;
  /** scalar kind for SCALAR, inner kind for WRAPPER, INT32 for ENUM */
  scalar: ScalarKind;
  enumDesc: EnumDesc | null;
  /** full name of the value's message type (MESSAGE, WRAPPER, ANY, DURATION); looked up lazily */
  msgName: string;
  /** name of the (real or synthetic) oneof this field belongs to */
  oneof: string | null;
  /** the owning message's full name */
  owner: string;
}

export interface MessageDesc {
  fullName: string;
  /** declaration order (JSON output order) */
  fields: FieldDesc[];
  /** field-number order (binary output order) */
  byNumberOrder: FieldDesc[];
  /** proto name and json name → field (JSON input) */
  byKey: Map<string, FieldDesc>;
  /** kind of the message itself: MESSAGE, or WRAPPER/ANY/DURATION for the google types */
  selfKind: ValueKind;
  /** inner scalar kind when selfKind is WRAPPER */
  wrapperScalar: ScalarKind;
  /** per-codec compiled closures, filled lazily by the codec modules */
  cache: Record<string, unknown>;
}

const WRAPPERS: Record<string, ScalarKind> = {
  'google.protobuf.DoubleValue': S.DOUBLE,
  'google.protobuf.FloatValue': S.FLOAT,
  'google.protobuf.Int64Value': S.INT64,
  'google.protobuf.UInt64Value': S.UINT64,
  'google.protobuf.Int32Value': S.INT32,
  'google.protobuf.UInt32Value': S.UINT32,
  'google.protobuf.BoolValue': S.BOOL,
  'google.protobuf.StringValue': S.STRING,
  'google.protobuf.BytesValue': S.BYTES,
};
const ANY = 'google.protobuf.Any';
const DURATION = 'google.protobuf.Duration';

const strip = (n: string): string => (n.charCodeAt(0) === 46 /* . */ ? n.slice(1) : n);

/** protoc's default JSON name: drop '_' and upper-case the following character. */
export function protocJsonName(name: string): string {
  let out = '';
  let up = false;
  for (const ch of name) {
    if (ch === '_') up = true;
    else if (up) {
      out += ch.toUpperCase();
      up = false;
    } else out += ch;
  }
  return out;
}

const enumCache = new Map<string, EnumDesc>();

function compileEnum(e: protobuf.Enum): EnumDesc {
  const fullName = strip(e.fullName);
  let d = enumCache.get(fullName);
  if (d) return d;
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [name, num] of Object.entries(e.values)) {
    byName.set(name, num);
    if (!byNumber.has(num)) byNumber.set(num, name);
  }
  d = { fullName, byName, byNumber, zero: byNumber.get(0) ?? 0 };
  enumCache.set(fullName, d);
  return d;
}

function valueKindOf(t: protobuf.Type | protobuf.Enum | null, typeName: string): {
  kind: ValueKind;
  scalar: ScalarKind;
  enumDesc: EnumDesc | null;
  msgName: string;
} {
  if (!t) {
    const scalar = SCALAR_BY_NAME[typeName];
    if (scalar === undefined) throw new Error(`unresolved field type ${typeName}`);
    return { kind: K.SCALAR, scalar, enumDesc: null, msgName: '' };
  }
  const full = strip(t.fullName);
  if (t instanceof protobuf.Enum) {
    return { kind: K.ENUM, scalar: S.INT32, enumDesc: compileEnum(t), msgName: '' };
  }
  const w = WRAPPERS[full];
  if (w !== undefined) return { kind: K.WRAPPER, scalar: w, enumDesc: null, msgName: full };
  if (full === ANY) return { kind: K.ANY, scalar: S.BYTES, enumDesc: null, msgName: full };
  if (full === DURATION) return { kind: K.DURATION, scalar: S.INT64, enumDesc: null, msgName: full };
  return { kind: K.MESSAGE, scalar: S.BYTES, enumDesc: null, msgName: full };
}

const messageCache = new Map<string, MessageDesc>();

function compileMessage(t: protobuf.Type): MessageDesc {
  const fullName = strip(t.fullName);
  const fields: FieldDesc[] = [];
  for (const f of t.fieldsArray) {
    f.resolve();
    const opts = (f.options ?? {}) as Record<string, unknown>;
    const v = valueKindOf((f.resolvedType as protobuf.Type | protobuf.Enum | null) ?? null, f.type);
    const mf = f as unknown as protobuf.MapField;
    fields.push({
      name: f.name,
      jsonName: typeof opts.json_name === 'string' ? opts.json_name : protocJsonName(f.name),
      number: f.id,
      repeated: f.repeated && !f.map,
      map: Boolean(f.map),
      keyScalar: f.map ? SCALAR_BY_NAME[mf.keyType] : S.STRING,
      kind: v.kind,
      scalar: v.scalar,
      enumDesc: v.enumDesc,
      msgName: v.msgName,
      oneof: f.partOf ? f.partOf.name : null,
      owner: fullName,
    });
  }
  const byKey = new Map<string, FieldDesc>();
  for (const f of fields) byKey.set(f.name, f);
  for (const f of fields) if (!byKey.has(f.jsonName)) byKey.set(f.jsonName, f);
  const self = valueKindOf(t, fullName);
  return {
    fullName,
    fields,
    byNumberOrder: [...fields].sort((a, b) => a.number - b.number),
    byKey,
    selfKind: self.kind === K.MESSAGE ? K.MESSAGE : self.kind,
    wrapperScalar: self.kind === K.WRAPPER ? self.scalar : S.STRING,
    cache: {},
  };
}

/** The compiled descriptor of a message type ('v1.Instance' or '.v1.Instance'). */
export function messageDesc(typeName: string): MessageDesc {
  let d = messageCache.get(typeName);
  if (d) return d;
  const full = strip(typeName);
  d = messageCache.get(full);
  if (!d) {
    let t: protobuf.Type;
    try {
      t = protoRoot().lookupType(full);
    } catch {
      throw new CodecError(`unknown message type ${full}`);
    }
    d = compileMessage(t);
    messageCache.set(full, d);
  }
  messageCache.set(typeName, d);
  return d;
}

const typeUrlCache = new Map<string, MessageDesc>();

/**
 * The message type named by an Any type URL (the part after the last '/'). The legacy
 * `.../v2.X` names of polaris' v2 console API are read as `v1.X`.
 */
export function resolveTypeUrl(url: string): MessageDesc {
  let d = typeUrlCache.get(url);
  if (d) return d;
  let name = url.slice(url.lastIndexOf('/') + 1);
  if (name.startsWith('v2.')) name = 'v1.' + name.slice(3);
  try {
    d = messageDesc(name);
  } catch {
    throw new CodecError(`could not resolve Any message type: ${url}`);
  }
  typeUrlCache.set(url, d);
  return d;
}

/** The canonical URL of a type URL (legacy `v2.` names rewritten to `v1.`). */
export function normalizeTypeUrl(url: string): string {
  const i = url.lastIndexOf('/') + 1;
  return url.startsWith('v2.', i) ? url.slice(0, i) + 'v1.' + url.slice(i + 3) : url;
}


/**
 * A constructor of plain objects for one message type. Objects made with `new C()` are ordinary
 * `{}` objects (prototype Object.prototype), but V8 tracks in-object slack per constructor, so
 * properties added afterwards land in-object instead of in a growing backing store. Decoding
 * thousands of instances is noticeably faster this way.
 */
export function plainObjectConstructor(): new () => Record<string, unknown> {
  const C = function PlainObject(): void {} as unknown as { prototype: object };
  C.prototype = Object.prototype;
  return C as unknown as new () => Record<string, unknown>;
}
