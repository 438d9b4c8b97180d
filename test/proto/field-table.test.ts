/**
 * Checks the .proto files under proto/ against the contract's field table
 * (test/fixtures/api-fields.json): every message, field (name, number, declaration order, label,
 * resolved type, map key/value types, json_name, oneof, deprecated), every enum value, every
 * service/rpc, reserved ranges, and the counts. The protos are loaded here with protobufjs directly,
 * independently of scripts/gen-protos.ts and src/common/api/protos.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { loadFieldTable, REPO_ROOT, type MessageRow } from '../../scripts/field-table.js';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = REPO_ROOT;
const PROTO_DIR = join(ROOT, 'proto');
const table = loadFieldTable();

function listProtos(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listProtos(p));
    else if (name.endsWith('.proto')) out.push(p);
  }
  return out;
}

const protoPaths = listProtos(PROTO_DIR);
const root = new protobuf.Root();
root.resolvePath = (_origin, target) =>
  target.startsWith('google/protobuf/') || target.startsWith(PROTO_DIR) ? target : join(PROTO_DIR, target);
root.loadSync(protoPaths, { keepCase: true });
root.resolveAll();

const SCALARS = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

const strip = (n: string): string => (n.startsWith('.') ? n.slice(1) : n);

/** protoc's default JSON name: drop '_' and upper-case the following character. */
function protocJsonName(name: string): string {
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

function collect(ns: protobuf.NamespaceBase, types: protobuf.Type[], enums: protobuf.Enum[], services: protobuf.Service[]): void {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) {
      types.push(obj);
      collect(obj, types, enums, services);
    } else if (obj instanceof protobuf.Enum) enums.push(obj);
    else if (obj instanceof protobuf.Service) services.push(obj);
    else if (obj instanceof protobuf.Namespace) collect(obj, types, enums, services);
  }
}
const allTypes: protobuf.Type[] = [];
const allEnums: protobuf.Enum[] = [];
const allServices: protobuf.Service[] = [];
collect(root, allTypes, allEnums, allServices);
const isGoogle = (o: protobuf.ReflectionObject): boolean => strip(o.fullName).startsWith('google.');
const ourTypes = allTypes.filter((t) => !isGoogle(t));
const ourEnums = allEnums.filter((e) => !isGoogle(e));

function fileOf(o: protobuf.ReflectionObject): string {
  let cur: protobuf.ReflectionObject | null = o;
  while (cur && !cur.filename) cur = cur.parent;
  assert.ok(cur?.filename, `no file for ${o.fullName}`);
  return relative(PROTO_DIR, cur.filename).split(sep).join('/');
}

function typeNameOf(f: protobuf.Field): string {
  if (SCALARS.has(f.type) && !f.resolvedType) return f.type;
  assert.ok(f.resolvedType, `unresolved type ${f.type} of ${f.fullName}`);
  return strip(f.resolvedType.fullName);
}

function kindOf(f: protobuf.Field): string {
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  return 'scalar';
}

function checkMessage(row: MessageRow, t: protobuf.Type): void {
  const where = row.full_name;
  assert.equal(t.name, row.name, `${where}: name`);
  const parent = t.parent instanceof protobuf.Type ? strip(t.parent.fullName) : null;
  assert.equal(parent, row.parent, `${where}: parent`);
  const fields = t.fieldsArray;
  assert.deepEqual(fields.map((f) => f.name), row.fields.map((f) => f.name), `${where}: field names / declaration order`);
  for (let i = 0; i < row.fields.length; i++) {
    const fr = row.fields[i];
    const f = fields[i];
    const at = `${where}.${fr.name}`;
    assert.equal(f.id, fr.number, `${at}: number`);
    const opts = (f.options ?? {}) as Record<string, unknown>;
    if (fr.label === 'map') {
      assert.ok(f instanceof protobuf.MapField && f.map, `${at}: must be a map`);
      const keyType = (f as unknown as protobuf.MapField).keyType;
      assert.equal(keyType, fr.map_key_type, `${at}: map key type`);
      assert.equal(typeNameOf(f), fr.map_value_type, `${at}: map value type`);
      assert.equal(kindOf(f), fr.map_value_kind, `${at}: map value kind`);
      assert.equal(`map<${keyType}, ${typeNameOf(f)}>`, fr.resolved_type, `${at}: resolved map type`);
      assert.equal(fr.kind, 'map', `${at}: kind`);
    } else {
      assert.ok(!f.map, `${at}: must not be a map`);
      assert.equal(f.repeated, fr.label === 'repeated', `${at}: label ${fr.label}`);
      assert.equal(typeNameOf(f), fr.resolved_type, `${at}: type`);
      assert.equal(kindOf(f), fr.kind, `${at}: kind`);
      assert.equal(Boolean(opts.proto3_optional), Boolean(fr.proto3_optional), `${at}: proto3 optional`);
    }
    const explicit = typeof opts.json_name === 'string';
    assert.equal(explicit, fr.json_name_explicit, `${at}: json_name explicit`);
    assert.equal(explicit ? opts.json_name : protocJsonName(f.name), fr.json_name, `${at}: json_name`);
    assert.equal(Boolean(opts.deprecated), fr.deprecated, `${at}: deprecated`);
    assert.equal(f.partOf ? f.partOf.name : null, fr.oneof, `${at}: oneof`);
  }
  const rowOneofs = row.oneofs.map((o) => (typeof o === 'string' ? o : o.name)).sort();
  const ourOneofs = t.oneofsArray.filter((o) => !o.fieldsArray.every((f) => (f.options as Record<string, unknown> | undefined)?.proto3_optional));
  assert.deepEqual(ourOneofs.map((o) => o.name).sort(), rowOneofs, `${where}: oneofs`);
  for (const o of t.oneofsArray) {
    assert.deepEqual(
      o.fieldsArray.map((f) => f.name).sort(),
      row.fields.filter((f) => f.oneof === o.name).map((f) => f.name).sort(),
      `${where}: members of oneof ${o.name}`,
    );
  }
  const nestedTypes = t.nestedArray.filter((n) => n instanceof protobuf.Type).map((n) => strip(n.fullName));
  const nestedEnums = t.nestedArray.filter((n) => n instanceof protobuf.Enum).map((n) => strip(n.fullName));
  assert.deepEqual(nestedTypes.sort(), [...row.nested_messages].sort(), `${where}: nested messages`);
  assert.deepEqual(nestedEnums.sort(), [...row.nested_enums].sort(), `${where}: nested enums`);
  const reservedRanges = (t.reserved ?? []).filter((r): r is number[] => Array.isArray(r));
  const reservedNames = (t.reserved ?? []).filter((r): r is string => typeof r === 'string');
  assert.deepEqual(reservedRanges, row.reserved_numbers, `${where}: reserved numbers`);
  assert.deepEqual(reservedNames, row.reserved_names, `${where}: reserved names`);
}

