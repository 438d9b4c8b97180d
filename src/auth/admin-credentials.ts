import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { ADMIN_USER_NAME } from './seed-admin.js';

/**
 * Writes generated admin secrets to a file only the server's OS user can read (mode 0600), via a
 * temporary file renamed into place so the secret is never readable by others, even briefly.
 */
export function writeAdminCredentials(path: string, secrets: { password?: string; token?: string }): void {
  const lines = [
    '# polaris-ts: generated credentials of the main account, written once at first start.',
    `user=${ADMIN_USER_NAME}`,
    ...(secrets.password !== undefined ? [`password=${secrets.password}`] : []),
    ...(secrets.token !== undefined ? [`token=${secrets.token}`] : []),
    '',
  ];
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, lines.join('\n'), { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** What the operator is told once, on stdout. */
export function adminNotice(path: string, secrets: { password?: string; token?: string }): string {
  const out = ['', 'polaris-ts: created the main account on first start. Write these down; they are not shown again.'];
  out.push(`  user:     ${ADMIN_USER_NAME}`);
  if (secrets.password !== undefined) out.push(`  password: ${secrets.password}`);
  if (secrets.token !== undefined) out.push(`  token:    ${secrets.token}`);
  out.push(`  (also saved in ${path}, readable only by this OS user)`);
  out.push(`  Log in: POST /core/v1/user/login {"name":"${ADMIN_USER_NAME}","password":"…"}, or send the token in the X-Polaris-Token header.`);
  out.push('');
  return out.join('\n') + '\n';
}
