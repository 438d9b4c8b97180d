/**
 * A small, strict XML reader and writer for the shapes Eureka clients exchange (XStream output:
 * elements, attributes, text; no namespaces, no DTDs). Documents map to the same JSON form Eureka's
 * Jackson codec uses, so one converter serves both encodings:
 *
 * - an element with neither attributes nor child elements is its text;
 * - otherwise an object: attributes as `@name`, child elements by name (repeated names become an
 *   array), non-blank text as `$`.
 *
 * Anything malformed (unclosed or mismatched tags, stray text after the root, a DOCTYPE, an unknown
 * entity) throws XmlError; nothing is guessed.
 */

export class XmlError extends Error {}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const MAX_DEPTH = 64;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, at: number): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{1,10});/g, (_m, e: string) => {
    if (e in ENTITIES) return ENTITIES[e];
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : e.startsWith('#') ? parseInt(e.slice(1), 10) : NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) throw new XmlError(`unknown entity &${e}; near offset ${at}`);
    return String.fromCodePoint(code);
  });
}

class Reader {
  private pos = 0;
  constructor(private readonly src: string) {}

  fail(msg: string): never {
    throw new XmlError(`${msg} at offset ${this.pos}`);
  }

  /** Skips whitespace, comments, processing instructions; refuses DOCTYPE. */
  private skipMisc(): void {
    for (;;) {
      while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
      if (this.src.startsWith('<?', this.pos)) this.skipTo('?>');
      else if (this.src.startsWith('<!--', this.pos)) this.skipTo('-->');
      else if (this.src.startsWith('<!', this.pos)) this.fail('DOCTYPE and declarations are not accepted');
      else return;
    }
  }

  private skipTo(end: string): void {
    const i = this.src.indexOf(end, this.pos);
    if (i < 0) this.fail(`unterminated ${end}`);
    this.pos = i + end.length;
  }

  private name(): string {
    const m = /^[^\s/>=<"']+/.exec(this.src.slice(this.pos, this.pos + 256));
    if (!m || !NAME_RE.test(m[0].replace(/^[^:]*:/, ''))) this.fail('bad element or attribute name');
    this.pos += m[0].length;
    return m[0];
  }

  document(): { name: string; value: XmlValue } {
    this.skipMisc();
    if (this.src[this.pos] !== '<') this.fail('expected the root element');
    const root = this.element(0);
    this.skipMisc();
    if (this.pos < this.src.length) this.fail('content after the root element');
    return root;
  }

  private element(depth: number): { name: string; value: XmlValue } {
    if (depth > MAX_DEPTH) this.fail('elements nested too deeply');
    this.pos++; // '<'
    const name = this.name();
    const obj: XmlObject = {};
    let hasAttrs = false;
    for (;;) {
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const c = this.src[this.pos];
      if (c === undefined) this.fail(`unterminated <${name}>`);
      if (c === '/' && this.src[this.pos + 1] === '>') {
        this.pos += 2;
        return { name, value: hasAttrs ? obj : '' };
      }
      if (c === '>') {
        this.pos++;
        break;
      }
      const attr = this.name();
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      if (this.src[this.pos] !== '=') this.fail(`attribute ${attr} without a value`);
      this.pos++;
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const q = this.src[this.pos];
      if (q !== '"' && q !== "'") this.fail(`attribute ${attr} value not quoted`);
      const end = this.src.indexOf(q, this.pos + 1);
      if (end < 0) this.fail(`unterminated attribute ${attr}`);
      const raw = this.src.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail(`'<' in attribute ${attr}`);
      obj[`@${attr}`] = decodeEntities(raw, this.pos);
      hasAttrs = true;
      this.pos = end + 1;
    }
    let text = '';
    let hasChildren = false;
    const repeated = new Set<string>();
    for (;;) {
      const lt = this.src.indexOf('<', this.pos);
      if (lt < 0) this.fail(`unterminated <${name}>`);
      text += decodeEntities(this.src.slice(this.pos, lt), this.pos);
      this.pos = lt;
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const close = this.name();
        while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
        if (close !== name) this.fail(`</${close}> closes <${name}>`);
        if (this.src[this.pos] !== '>') this.fail(`bad closing tag </${close}`);
        this.pos++;
        break;
      }
      if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unterminated CDATA');
        text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.src.startsWith('<!--', this.pos)) {
        this.skipTo('-->');
        continue;
      }
      if (this.src.startsWith('<?', this.pos)) {
        this.skipTo('?>');
        continue;
      }
      if (this.src.startsWith('<!', this.pos)) this.fail('declarations are not accepted inside elements');
      const child = this.element(depth + 1);
      hasChildren = true;
      const prev = obj[child.name];
      if (prev === undefined) obj[child.name] = child.value;
      else if (repeated.has(child.name)) (prev as XmlValue[]).push(child.value);
      else {
        obj[child.name] = [prev, child.value];
        repeated.add(child.name);
      }
    }
    if (!hasChildren && !hasAttrs) return { name, value: text };
    if (text.trim() !== '') obj.$ = text;
    return { name, value: obj };
  }
}

/** Parses a whole document: the root element's name and its value in the JSON form. */
export function parseXml(src: string): { name: string; value: XmlValue } {
  return new Reader(src).document();
}

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/** Whether `key` can be written as an element name (metadata keys may not be). */
export function isXmlName(key: string): boolean {
  return NAME_RE.test(key) && !/^xml/i.test(key);
}

type Out = unknown;

function writeElement(name: string, value: Out, indent: string, level: number, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) writeElement(name, v, indent, level, out);
    return;
  }
  const pad = indent ? `\n${indent.repeat(level)}` : '';
  if (typeof value !== 'object') {
    out.push(`${pad}<${name}>${escapeText(String(value))}</${name}>`);
    return;
  }
  const entries = Object.entries(value as Record<string, Out>);
  let open = `${pad}<${name}`;
  for (const [k, v] of entries) {
    if (k.startsWith('@') && v !== null && v !== undefined) open += ` ${k.slice(1)}="${escapeAttr(String(v))}"`;
  }
  const body = entries.filter(([k]) => !k.startsWith('@'));
  if (body.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  const text = body.find(([k]) => k === '$');
  if (text) {
    out.push(`${open}>${escapeText(String(text[1]))}</${name}>`);
    return;
  }
  out.push(`${open}>`);
  for (const [k, v] of body) if (isXmlName(k)) writeElement(k, v, indent, level + 1, out);
  out.push(`${pad}</${name}>`);
}

/** One element (JSON form in, XML out), without the XML declaration. */
export function xmlFragment(name: string, value: unknown): string {
  const out: string[] = [];
  writeElement(name, value, '', 0, out);
  return out.join('');
}

/** Serialises one root element (JSON form in, XML out) with the XML declaration. */
export function toXml(rootName: string, value: unknown, indent = ''): string {
  const out: string[] = [];
  writeElement(rootName, value, indent, 0, out);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('').replace(/^\n/, '')}`;
}
