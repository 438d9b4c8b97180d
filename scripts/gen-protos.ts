/**
 * Writes our own .proto files under proto/ from the contract's field table
 * (test/fixtures/api-fields.json, polarismesh/specification v1.5.3-alpha.2).
 *
 *   npm run gen:proto        (= node --import tsx scripts/gen-protos.ts)
 *
 * Layout: proto/<path of the file in the table>, e.g. proto/api/v1/service_manage/service.proto.
 * The contract imports siblings by bare file name ("model.proto"); we rewrite every import to its
 * path relative to proto/ so that the single include directory proto/ resolves everything.
 * google/protobuf/*.proto (wrappers, any, duration) are NOT written: protobufjs ships them as
 * bundled common definitions and resolves those imports by itself.
 *
 * Type references are written fully qualified with a leading dot (".v1.CbPolicy.ErrRateConfig"),
 * so that name resolution cannot differ between protoc and protobufjs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { loadFieldTable, REPO_ROOT, type EnumRow, type FieldRow, type FileRow, type MessageRow } from './field-table.js';

const OUT_DIR = join(REPO_ROOT, 'proto');

const table = loadFieldTable();

const SCALARS = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

const messagesByName = new Map(table.messages.map((m) => [m.full_name, m]));
const enumsByName = new Map(table.enums.map((e) => [e.full_name, e]));

/** Bare file name → path relative to proto/ (the contract's file names are unique). */
const pathByBase = new Map<string, string>();
for (const f of table.files) {
  const base = posix.basename(f.path);
  if (pathByBase.has(base)) throw new Error(`duplicate proto file name ${base}`);
  pathByBase.set(base, f.path);
}

function resolveImport(imp: string): string {
  if (imp.startsWith('google/protobuf/')) return imp;
  if (table.files.some((f) => f.path === imp)) return imp;
  const p = pathByBase.get(posix.basename(imp));
  if (!p) throw new Error(`cannot resolve import ${imp}`);
  return p;
}

