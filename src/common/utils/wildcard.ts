/**
 * polaris-server's list wildcards: `abc*` prefix, `*abc` suffix, `*abc*` contains; anything else is
 * an exact match. Returns a predicate; `ignoreCase` lower-cases both sides.
 */
export function wildcardMatcher(pattern: string, ignoreCase = false): (value: string) => boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const norm = ignoreCase ? (v: string) => v.toLowerCase() : (v: string) => v;
  const starts = p.startsWith('*');
  const ends = p.length > 1 && p.endsWith('*');
  if (starts && ends) {
    const core = p.slice(1, -1);
    return (v) => norm(v).includes(core);
  }
  if (ends) {
    const core = p.slice(0, -1);
    return (v) => norm(v).startsWith(core);
  }
  if (starts) {
    const core = p.slice(1);
    return (v) => norm(v).endsWith(core);
  }
  return (v) => norm(v) === p;
}

export function isWildcard(pattern: string): boolean {
  return pattern.startsWith('*') || pattern.endsWith('*');
}
