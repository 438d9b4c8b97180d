import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A strict JSON decoder's view of an answer, as Go's jsonpb / protojson decode polaris-server
 * 1.18.1's answers: every key of every message must be a field of that message in
 * polarismesh/specification v1.4.2. The v1.4.2 field set is the contract's field table
 * (test/fixtures/api-fields.json, v1.5) minus the fields and messages that
 * test/fixtures/json-fields-1.18.1.json lists as absent from v1.4.2. Nested messages, lists, maps
 * and Any are followed through the field table's types.
 */

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

interface FieldRow {
  name: string;
  json_name: string;
  label: 'optional' | 'repeated' | 'map';
  kind: 'scalar' | 'message' | 'enum' | 'map';
  resolved_type: string;
  map_value_type?: string;
  map_value_kind?: string;
}

interface Absent {
  absentFields: Record<string, string[]>;
  absentMessages: string[];
}

const table = JSON.parse(readFileSync(join(FIXTURES, 'api-fields.json'), 'utf8')) as {
  messages: { full_name: string; fields: FieldRow[] }[];
};
const absent = JSON.parse(readFileSync(join(FIXTURES, 'json-fields-1.18.1.json'), 'utf8')) as Absent;

/** message → JSON key (json name and proto name, as jsonpb accepts both) → field */
const fieldsByKey = new Map<string, Map<string, FieldRow>>();
for (const m of table.messages) {
  const keys = new Map<string, FieldRow>();
  for (const f of m.fields) {
    keys.set(f.json_name, f);
    keys.set(f.name, f);
  }
  fieldsByKey.set(m.full_name, keys);
}
const absentMessages = new Set(absent.absentMessages);
const absentFields = new Map(Object.entries(absent.absentFields).map(([m, fs]) => [m, new Set(fs)]));

/** Message types whose JSON is not an object of fields (wrappers are bare values, Duration a string). */
const isOpaque = (type: string): boolean => type.startsWith('google.protobuf.') && type !== 'google.protobuf.Any';

/** The message type an Any's `@type` names (polaris' legacy `v2.X` names are `v1.X`). */
function anyType(url: string): string {
  const name = url.slice(url.lastIndexOf('/') + 1);
  return name.startsWith('v2.') ? 'v1.' + name.slice(3) : name;
}

/**
 * Everything a strict v1.4.2 decoder would reject in `value` decoded as message `type`, one line
 * per problem (empty when it decodes). Lines read like jsonpb's: `unknown field "x" in v1.Y`.
 */
export function v142Violations(type: string, value: unknown, path = type): string[] {
  const out: string[] = [];
  checkMessage(type, value, path, out);
  return out;
}

function checkMessage(type: string, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined || isOpaque(type)) return;
  if (type === 'google.protobuf.Any') return checkAny(value, path, out);
  if (absentMessages.has(type)) {
    out.push(`${path}: message ${type} does not exist in v1.4.2`);
    return;
  }
  const keys = fieldsByKey.get(type);
  if (!keys) {
    out.push(`${path}: ${type} is not a message of the field table`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an object for ${type}`);
    return;
  }
  const skip = absentFields.get(type);
  for (const [key, v] of Object.entries(value)) {
    const f = keys.get(key);
    if (!f || skip?.has(f.name)) {
      out.push(`${path}: unknown field "${key}" in ${type}`);
      continue;
    }
    checkField(f, v, `${path}.${key}`, out);
  }
}

function checkField(f: FieldRow, v: unknown, path: string, out: string[]): void {
  if (v === null) return;
  if (f.label === 'map') {
    if (f.map_value_kind !== 'message' || typeof v !== 'object') return;
    for (const [k, item] of Object.entries(v as object)) checkMessage(f.map_value_type!, item, `${path}[${k}]`, out);
    return;
  }
  if (f.kind !== 'message') return;
  if (f.label === 'repeated') {
    if (!Array.isArray(v)) {
      out.push(`${path}: expected a list`);
      return;
    }
    v.forEach((item, i) => checkMessage(f.resolved_type, item, `${path}[${i}]`, out));
    return;
  }
  checkMessage(f.resolved_type, v, path, out);
}

function checkAny(value: unknown, path: string, out: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected an object for google.protobuf.Any`);
    return;
  }
  const { '@type': url, ...rest } = value as Record<string, unknown>;
  if (typeof url !== 'string') {
    out.push(`${path}: Any without "@type"`);
    return;
  }
  const type = anyType(url);
  if (isOpaque(type)) return;
  checkMessage(type, rest, `${path}<${type}>`, out);
}

/** Message types reached while checking (to assert a test really covered what it claims). */
export function messagesIn(type: string, value: unknown, seen = new Set<string>()): Set<string> {
  if (value === null || value === undefined || typeof value !== 'object' || isOpaque(type)) return seen;
  if (type === 'google.protobuf.Any') {
    const { '@type': url, ...rest } = value as Record<string, unknown>;
    return typeof url === 'string' ? messagesIn(anyType(url), rest, seen) : seen;
  }
  seen.add(type);
  const keys = fieldsByKey.get(type);
  if (!keys) return seen;
  for (const [key, v] of Object.entries(value)) {
    const f = keys.get(key);
    if (!f || v === null) continue;
    if (f.label === 'map') {
      if (f.map_value_kind === 'message') for (const item of Object.values(v as object)) messagesIn(f.map_value_type!, item, seen);
    } else if (f.kind === 'message') {
      for (const item of Array.isArray(v) ? v : [v]) messagesIn(f.resolved_type, item, seen);
    }
  }
  return seen;
}
