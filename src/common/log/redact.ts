/** Field names whose values never reach a log line, at the top level or up to three levels deep. */
const SECRET_KEYS = [
  'password',
  'passwd',
  'dbPwd',
  'kvPasswd',
  'token',
  'auth_token',
  'salt',
  '"x-polaris-token"',
  '"X-Polaris-Token"',
  'authorization',
] as const;

function key(k: string, prefix: string): string {
  if (k.startsWith('"')) return prefix === '' ? `[${k}]` : `${prefix}[${k}]`;
  return prefix === '' ? k : `${prefix}.${k}`;
}

/** pino `redact` paths (fast-redact syntax). */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [
  key(k, ''),
  key(k, '*'),
  key(k, '*.*'),
  key(k, '*.*.*'),
]);

export const REDACT_CENSOR = '[REDACTED]';
