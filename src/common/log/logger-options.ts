import type { LogLevelName } from './log-scope.js';

/**
 * Options of one logger scope: the keys of polaris-server's `bootstrap.logger.<scope>` map
 * (`common/log/options.go`), with what polaris-ts does with each.
 */
export interface LoggerOptions {
  /** Main log file (relative paths resolve against the logger's base directory). '' = no file. */
  readonly rotateOutputPath: string;
  /** File that additionally receives error-and-above lines. '' = none. */
  readonly errorRotateOutputPath: string;
  /** Rotate when the file reaches this many MB (fractions allowed, used by tests). */
  readonly rotationMaxSize: number;
  /** Rotated files kept; 0 = unlimited. */
  readonly rotationMaxBackups: number;
  /** Rotated files older than this many days are deleted after each rotation; 0 = keep. */
  readonly rotationMaxAge: number;
  /** Also rotate every N hours (0 = size only). Rounded to a divisor of 24, or whole days. */
  readonly rotationMaxDurationForHour: number;
  /** debug, info, warn, error, fatal or none. */
  readonly outputLevel: LogLevelName;
  /** gzip rotated files. */
  readonly compress: boolean;
  /** Write only the message text (no time, level or fields) to the files, like upstream's audit logs. */
  readonly onlyContent: boolean;
  /** Extra sinks: 'stdout', 'stderr' (compact lines) or a file path (JSON lines, not rotated). */
  readonly outputPaths: readonly string[];
  /** Where the logger reports its own failures (e.g. a log file that cannot be opened): 'stdout', 'stderr' or a file. */
  readonly errorOutputPaths: readonly string[];
  /** Accepted for compatibility; files are always JSON lines (pino). */
  readonly jsonEncoding: boolean;
  /** Accepted for compatibility; errors passed as `err` always carry their stack. */
  readonly stackTraceLevel: string;
  /** Accepted for compatibility; pino records no caller. */
  readonly disableLogCaller: boolean;
}

interface ScopeFileSpec {
  readonly dir: string;
  readonly file: string;
  readonly onlyContent?: boolean;
  readonly rotationMaxBackups?: number;
  readonly rotationMaxDurationForHour?: number;
}

/** The scopes polaris-server configures when `bootstrap.logger` is absent (`default_boot.go`). */
const BUILTIN_SCOPES: Readonly<Record<string, ScopeFileSpec>> = {
  config: { dir: 'runtime', file: 'config' },
  auth: { dir: 'runtime', file: 'auth' },
  store: { dir: 'runtime', file: 'store' },
  cache: { dir: 'runtime', file: 'cache' },
  naming: { dir: 'runtime', file: 'naming' },
  healthcheck: { dir: 'runtime', file: 'healthcheck' },
  xdsv3: { dir: 'runtime', file: 'xdsv3' },
  eureka: { dir: 'runtime', file: 'eureka' },
  apiserver: { dir: 'runtime', file: 'apiserver' },
  default: { dir: 'runtime', file: 'default' },
  'token-bucket': { dir: 'runtime', file: 'ratelimit' },
  discoverLocal: { dir: 'statis', file: 'discoverstat' },
  local: { dir: 'statis', file: 'statis' },
  HistoryLogger: { dir: 'operation', file: 'history', onlyContent: true, rotationMaxDurationForHour: 24 },
  discoverEventLocal: { dir: 'event', file: 'discoverevent', onlyContent: true },
  cmdb: { dir: 'runtime', file: 'cmdb' },
};

export const BUILTIN_LOGGER_SCOPE_NAMES: readonly string[] = Object.keys(BUILTIN_SCOPES);

/**
 * Default options for a scope: upstream's built-in values for its known scopes
 * (`log/<dir>/polaris-<name>.log`, 100 MB, 30 backups, 7 days, info, gzip); any other scope name
 * gets the same values with `log/runtime/polaris-<scope>.log`.
 */
export function defaultLoggerOptions(scope: string): LoggerOptions {
  const spec = BUILTIN_SCOPES[scope] ?? { dir: 'runtime', file: scope };
  return {
    rotateOutputPath: `log/${spec.dir}/polaris-${spec.file}.log`,
    errorRotateOutputPath: `log/${spec.dir}/polaris-${spec.file}-error.log`,
    rotationMaxSize: 100,
    rotationMaxBackups: spec.rotationMaxBackups ?? 30,
    rotationMaxAge: 7,
    rotationMaxDurationForHour: spec.rotationMaxDurationForHour ?? 0,
    outputLevel: 'info',
    compress: true,
    onlyContent: spec.onlyContent ?? false,
    outputPaths: [],
    errorOutputPaths: [],
    jsonEncoding: false,
    stackTraceLevel: 'none',
    disableLogCaller: false,
  };
}

/** Upstream's full default scope map. */
export function defaultLoggerConfig(): Record<string, LoggerOptions> {
  const out: Record<string, LoggerOptions> = {};
  for (const name of BUILTIN_LOGGER_SCOPE_NAMES) out[name] = defaultLoggerOptions(name);
  return out;
}