function typeRef(t: string): string {
  if (SCALARS.has(t)) return t;
  if (!messagesByName.has(t) && !enumsByName.has(t) && !t.startsWith('google.protobuf.')) {
    throw new Error(`unknown type ${t}`);
  }
  return `.${t}`;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function fieldOptions(f: FieldRow): string {
  const opts: string[] = [];
  if (f.json_name_explicit) opts.push(`json_name = ${quote(f.json_name)}`);
  if (f.deprecated) opts.push('deprecated = true');
  return opts.length ? ` [${opts.join(', ')}]` : '';
}

function fieldLine(f: FieldRow): string {
  let type: string;
  let label = '';
  if (f.label === 'map') {
    if (!f.map_key_type || !f.map_value_type) throw new Error(`map field ${f.name} lacks key/value types`);
    type = `map<${typeRef(f.map_key_type)}, ${typeRef(f.map_value_type)}>`;
  } else {
    type = typeRef(f.resolved_type);
    if (f.label === 'repeated') label = 'repeated ';
    else if (f.proto3_optional) label = 'optional ';
  }
  return `${label}${type} ${f.name} = ${f.number}${fieldOptions(f)};`;
}

function reservedLines(ranges: [number, number][], names: string[], pad: string): string[] {
  const out: string[] = [];
  if (ranges.length) {
    // The table records reserved ranges with an inclusive end (protobufjs' convention too).
    const parts = ranges.map(([a, b]) => (a === b ? `${a}` : `${a} to ${b === 536870911 ? 'max' : b}`));
    out.push(`${pad}reserved ${parts.join(', ')};`);
  }
  if (names.length) out.push(`${pad}reserved ${names.map(quote).join(', ')};`);
  return out;
}

function enumLines(e: EnumRow, pad: string): string[] {
  const out = [`${pad}enum ${e.name} {`];
  if (e.allow_alias) out.push(`${pad}  option allow_alias = true;`);
  out.push(...reservedLines(e.reserved_numbers, e.reserved_names, `${pad}  `));
  for (const v of e.values) out.push(`${pad}  ${v.name} = ${v.number};`);
  out.push(`${pad}}`);
  return out;
}

function oneofName(o: string | { name: string }): string {
  return typeof o === 'string' ? o : o.name;
}

function messageLines(m: MessageRow, pad: string): string[] {
  const out = [`${pad}message ${m.name} {`];
  const inner = `${pad}  `;
  out.push(...reservedLines(m.reserved_numbers, m.reserved_names, inner));
  // Fields in declaration order; members of a (non-synthetic) oneof are grouped into its block at
  // the position of the oneof's first member.
  const realOneofs = new Set(m.oneofs.map(oneofName));
  const synthetic = new Set(m.fields.filter((f) => f.proto3_optional && f.oneof).map((f) => f.oneof as string));
  const emitted = new Set<string>();
  for (const f of m.fields) {
    const oneof = f.oneof && realOneofs.has(f.oneof) && !synthetic.has(f.oneof) ? f.oneof : null;
    if (!oneof) {
      out.push(`${inner}${fieldLine(f)}`);
      continue;
    }
    if (emitted.has(oneof)) continue;
    emitted.add(oneof);
    out.push(`${inner}oneof ${oneof} {`);
    for (const g of m.fields.filter((x) => x.oneof === oneof)) out.push(`${inner}  ${fieldLine(g)}`);
    out.push(`${inner}}`);
  }
  for (const en of m.nested_enums) {
    const e = enumsByName.get(en);
    if (!e) throw new Error(`missing nested enum ${en}`);
    out.push('', ...enumLines(e, inner));
  }
  for (const mn of m.nested_messages) {
    const n = messagesByName.get(mn);
    if (!n) throw new Error(`missing nested message ${mn}`);
    out.push('', ...messageLines(n, inner));
  }
  out.push(`${pad}}`);
  return out;
}

function optionValue(v: string | boolean): string {
  return typeof v === 'boolean' ? String(v) : quote(v);
}

function renderFile(f: FileRow): string {
  const lines: string[] = [
    `// Generated from the contract's field table (${table.source.repo} ${table.source.rev}, file ${f.path})`,
    '// by scripts/gen-protos.ts. Do not edit; re-run `npm run gen:proto` instead.',
    '',
    `syntax = ${quote(f.syntax || 'proto3')};`,
    '',
    `package ${f.package};`,
    '',
  ];
  const imports = f.imports.map(resolveImport);
  if (imports.length) {
    for (const imp of imports) lines.push(`import ${quote(imp)};`);
    lines.push('');
  }
  const optKeys = Object.keys(f.options);
  if (optKeys.length) {
    for (const k of optKeys) lines.push(`option ${k} = ${optionValue(f.options[k])};`);
    lines.push('');
  }
  const blocks: string[][] = [];
  for (const e of table.enums) if (e.file === f.path && e.parent === null) blocks.push(enumLines(e, ''));
  for (const m of table.messages) if (m.file === f.path && m.parent === null) blocks.push(messageLines(m, ''));
  for (const s of table.services) {
    if (s.file !== f.path) continue;
    const b = [`service ${s.name} {`];
    for (const r of s.rpcs) {
      const req = `${r.client_streaming ? 'stream ' : ''}${typeRef(r.request_type)}`;
      const res = `${r.server_streaming ? 'stream ' : ''}${typeRef(r.response_type)}`;
      b.push(`  rpc ${r.name}(${req}) returns (${res}) {}`);
    }
    b.push('}');
    blocks.push(b);
  }
  for (const b of blocks) lines.push(...b, '');
  return lines.join('\n');
}

rmSync(join(OUT_DIR, 'api'), { recursive: true, force: true });
for (const f of table.files) {
  const out = join(OUT_DIR, f.path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderFile(f));
}
console.log(`wrote ${table.files.length} proto files under ${OUT_DIR}`);