describe('proto/ matches the contract field table', () => {
  it('has exactly the files of the table', () => {
    const files = protoPaths.map((p) => relative(PROTO_DIR, p).split(sep).join('/')).sort();
    assert.deepEqual(files, table.files.map((f) => f.path).sort());
    assert.equal(files.length, table.counts.files);
  });

  it('has exactly the messages of the table (no missing, no extra)', () => {
    const ours = ourTypes.map((t) => strip(t.fullName)).sort();
    const theirs = table.messages.map((m) => m.full_name).sort();
    assert.deepEqual(ours, theirs);
    assert.equal(ours.length, table.counts.messages);
  });

  it('has exactly the enums of the table (no missing, no extra)', () => {
    const ours = ourEnums.map((e) => strip(e.fullName)).sort();
    const theirs = table.enums.map((e) => e.full_name).sort();
    assert.deepEqual(ours, theirs);
    assert.equal(ours.length, table.counts.enums);
  });

  it('has exactly the services and rpcs of the table', () => {
    const ours = allServices.map((s) => strip(s.fullName)).sort();
    assert.deepEqual(ours, table.services.map((s) => s.full_name).sort());
    assert.equal(ours.length, table.counts.services);
    const rpcCount = allServices.reduce((n, s) => n + s.methodsArray.length, 0);
    assert.equal(rpcCount, table.counts.rpcs);
  });

  for (const row of table.messages) {
    it(`message ${row.full_name}`, () => {
      const t = root.lookupType(row.full_name);
      assert.equal(fileOf(t), row.file, 'file');
      const pkg = strip((function top(o: protobuf.ReflectionObject): string {
        let cur = o.parent;
        while (cur instanceof protobuf.Type) cur = cur.parent;
        return cur ? cur.fullName : '';
      })(t));
      assert.equal(pkg, row.package, 'package');
      checkMessage(row, t);
    });
  }

  for (const row of table.enums) {
    it(`enum ${row.full_name}`, () => {
      const e = root.lookupEnum(row.full_name);
      assert.equal(fileOf(e), row.file, 'file');
      const parent = e.parent instanceof protobuf.Type ? strip(e.parent.fullName) : null;
      assert.equal(parent, row.parent, 'parent');
      assert.deepEqual(
        Object.entries(e.values).map(([name, number]) => ({ name, number })),
        row.values.map((v) => ({ name: v.name, number: v.number })),
        'values (names, numbers, order)',
      );
      const reservedRanges = (e.reserved ?? []).filter((r): r is number[] => Array.isArray(r));
      const reservedNames = (e.reserved ?? []).filter((r): r is string => typeof r === 'string');
      assert.deepEqual(reservedRanges, row.reserved_numbers, 'reserved numbers');
      assert.deepEqual(reservedNames, row.reserved_names, 'reserved names');
    });
  }

  for (const row of table.services) {
    it(`service ${row.full_name}`, () => {
      const s = root.lookupService(row.full_name);
      assert.equal(fileOf(s), row.file, 'file');
      assert.deepEqual(s.methodsArray.map((m) => m.name), row.rpcs.map((r) => r.name), 'rpc names / order');
      for (const r of row.rpcs) {
        const m = s.methods[r.name];
        m.resolve();
        assert.equal(strip(m.resolvedRequestType!.fullName), r.request_type, `${r.name}: request type`);
        assert.equal(strip(m.resolvedResponseType!.fullName), r.response_type, `${r.name}: response type`);
        assert.equal(Boolean(m.requestStream), r.client_streaming, `${r.name}: client streaming`);
        assert.equal(Boolean(m.responseStream), r.server_streaming, `${r.name}: server streaming`);
        assert.equal(`/${strip(s.fullName)}/${m.name}`, r.grpc_path, `${r.name}: grpc path`);
      }
    });
  }

  it('google well-known types resolve to the bundled definitions the table expects', () => {
    assert.equal(table.google_types.length, table.counts.google_types);
    for (const g of table.google_types) {
      const t = root.lookupType(g.full_name);
      assert.deepEqual(
        t.fieldsArray.map((f) => [f.name, f.id, typeNameOf(f), f.repeated]),
        g.fields.map((f) => [f.name, f.number, f.resolved_type, f.label === 'repeated']),
        g.full_name,
      );
    }
  });
});
