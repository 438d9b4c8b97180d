/**
 * Scalar helpers of the wire codec: JSON text of scalars the way golang jsonpb (v1.5.4) writes
 * them, JSON input checks the way it reads them, 64-bit conversions and google.protobuf.Duration
 * text.
 */
import { CodecError } from './codec-error.js';

/** Scalar kinds (protobuf field types). */
export const S = {
  DOUBLE: 1,
  FLOAT: 2,
  INT32: 3,
  UINT32: 4,
  SINT32: 5,
  FIXED32: 6,
  SFIXED32: 7,
  INT64: 8,
  UINT64: 9,
  SINT64: 10,
  FIXED64: 11,
  SFIXED64: 12,
  BOOL: 13,
  STRING: 14,
  BYTES: 15,
} as const;
export type ScalarKind = (typeof S)[keyof typeof S];

export const SCALAR_BY_NAME: Record<string, ScalarKind> = {
  double: S.DOUBLE, float: S.FLOAT, int32: S.INT32, uint32: S.UINT32, sint32: S.SINT32,
  fixed32: S.FIXED32, sfixed32: S.SFIXED32, int64: S.INT64, uint64: S.UINT64, sint64: S.SINT64,
  fixed64: S.FIXED64, sfixed64: S.SFIXED64, bool: S.BOOL, string: S.STRING, bytes: S.BYTES,
};

/** Go type names used in golang's json error messages. */
export const GO_TYPE: Record<ScalarKind, string> = {
  [S.DOUBLE]: 'float64', [S.FLOAT]: 'float32', [S.INT32]: 'int32', [S.UINT32]: 'uint32',
  [S.SINT32]: 'int32', [S.FIXED32]: 'uint32', [S.SFIXED32]: 'int32', [S.INT64]: 'int64',
  [S.UINT64]: 'uint64', [S.SINT64]: 'int64', [S.FIXED64]: 'uint64', [S.SFIXED64]: 'int64',
  [S.BOOL]: 'bool', [S.STRING]: 'string', [S.BYTES]: '[]uint8',
};

export function is64(k: ScalarKind): boolean {
  return k === S.INT64 || k === S.UINT64 || k === S.SINT64 || k === S.FIXED64 || k === S.SFIXED64;
}
export function isUnsigned(k: ScalarKind): boolean {
  return k === S.UINT32 || k === S.FIXED32 || k === S.UINT64 || k === S.FIXED64;
}
export function isFloat(k: ScalarKind): boolean {
  return k === S.DOUBLE || k === S.FLOAT;
}
/** Packable numeric kinds (everything but string and bytes). */
export function isNumericKind(k: ScalarKind): boolean {
  return k !== S.STRING && k !== S.BYTES;
}

/** Wire default of a scalar kind in the wire-object convention. */
export function scalarDefault(k: ScalarKind): unknown {
  if (k === S.BOOL) return false;
  if (k === S.STRING || k === S.BYTES) return '';
  if (is64(k)) return '0';
  return 0;
}

// ---------------------------------------------------------------------------------------------
// JSON output

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_G = /[<>&\u2028\u2029]/g;
const HTML_ESC: Record<string, string> = {
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};
const htmlEsc = (c: string): string => HTML_ESC[c];

/** A JSON string literal escaped like Go's encoding/json (HTML-safe: <, >, & as \u00XX). */
export function goString(s: string): string {
  const j = JSON.stringify(s);
  return HTML_UNSAFE.test(j) ? j.replace(HTML_UNSAFE_G, htmlEsc) : j;
}

function badValue(kind: string, v: unknown): CodecError {
  return new CodecError(`cannot encode ${typeof v} ${String(v).slice(0, 40)} as ${kind}`);
}

/** JSON text of a 32-bit integer value. */
export function jsonInt32(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v)) return '' + v;
  const n = Number(v);
  if (v !== '' && v !== null && typeof v !== 'boolean' && Number.isInteger(n)) return '' + n;
  throw badValue('integer', v);
}

const INT_RE = /^-?(?:0|[1-9]\d*)$/;

