/** Lightweight syntax colouring for the code editor: escapes HTML, then wraps tokens in spans. */

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const span = (cls: string, s: string) => `<span class="t-${cls}">${s}</span>`;

function json(text: string): string {
  return esc(text).replace(
    /("(?:[^"\\\n]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)/g,
    (m, str, colon, lit, num) => {
      if (str) return colon ? span('key', str) + colon : span('str', str);
      if (lit) return span('lit', lit);
      if (num) return span('num', num);
      return m;
    },
  );
}

function lines(text: string, fn: (line: string) => string): string {
  return text.split('\n').map(fn).join('\n');
}

function yaml(text: string): string {
  return lines(text, (line) => {
    const e = esc(line);
    if (/^\s*#/.test(line)) return span('com', e);
    return e.replace(/^(\s*-?\s*)([^:#\s][^:#]*?)(:)(\s|$)/, (_m, a, k, c, s) => `${a}${span('key', k)}${c}${s}`).replace(
      /(:\s+|-\s+)("[^"]*"|'[^']*'|true|false|null|-?\d+(?:\.\d+)?)\s*$/,
      (_m, p, v) => p + span(/^["']/.test(v) ? 'str' : /^\d|^-/.test(v) ? 'num' : 'lit', v),
    );
  });
}

function properties(text: string): string {
  return lines(text, (line) => {
    const e = esc(line);
    if (/^\s*[#!]/.test(line)) return span('com', e);
    return e.replace(/^(\s*[^=:\s]+)(\s*[=:])/, (_m, k, s) => span('key', k) + s);
  });
}

function xml(text: string): string {
  return esc(text)
    .replace(/(&lt;!--[\s\S]*?--&gt;)/g, (m) => span('com', m))
    .replace(/(&lt;\/?)([\w:.-]+)/g, (_m, a, t) => a + span('key', t))
    .replace(/([\w:.-]+)=("[^"]*")/g, (_m, a, v) => `${span('lit', a)}=${span('str', v)}`);
}

export function highlight(text: string, format: string): string {
  switch ((format || '').toLowerCase()) {
    case 'json':
      return json(text);
    case 'yaml':
    case 'yml':
      return yaml(text);
    case 'properties':
    case 'ini':
    case 'toml':
      return properties(text);
    case 'xml':
    case 'html':
      return xml(text);
    default:
      return esc(text);
  }
}
