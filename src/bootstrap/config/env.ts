/**
 * Environment-variable expansion for configuration values.
 *
 * Same rules as polaris-server (Go's os.ExpandEnv), with one deliberate difference:
 * - `${NAME}` and `$NAME` (NAME = letters, digits, `_`) are replaced by the variable's value;
 *   an unset variable becomes the empty string.
 * - `$` followed by one shell-special character (`*#@!?-` or a digit) names that one-character
 *   variable, as in Go (normally unset, hence empty).
 * - `${}` and an unterminated `${` are dropped; a `$` followed by anything else, or at the end,
 *   stays as is.
 * - DIFFERENCE: `$$` is a literal `$`. Go would look up the variable named `$` (always empty),
 *   leaving no way to write a dollar sign, e.g. Java's `InstanceInfo$DefaultDataCenterInfo`.
 *
 * polaris-server expands the raw file text; polaris-ts expands only scalar values after parsing,
 * so a variable's value can never change the YAML structure.
 */
export interface Expansion {
  readonly text: string;
  /** Variables referenced but not set in the environment. */
  readonly unset: readonly string[];
}

const SPECIAL = '*#@!?-0123456789';

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

export function expandEnv(input: string, env: Readonly<Record<string, string | undefined>>): Expansion {
  if (!input.includes('$')) return { text: input, unset: [] };
  const unset: string[] = [];
  const lookup = (name: string): string => {
    const v = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    if (v === undefined) {
      if (!unset.includes(name)) unset.push(name);
      return '';
    }
    return v;
  };
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const close = input.indexOf('}', i + 2);
      if (close < 0) {
        i += 2; // unterminated "${" is dropped, as in Go
      } else {
        const name = input.slice(i + 2, close);
        if (name !== '') out += lookup(name);
        i = close + 1;
      }
    } else if (SPECIAL.includes(next)) {
      out += lookup(next);
      i += 2;
    } else if (isNameChar(next)) {
      let j = i + 1;
      while (j < input.length && isNameChar(input[j])) j++;
      out += lookup(input.slice(i + 1, j));
      i = j;
    } else {
      out += '$';
      i++;
    }
  }
  return { text: out, unset };
}