/** Decimal string of a 64-bit value given as string, number or bigint. */
export function int64String(v: unknown): string {
  if (typeof v === 'string') {
    if (INT_RE.test(v)) return v;
    const t = v.trim();
    if (INT_RE.test(t)) return t;
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return '' + v;
    if (Number.isInteger(v)) return BigInt(v).toString();
  } else if (typeof v === 'bigint') return v.toString();
  else if (v !== null && typeof v === 'object' && typeof (v as { toString: unknown }).toString === 'function') {
    const s = String(v); // e.g. a Long
    if (INT_RE.test(s)) return s;
  }
  throw badValue('64-bit integer', v);
}

/** JSON text of a float/double value (Go json.Marshal formatting, NaN/±Infinity quoted). */
export function jsonFloat(v: unknown, single: boolean): string {
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v !== 'number' && (v === '' || v === null || typeof v === 'boolean' || Number.isNaN(n))) {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return `"${v}"`;
    throw badValue('number', v);
  }
  if (Number.isNaN(n)) return '"NaN"';
  if (n === Infinity) return '"Infinity"';
  if (n === -Infinity) return '"-Infinity"';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  return single ? shortestFloat32(n) : '' + n;
}

function shortestFloat32(n: number): string {
  const f = Math.fround(n);
  for (let p = 1; p < 10; p++) {
    const c = Number(f.toPrecision(p));
    if (Math.fround(c) === f) return '' + c;
  }
  return '' + f;
}

export function jsonBytes(v: unknown): string {
  if (typeof v === 'string') return goString(v); // already base64
  if (v instanceof Uint8Array) return '"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"';
  throw badValue('bytes', v);
}

// ---------------------------------------------------------------------------------------------
// JSON input (values already JSON.parse'd)

export function jsonKindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'object') return 'object';
  if (t === 'boolean') return 'bool';
  return t; // 'string' | 'number'
}

export function typeMismatch(v: unknown, goType: string): CodecError {
  const kind = jsonKindOf(v);
  const what = kind === 'number' ? `number ${String(v)}` : kind;
  return new CodecError(`json: cannot unmarshal ${what} into Go value of type ${goType}`);
}

const NUM_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Error for the text inside quotes that golang's json would not accept as a number of `goType`. */
function quotedNumberError(s: string, goType: string): CodecError {
  if (s.length === 0) return new CodecError('unexpected end of JSON input');
  if (NUM_LITERAL.test(s)) return new CodecError(`json: cannot unmarshal number ${s} into Go value of type ${goType}`);
  if (s === 'true' || s === 'false') return new CodecError(`json: cannot unmarshal bool into Go value of type ${goType}`);
  return new CodecError(`invalid character '${s[0]}' looking for beginning of value`);
}

const RANGE32: Record<number, [number, number]> = {
  [S.INT32]: [-2147483648, 2147483647], [S.SINT32]: [-2147483648, 2147483647],
  [S.SFIXED32]: [-2147483648, 2147483647], [S.UINT32]: [0, 4294967295], [S.FIXED32]: [0, 4294967295],
};

/** A 32-bit integer from JSON: a number, or the number quoted. */
export function readInt32(v: unknown, k: ScalarKind): number {
  const goType = GO_TYPE[k];
  const [lo, hi] = RANGE32[k];
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= lo && v <= hi) return v;
    throw typeMismatch(v, goType);
  }
  if (typeof v === 'string') {
    if (INT_RE.test(v)) {
      const n = Number(v);
      if (n >= lo && n <= hi) return n;
    }
    throw quotedNumberError(v, goType);
  }
  throw typeMismatch(v, goType);
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** A 64-bit integer from JSON (number or quoted number) as its decimal string. */
export function readInt64(v: unknown, k: ScalarKind): string {
  const goType = GO_TYPE[k];
  const unsigned = isUnsigned(k);
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw typeMismatch(v, goType);
    s = Number.isSafeInteger(v) ? '' + v : BigInt(v).toString();
  } else if (typeof v === 'string') {
    if (!INT_RE.test(v)) throw quotedNumberError(v, goType);
    s = v;
  } else throw typeMismatch(v, goType);
  if (s.length < 16) {
    if (unsigned && s[0] === '-' && s !== '-0') throw new CodecError(`json: cannot unmarshal number ${s} into Go value of type ${goType}`);
    return s === '-0' ? '0' : s;
  }
  const b = BigInt(s);
  if (unsigned ? b < 0n || b > U64_MAX : b < I64_MIN || b > I64_MAX) {
    throw new CodecError(`json: cannot unmarshal number ${s} into Go value of type ${goType}`);
  }
  return b.toString();
}

