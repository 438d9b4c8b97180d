import assert from 'node:assert/strict';
import { call, defaultYaml } from './daemon.js';

/** defaultYaml() with console auth on (the maintain and debug routes then need the admin's token). */
export function authOnYaml(yaml = defaultYaml()): string {
  const off = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
  assert.ok(yaml.includes(off), 'the test daemon config has changed');
  return yaml.replace(off, 'auth:\n  strategy:\n    option:\n      consoleOpen: true\n      clientOpen: false');
}

/** Logs in as the main account `polaris` and resolves its token. */
export async function loginToken(http: string, password: string): Promise<string> {
  const r = await call(http, 'POST', '/core/v1/user/login', { name: 'polaris', password });
  assert.equal(r.status, 200, r.text);
  return r.body.loginResponse.token;
}
