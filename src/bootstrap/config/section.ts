import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';
import { isNullNode, plainBool, plainNumber, toPlain, type RawMap, type RawNode } from './raw.js';

/** Where parsing stands: the file (for errors) and the warnings collected so far. */
export interface ParseContext {
  readonly file: string;
  readonly warnings: string[];
}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function shown(node: RawNode): string {
  if (node.kind === 'seq') return 'a list';
  if (node.kind === 'map') return 'a map';
  return node.plain ? node.text : JSON.stringify(node.text);
}

export function fail(ctx: ParseContext, path: string, expected: string, node?: RawNode): never {
  const got = node ? `, got ${shown(node)}` : '';
  throw new ConfigError(ctx.file, path, `${expected}${got}`, node?.line);
}

export function invalid(ctx: ParseContext, path: string, detail: string, node?: RawNode): never {
  throw new ConfigError(ctx.file, path, detail, node?.line);
}

export function warn(ctx: ParseContext, path: string, message: string): void {
  ctx.warnings.push(`${path}: ${message}`);
}

// ---- value readers: (ctx, path, node) → typed value; node is never null here ----

export function readString(ctx: ParseContext, path: string, node: RawNode): string {
  if (node.kind !== 'scalar') fail(ctx, path, 'expected a string', node);
  return node.text;
}

export function readBool(ctx: ParseContext, path: string, node: RawNode): boolean {
  const b = node.kind === 'scalar' ? plainBool(node) : undefined;
  if (b === undefined) fail(ctx, path, 'expected a boolean (true or false)', node);
  return b;
}

export interface IntRange {
  readonly min?: number;
  readonly max?: number;
}

export function readInt(ctx: ParseContext, path: string, node: RawNode, range: IntRange = {}): number {
  const n = node.kind === 'scalar' ? plainNumber(node) : undefined;
  if (n === undefined || !Number.isSafeInteger(n)) fail(ctx, path, 'expected an integer', node);
  if (range.min !== undefined && n < range.min) invalid(ctx, path, `must be at least ${range.min}, got ${n}`, node);
  if (range.max !== undefined && n > range.max) invalid(ctx, path, `must be at most ${range.max}, got ${n}`, node);
  return n;
}

export function readNumber(ctx: ParseContext, path: string, node: RawNode): number {
  const n = node.kind === 'scalar' ? plainNumber(node) : undefined;
  if (n === undefined || !Number.isFinite(n)) fail(ctx, path, 'expected a number', node);
  return n;
}

/**
 * A Go duration string ("32ms", "30s", "60m") → milliseconds. A bare 0 is accepted; any other bare
 * number is refused: Go would read it as nanoseconds, which is never what was meant.
 */
export function readDuration(ctx: ParseContext, path: string, node: RawNode): number {
  if (node.kind !== 'scalar') fail(ctx, path, 'expected a duration such as "30s"', node);
  const n = plainNumber(node);
  if (n !== undefined) {
    if (n === 0) return 0;
    fail(ctx, path, 'expected a duration with a unit such as "30s" (a bare number would be nanoseconds)', node);
  }
  try {
    return parseDuration(node.text);
  } catch {
    return fail(ctx, path, 'expected a duration such as "32ms", "30s" or "60m"', node);
  }
}

export function readStringList(ctx: ParseContext, path: string, node: RawNode): string[] {
  if (node.kind !== 'seq') fail(ctx, path, 'expected a list of strings', node);
  return node.items.map((item, i) => (isNullNode(item) ? '' : readString(ctx, childPath(path, i), item)));
}

export function readStringMap(ctx: ParseContext, path: string, node: RawNode): Record<string, string> {
  if (node.kind !== 'map') fail(ctx, path, 'expected a map of strings', node);
  const out: Record<string, string> = {};
  for (const [k, v] of node.entries) out[k] = isNullNode(v) ? '' : readString(ctx, childPath(path, k), v);
  return out;
}

/** A free-form map (plugin and job options): any keys, values typed as YAML reads them. */
export function readFreeMap(ctx: ParseContext, path: string, node: RawNode): Record<string, unknown> {
  if (node.kind !== 'map') fail(ctx, path, 'expected a map', node);
  return toPlain(node) as Record<string, unknown>;
}

/**
 * Typed access to one YAML map. Every key read is remembered; `finish()` warns once for each key
 * that no reader asked for. A missing map, or a key whose value is null/empty, reads as absent.
 */
export class Section {
  private readonly used = new Set<string>();

  private constructor(
    readonly ctx: ParseContext,
    readonly path: string,
    private readonly node: RawMap | undefined,
  ) {}

  static of(ctx: ParseContext, path: string, node: RawNode | undefined): Section {
    if (isNullNode(node)) return new Section(ctx, path, undefined);
    if (node!.kind !== 'map') fail(ctx, path, 'expected a map', node);
    return new Section(ctx, path, node as RawMap);
  }

  get line(): number | undefined {
    return this.node?.line;
  }

  at(key: string): string {
    return childPath(this.path, key);
  }

  keys(): string[] {
    return this.node ? [...this.node.entries.keys()] : [];
  }

  /** The value node, or undefined when absent or null. Marks the key as known. */
  get(key: string): RawNode | undefined {
    this.used.add(key);
    const n = this.node?.entries.get(key);
    return isNullNode(n) ? undefined : n;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** True when the key is written in the file at all, even with a null value. */
  written(key: string): boolean {
    this.used.add(key);
    return this.node?.entries.has(key) ?? false;
  }

  /** Marks keys as known without reading them (accepted, ignored). */
  accept(...keys: string[]): void {
    for (const k of keys) this.used.add(k);
  }

  str(key: string, def: string): string {
    const n = this.get(key);
    return n === undefined ? def : readString(this.ctx, this.at(key), n);
  }

  bool(key: string, def: boolean): boolean {
    const n = this.get(key);
    return n === undefined ? def : readBool(this.ctx, this.at(key), n);
  }

  int(key: string, def: number, range?: IntRange): number {
    const n = this.get(key);
    return n === undefined ? def : readInt(this.ctx, this.at(key), n, range);
  }

  num(key: string, def: number): number {
    const n = this.get(key);
    return n === undefined ? def : readNumber(this.ctx, this.at(key), n);
  }

  duration(key: string, defMs: number): number {
    const n = this.get(key);
    return n === undefined ? defMs : readDuration(this.ctx, this.at(key), n);
  }

  strList(key: string, def: readonly string[]): string[] {
    const n = this.get(key);
    return n === undefined ? [...def] : readStringList(this.ctx, this.at(key), n);
  }

  strMap(key: string): Record<string, string> {
    const n = this.get(key);
    return n === undefined ? {} : readStringMap(this.ctx, this.at(key), n);
  }

  freeMap(key: string): Record<string, unknown> {
    const n = this.get(key);
    return n === undefined ? {} : readFreeMap(this.ctx, this.at(key), n);
  }

  section(key: string): Section {
    return Section.of(this.ctx, this.at(key), this.get(key));
  }

  /** The items of a list value ([] when absent). */
  list(key: string): { node: RawNode; path: string }[] | undefined {
    const n = this.get(key);
    if (n === undefined) return undefined;
    if (n.kind !== 'seq') fail(this.ctx, this.at(key), 'expected a list', n);
    return n.items.map((node, i) => ({ node, path: childPath(this.at(key), i) }));
  }

  /** Warns for every key of this map that was not read. */
  finish(): void {
    if (!this.node) return;
    for (const key of this.node.entries.keys()) {
      if (!this.used.has(key)) warn(this.ctx, this.at(key), 'unknown key, ignored');
    }
  }
}
