export { createLoggers, type CreateLoggersOptions, type Loggers, type ScopeLevel } from './create-loggers.js';
export {
  LOG_LEVEL_NAMES,
  LOG_SCOPES,
  PLUGIN_LOG_SCOPES,
  isKnownLogScope,
  isLogLevelName,
  type AnyLogScope,
  type LogLevelName,
  type LogScope,
  type PluginLogScope,
} from './log-scope.js';
export {
  BUILTIN_LOGGER_SCOPE_NAMES,
  defaultLoggerConfig,
  defaultLoggerOptions,
  type LoggerOptions,
} from './logger-options.js';
export { REDACT_CENSOR, REDACT_PATHS } from './redact.js';
export type { Logger } from 'pino';