const FLOAT32_MAX = 3.4028234663852886e38;

export function readFloat(v: unknown, k: ScalarKind): number {
  const goType = GO_TYPE[k];
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (!NUM_LITERAL.test(v)) throw quotedNumberError(v, goType);
    n = Number(v);
  } else throw typeMismatch(v, goType);
  if (!Number.isFinite(n) || (k === S.FLOAT && Math.abs(n) > FLOAT32_MAX)) {
    throw new CodecError(`json: cannot unmarshal number ${String(v)} into Go value of type ${goType}`);
  }
  return k === S.FLOAT ? Math.fround(n) : n;
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** bytes from JSON: standard base64 (kept as the base64 string, the wire-object form of bytes). */
export function readBytes(v: unknown): string {
  if (typeof v !== 'string') throw typeMismatch(v, '[]uint8');
  const s = v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 ? v.replace(/[\r\n]/g, '') : v;
  if (!B64_RE.test(s)) throw new CodecError('illegal base64 data at input byte 0');
  return s;
}

// ---------------------------------------------------------------------------------------------
// 64-bit values

/** True when a wire 64-bit value is zero. */
export function isZero64(v: unknown): boolean {
  return v === '0' || v === 0 || v === '-0' || v === 0n;
}

// ---------------------------------------------------------------------------------------------
// google.protobuf.Duration

const MAX_DURATION_SECONDS = 315576000000;

/** Go jsonpb's text for a Duration of `seconds` + `nanos`, e.g. "1.500s", "0s", "-0.000000001s". */
export function formatDuration(seconds: bigint | number, nanos: number): string {
  let secs = BigInt(seconds);
  let ns = nanos;
  if (secs < -MAX_DURATION_SECONDS || secs > MAX_DURATION_SECONDS) throw new CodecError(`seconds out of range ${secs}`);
  if (ns <= -1e9 || ns >= 1e9) throw new CodecError('ns out of range (-1e+09, 1e+09)');
  if ((secs > 0n && ns < 0) || (secs < 0n && ns > 0)) throw new CodecError('signs of seconds and nanos do not match');
  let sign = '';
  if (secs < 0n || ns < 0) {
    sign = '-';
    secs = -secs;
    ns = -ns;
  }
  let x = `${sign}${secs}.${String(ns).padStart(9, '0')}`;
  if (x.endsWith('000')) x = x.slice(0, -3);
  if (x.endsWith('000')) x = x.slice(0, -3);
  if (x.endsWith('.000')) x = x.slice(0, -4);
  return x + 's';
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n,
};
const MAX_NS = 2n ** 63n - 1n;

/** Parses a duration the way Go's time.ParseDuration does ("1.5s", "100ms", "1h2m", "-3s"). */
export function parseGoDuration(input: string): { seconds: bigint; nanos: number } {
  const bad = (): CodecError => new CodecError(`bad Duration: time: invalid duration ${JSON.stringify(input)}`);
  let s = input;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { seconds: 0n, nanos: 0 };
  if (s === '') throw bad();
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw bad();
    const unit = UNIT_NS[m[3]];
    if (unit === undefined) {
      const u = /^[^\d.]+/.exec(m[3])?.[0] ?? m[3];
      throw new CodecError(`bad Duration: time: unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(input)}`);
    }
    let part = BigInt(m[1] || '0') * unit;
    if (m[2]) part += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    total += part;
    if (total > MAX_NS + (neg ? 1n : 0n)) throw bad();
    s = s.slice(m[0].length);
  }
  if (neg) total = -total;
  const seconds = total / 1000000000n;
  const nanos = Number(total % 1000000000n);
  return { seconds, nanos };
}

/** Canonical (Go jsonpb) text of a wire Duration value. */
export function normalizeDuration(v: unknown): string {
  if (typeof v === 'string') {
    const d = parseGoDuration(v);
    return formatDuration(d.seconds, d.nanos);
  }
  if (v !== null && typeof v === 'object') {
    const o = v as { seconds?: unknown; nanos?: unknown };
    return formatDuration(BigInt(int64String(o.seconds ?? 0)), Number(o.nanos ?? 0));
  }
  throw badValue('Duration', v);
}
