import { Alias, LineCounter, Scalar, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from './config-error.js';
import { expandEnv } from './env.js';

/**
 * The parsed file before typing. Scalars keep their text and whether they were written plain
 * (unquoted), so typing can follow yaml.v2: an unquoted `8090` is an integer, `"8090"` a string,
 * and any scalar can fill a string key with its written text (`dbPwd: 0123` stays "0123").
 */
export type RawNode = RawScalar | RawSeq | RawMap;

export interface RawScalar {
  readonly kind: 'scalar';
  readonly text: string;
  readonly plain: boolean;
  readonly line?: number;
}

export interface RawSeq {
  readonly kind: 'seq';
  readonly items: readonly RawNode[];
  readonly line?: number;
}

export interface RawMap {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, RawNode>;
  readonly line?: number;
}

export interface RawContext {
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warnings: string[];
}

const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const DEC_INT = /^[-+]?(?:0|[1-9][0-9_]*)$/;
const HEX_INT = /^[-+]?0x[0-9a-fA-F_]+$/;
const OCT_INT = /^[-+]?0o?[0-7_]+$/;
const BIN_INT = /^[-+]?0b[01_]+$/;
const FLOAT = /^[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

export function isNullNode(node: RawNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.plain && NULL_WORDS.has(node.text));
}

/** yaml.v2's boolean words for an unquoted scalar (YAML 1.1), else undefined. */
export function plainBool(node: RawScalar): boolean | undefined {
  if (!node.plain) return undefined;
  if (TRUE_WORDS.has(node.text)) return true;
  if (FALSE_WORDS.has(node.text)) return false;
  return undefined;
}

/** The number an unquoted scalar denotes (integers in Go's base-prefixed forms, floats), else undefined. */
export function plainNumber(node: RawScalar): number | undefined {
  if (!node.plain) return undefined;
  const t = node.text;
  const neg = t.startsWith('-');
  const body = t.replace(/^[-+]/, '').replace(/_/g, '');
  let n: number | undefined;
  if (DEC_INT.test(t)) n = Number(body);
  else if (HEX_INT.test(t)) n = parseInt(body.slice(2), 16);
  else if (BIN_INT.test(t)) n = parseInt(body.slice(2), 2);
  else if (OCT_INT.test(t)) n = parseInt(body.replace(/^0o?/, '') || '0', 8);
  else if (FLOAT.test(t)) return Number(t.replace(/_/g, ''));
  else if (INF.test(t)) return neg ? -Infinity : Infinity;
  else if (NAN.test(t)) return NaN;
  if (n === undefined) return undefined;
  return neg ? -n : n;
}

/** A raw node as a plain JS value (for free-form option maps), typed as yaml.v2 would. */
export function toPlain(node: RawNode | undefined): unknown {
  if (node === undefined || isNullNode(node)) return null;
  if (node.kind === 'seq') return node.items.map((i) => toPlain(i));
  if (node.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of node.entries) out[k] = toPlain(v);
    return out;
  }
  const b = plainBool(node);
  if (b !== undefined) return b;
  const n = plainNumber(node);
  if (n !== undefined) return n;
  return node.text;
}

function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Reads the YAML text (failsafe schema: every scalar kept as text) into RawNodes, expanding
 * environment variables in scalar values (never in keys). Throws ConfigError for syntax errors.
 */
export function parseRaw(text: string, ctx: RawContext): RawNode | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    const detail = e.code === 'MULTIPLE_DOCS' ? 'the file must hold a single YAML document' : e.message.split('\n')[0];
    throw new ConfigError(ctx.file, undefined, `YAML syntax error: ${detail}`, line);
  }
  const lineOf = (node: Node): number | undefined => (node.range ? lineCounter.linePos(node.range[0]).line : undefined);
  return walk(doc.contents, '', 0);

  function walk(node: unknown, path: string, depth: number): RawNode | undefined {
    if (node === null || node === undefined) return undefined;
    if (depth > 100) throw new ConfigError(ctx.file, path, 'nesting too deep (alias loop?)');
    if (isAlias(node)) return walk((node as Alias).resolve(doc as Document), path, depth + 1);
    if (isScalar(node)) return scalar(node, path);
    if (isSeq(node)) {
      return {
        kind: 'seq',
        items: node.items.map((item, i) => walk(item, joinPath(path, i), depth + 1) ?? nullScalar(item)),
        line: lineOf(node),
      };
    }
    if (isMap(node)) {
      const entries = new Map<string, RawNode>();
      const merged: RawNode[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (!isScalar(keyNode)) {
          throw new ConfigError(ctx.file, path || undefined, 'map keys must be plain strings', lineOf(node));
        }
        const key = String(keyNode.value);
        const valuePath = joinPath(path, key);
        const value = walk(pair.value, valuePath, depth + 1) ?? nullScalar(pair.value);
        if (key === '<<' && keyNode.type === Scalar.PLAIN) merged.push(value);
        else entries.set(key, value);
      }
      // YAML merge keys (`<<: *anchor`): explicit keys win, earlier merged maps win over later ones.
      for (const m of merged) {
        const sources = m.kind === 'seq' ? m.items : [m];
        for (const src of sources) {
          if (src.kind !== 'map') throw new ConfigError(ctx.file, joinPath(path, '<<'), 'merge key needs a map', src.line);
          for (const [k, v] of src.entries) if (!entries.has(k)) entries.set(k, v);
        }
      }
      return { kind: 'map', entries, line: lineOf(node) };
    }
    throw new ConfigError(ctx.file, path || undefined, 'unsupported YAML node');
  }

  function scalar(node: Scalar, path: string): RawScalar {
    const raw = String(node.value ?? '');
    const plain = node.type === Scalar.PLAIN || node.type === undefined;
    const line = lineOf(node);
    const { text, unset } = expandEnv(raw, ctx.env);
    for (const name of unset) {
      ctx.warnings.push(
        `${path || '(root)'}: environment variable ${name} is not set; it expands to an empty string (write $$ for a literal $)`,
      );
    }
    return { kind: 'scalar', text, plain, line };
  }

  function nullScalar(node: unknown): RawScalar {
    return { kind: 'scalar', text: '', plain: true, line: node && typeof node === 'object' && 'range' in node ? lineOf(node as Node) : undefined };
  }
}
