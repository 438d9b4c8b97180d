import type { Logger } from 'pino';
import type { ConnLimiters } from '../common/conn-limit.js';
import type { Loggers } from '../common/log/api.js';
import { isKnownLogScope, isLogLevelName } from '../common/log/log-scope.js';
import { authModuleConfig } from './admin-account.js';
import { loadConfig, type ServerConfig } from './config/api.js';
import { connSettings } from './operations.js';

/** What a reload can change in the running server. */
export interface Reloadable {
  loggers: Loggers;
  limiters: ConnLimiters;
  auth?: { updateSwitches(s: ReturnType<typeof authModuleConfig>): void };
  /** Further parts that follow the file (the API rate limit). */
  extra?: Array<(next: ServerConfig) => void>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Sections and keys applied by a reload; any other difference needs a restart. */
function restartNeeded(cur: ServerConfig, next: ServerConfig): string[] {
  const out: string[] = [];
  for (const key of ['namespace', 'naming', 'healthcheck', 'config', 'cache', 'store', 'maintain'] as const) {
    if (!same(cur[key], next[key])) out.push(key);
  }
  if (!same(cur.bootstrap.polaris_service, next.bootstrap.polaris_service)) out.push('bootstrap.polaris_service');
  if (!same(cur.bootstrap.startInOrder, next.bootstrap.startInOrder)) out.push('bootstrap.startInOrder');
  const listeners = (c: ServerConfig) => c.apiservers.map((a) => ({ ...a, option: { ...a.option, connLimit: undefined } }));
  if (!same(listeners(cur), listeners(next))) out.push('apiservers (other than connLimit)');
  if (!same(cur.auth.user, next.auth.user) || cur.auth.strategy.name !== next.auth.strategy.name) out.push('auth.user / auth.strategy.name');
  const plugin = (c: ServerConfig) => ({ ...c.plugin, ratelimit: undefined });
  if (!same(plugin(cur), plugin(next))) out.push('plugin (other than ratelimit)');
  return out;
}

/**
 * SIGHUP: re-reads the file the server started from and applies what can change at run time — log
 * outputs and levels (and reopens log files for external rotation), connection limits, the auth switches and
 * whatever `extra` follows — then logs what differs but needs a restart. A file that does not load
 * changes nothing: the running configuration stays and the reason is logged. Resolves the
 * configuration now in force.
 */
export function reloadConfig(current: ServerConfig, env: NodeJS.ProcessEnv, parts: Reloadable, log: Logger): ServerConfig {
  parts.loggers.reopen();
  let next: ServerConfig;
  try {
    const loaded = loadConfig(current.file, env);
    next = loaded.config;
    for (const w of loaded.warnings) log.warn(w);
  } catch (err) {
    log.error({ err, file: current.file }, 'reload failed: the file cannot be used; the running configuration stays');
    return current;
  }

  const applied: string[] = [];
  const loggersNeedRestart = parts.loggers.reconfigure(next.bootstrap.logger);
  applied.push('log outputs');
  for (const [scope, o] of Object.entries(next.bootstrap.logger)) {
    if (!isKnownLogScope(scope) || !isLogLevelName(o.outputLevel)) continue;
    parts.loggers.setLevel(scope, o.outputLevel);
  }
  applied.push('log levels');
  for (const entry of next.apiservers) {
    const limiter = parts.limiters.find(entry.name);
    if (limiter && limiter.name === entry.name) limiter.update(connSettings(entry.option.connLimit));
  }
  applied.push('connLimit');
  if (parts.auth) {
    parts.auth.updateSwitches(authModuleConfig(next));
    applied.push('auth switches');
  }
  for (const apply of parts.extra ?? []) {
    try {
      apply(next);
    } catch (err) {
      log.error({ err }, 'reload: a part could not take the new settings; it keeps the running ones');
    }
  }

  const restart = restartNeeded(current, next);
  for (const s of loggersNeedRestart) restart.push(`bootstrap.logger.${s} (files of its own)`);
  if (restart.length > 0) log.warn({ keys: restart }, 'reload: these changes need a restart and were not applied');
  log.info({ file: next.file, applied }, 'configuration reloaded');
  return next;
}
