/**
 * Logger scopes. The names mirror polaris-server's `bootstrap.logger.<scope>` keys so one YAML file
 * configures both servers. `LogScope` is the closed set our modules log under; `PluginLogScope` are
 * the scopes upstream's plugins use (audit history, discover events, statistics, rate limiting,
 * CMDB), available to our plugin implementations under the same names.
 */
export const LOG_SCOPES = [
  'config',
  'auth',
  'store',
  'cache',
  'naming',
  'healthcheck',
  'apiserver',
  'xdsv3',
  'eureka',
  'default',
  'batch',
] as const;

export type LogScope = (typeof LOG_SCOPES)[number];

export const PLUGIN_LOG_SCOPES = [
  'token-bucket',
  'discoverLocal',
  'local',
  'HistoryLogger',
  'discoverEventLocal',
  'cmdb',
] as const;

export type PluginLogScope = (typeof PLUGIN_LOG_SCOPES)[number];

export type AnyLogScope = LogScope | PluginLogScope;

/** polaris-server's level names (`outputLevel`). `none` silences the scope. */
export const LOG_LEVEL_NAMES = ['debug', 'info', 'warn', 'error', 'fatal', 'none'] as const;

export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export function isLogLevelName(value: string): value is LogLevelName {
  return (LOG_LEVEL_NAMES as readonly string[]).includes(value);
}

export function isKnownLogScope(name: string): name is AnyLogScope {
  return (LOG_SCOPES as readonly string[]).includes(name) || (PLUGIN_LOG_SCOPES as readonly string[]).includes(name);
}
