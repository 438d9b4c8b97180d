import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { adminNotice, writeAdminCredentials } from '../auth/admin-credentials.js';
import type { AuthModuleConfig } from '../auth/config.js';
import { weakSaltReason } from '../auth/config.js';
import { seedAdmin } from '../auth/seed-admin.js';
import type { AuthStore } from '../store/auth-api.js';
import type { ServerConfig } from './config/api.js';

/** File holding generated admin secrets, next to the SQLite database. */
export const ADMIN_CREDENTIALS_FILE = 'polaris-admin.credentials';

export function authModuleConfig(config: ServerConfig): AuthModuleConfig {
  const o = config.auth.strategy.option;
  return {
    salt: config.auth.user.option.salt,
    consoleOpen: o.consoleOpen || o.strict,
    consoleStrict: o.consoleStrict,
    clientOpen: o.clientOpen,
    clientStrict: o.clientStrict,
  };
}

/**
 * First start: creates the main account `polaris` with the password and token from the
 * environment (POLARIS_ADMIN_PASSWORD / POLARIS_ADMIN_TOKEN) or the configuration
 * (auth.user.option.adminPassword / adminToken), generating what is missing. Generated secrets are
 * written to a 0600 file next to the database and handed to `notice` once (main.ts prints them on
 * stdout); they are never logged. Later starts change nothing.
 */
export async function ensureAdminAccount(
  store: AuthStore,
  config: ServerConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  notice: ((text: string) => void) | undefined,
): Promise<void> {
  const salt = config.auth.user.option.salt;
  const weak = weakSaltReason(salt);
  if (weak) log.warn(`auth.user.option.salt is weak (${weak}); set a random salt of 16, 24 or 32 characters for production`);
  if (Object.keys(config.auth.strategy.option.credibleHeaders).length > 0) {
    log.warn('auth.strategy.option.credibleHeaders is ignored: no request is trusted because of its headers');
  }
  const password = env.POLARIS_ADMIN_PASSWORD || config.auth.user.option.adminPassword || undefined;
  const token = env.POLARIS_ADMIN_TOKEN || config.auth.user.option.adminToken || undefined;
  const result = await seedAdmin(store, { salt, password, token });
  if (!result.created) {
    if (password || token) log.info('the main account polaris exists already; the configured admin password / token were not applied');
    return;
  }
  if (result.generatedPassword === undefined && result.generatedToken === undefined) {
    log.info('created the main account polaris with the configured password and token');
    return;
  }
  const secrets = { password: result.generatedPassword, token: result.generatedToken };
  const dbPath = config.store.name === 'sqliteStore' ? config.store.option.path : join(process.cwd(), 'polaris.db');
  const file = resolve(dirname(dbPath), ADMIN_CREDENTIALS_FILE);
  writeAdminCredentials(file, secrets);
  log.warn({ file }, 'created the main account polaris with generated credentials (saved in the file; not logged)');
  notice?.(adminNotice(file, secrets));
}
