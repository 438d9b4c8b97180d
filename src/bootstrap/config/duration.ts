const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a Go duration string ("32ms", "1s", "1m30s", "-5s", "1.5h", "0") into milliseconds,
 * as Go's time.ParseDuration does: an optional sign, then one or more decimal numbers each
 * followed by a unit (ns, us/µs, ms, s, m, h). The result may be fractional (e.g. "100us" = 0.1).
 * Throws a RangeError for anything else, including a bare number other than "0".
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  let rest = input;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new RangeError(`invalid duration "${text}"`);
  let total = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw new RangeError(`invalid duration "${text}"`);
    total += Number(m[1]) * (UNIT_MS[m[2]] as number);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}
