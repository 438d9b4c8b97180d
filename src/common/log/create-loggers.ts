import { appendFile } from 'node:fs';
import pino, { type Logger } from 'pino';
import { ConsoleSink, PlainFileSink, contentOnly, resolveLogPath, type Sink } from './line-sinks.js';
import { defaultLoggerOptions, type LoggerOptions } from './logger-options.js';
import { LOG_SCOPES, isKnownLogScope, isLogLevelName, type AnyLogScope, type LogLevelName } from './log-scope.js';
import { REDACT_CENSOR, REDACT_PATHS } from './redact.js';
import { RotatingSink } from './rotating-sink.js';

export interface CreateLoggersOptions {
  /** Directory relative log paths resolve against (default: the process working directory). */
  readonly baseDir?: string;
  /**
   * true (default): every scope also prints a compact info-and-above line to stdout, so a
   * foreground server shows life. false: no console output at all, including `outputPaths`
   * entries 'stdout'/'stderr' (quiet mode for tests and daemons).
   */
  readonly stdout?: boolean;
}

export interface ScopeLevel {
  readonly name: string;
  readonly level: LogLevelName;
}

export interface Loggers {
  /** The `default` scope. */
  readonly root: Logger;
  /** The logger of a scope; the same object on every call. Create per-request children from it. */
  scope(name: AnyLogScope): Logger;
  /** Changes a scope's level at run time; children created from the scope logger follow. */
  setLevel(scope: AnyLogScope, level: LogLevelName): void;
  /** Configured scopes plus our own scopes, with their current levels. */
  levels(): ScopeLevel[];
  /** Resolves once everything logged so far is written. */
  flush(): Promise<void>;
  /** Flushes and closes every file. Later log calls are dropped. */
  close(): Promise<void>;
  /** Re-opens every file at its configured path (after an external tool moved the files away). */
  reopen(): void;
  /**
   * Reload: points each scope with files of its own at the new `outputPaths` / rotation files.
   * Levels are not touched (setLevel does that). Resolves the scopes whose change needs a restart.
   */
  reconfigure(next: Readonly<Record<string, LoggerOptions>>): string[];
}

type PinoLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

function toPino(level: LogLevelName): PinoLevel {
  return level === 'none' ? 'silent' : level;
}

function fromPino(level: string): LogLevelName {
  if (level === 'silent') return 'none';
  if (level === 'trace') return 'debug';
  return isLogLevelName(level) ? level : 'info';
}

/**
 * Builds the per-scope loggers from `bootstrap.logger`. Each configured scope is its own pino
 * logger (so it can write to its own files) whose `scope` binding names it; scopes without an
 * entry are children of the `default` scope and share its files. Nothing is global: two logger
 * sets can coexist, and no process handlers are installed.
 */
export function createLoggers(
  initialConfig: Readonly<Record<string, LoggerOptions>>,
  opts: CreateLoggersOptions = {},
): Loggers {
  let loggerConfig = initialConfig;
  const baseDir = opts.baseDir ?? process.cwd();
  const consoleAllowed = opts.stdout !== false;
  const sinksByKey = new Map<string, Sink>();
  const scopes = new Map<string, Logger>();
  const pendingLevels = new Map<string, LogLevelName>();
  let closed = false;

  const optionsOf = (name: string): LoggerOptions | undefined =>
    Object.prototype.hasOwnProperty.call(loggerConfig, name) ? loggerConfig[name] : undefined;

  const reporterFor = (o: LoggerOptions) => (message: string): void => {
    const line = `[polaris-ts logger] ${message}\n`;
    const targets = o.errorOutputPaths.length > 0 ? o.errorOutputPaths : ['stderr'];
    for (const t of targets) {
      if (t === 'stderr') process.stderr.write(line);
      else if (t === 'stdout') process.stdout.write(line);
      else appendFile(resolveLogPath(baseDir, t), line, () => undefined);
    }
  };

  const shared = (key: string, make: () => Sink): Sink => {
    let sink = sinksByKey.get(key);
    if (!sink) {
      sink = make();
      sinksByKey.set(key, sink);
    }
    return sink;
  };

  const rotating = (path: string, o: LoggerOptions, format: ((l: string) => string) | undefined): Sink => {
    const abs = resolveLogPath(baseDir, path);
    return shared(`file:${abs}`, () =>
      new RotatingSink({
        path: abs,
        maxSizeBytes: o.rotationMaxSize * 1024 * 1024,
        maxFiles: o.rotationMaxBackups,
        maxAgeDays: o.rotationMaxAge,
        intervalHours: o.rotationMaxDurationForHour,
        compress: o.compress,
        format,
        onError: reporterFor(o),
      }),
    );
  };

  /** Each own pino instance's streams, by the scope whose options built it (reconfigure). */
  const outputs = new Map<string, { ms: pino.MultiStreamRes; options: LoggerOptions }>();

  const entriesFor = (o: LoggerOptions): pino.StreamEntry[] => {
    const entries: pino.StreamEntry[] = [];
    const format = o.onlyContent ? contentOnly : undefined;
    if (o.rotateOutputPath) entries.push({ level: 'trace', stream: rotating(o.rotateOutputPath, o, format) });
    if (o.errorRotateOutputPath) entries.push({ level: 'error', stream: rotating(o.errorRotateOutputPath, o, format) });
    let onStdout = false;
    for (const p of o.outputPaths) {
      if (p === 'stdout' || p === 'stderr') {
        if (!consoleAllowed) continue;
        if (p === 'stdout') onStdout = true;
        entries.push({ level: 'trace', stream: shared(`console:${p}`, () => new ConsoleSink(process[p])) });
      } else {
        const abs = resolveLogPath(baseDir, p);
        entries.push({ level: 'trace', stream: shared(`plain:${abs}`, () => new PlainFileSink(abs, reporterFor(o))) });
      }
    }
    if (consoleAllowed && !onStdout) {
      entries.push({ level: 'info', stream: shared('console:stdout', () => new ConsoleSink(process.stdout)) });
    }
    return entries;
  };

  const buildInstance = (name: string, o: LoggerOptions): pino.Logger => {
    const ms = pino.multistream(entriesFor(o));
    outputs.set(name, { ms, options: o });
    const instance = pino(
      {
        level: toPino(o.outputLevel),
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: [...REDACT_PATHS], censor: REDACT_CENSOR },
      },
      ms,
    );
    return instance;
  };

  const defaultOptions = optionsOf('default') ?? defaultLoggerOptions('default');
  const defaultInstance = buildInstance('default', defaultOptions);
  const root = defaultInstance.child({ scope: 'default' });
  scopes.set('default', root);

  const scope = (name: AnyLogScope): Logger => {
    let logger = scopes.get(name);
    if (logger) return logger;
    if (!isKnownLogScope(name)) throw new Error(`unknown log scope: ${String(name)}`);
    const o = optionsOf(name);
    // A configured scope gets its own files; any other scope shares the default scope's files
    // but keeps a level of its own.
    logger = o
      ? buildInstance(name, o).child({ scope: name })
      : defaultInstance.child({ scope: name }, { level: root.level });
    const pending = pendingLevels.get(name);
    if (pending) {
      logger.level = toPino(pending);
      pendingLevels.delete(name);
    }
    scopes.set(name, logger);
    return logger;
  };

  const setLevel = (name: AnyLogScope, level: LogLevelName): void => {
    if (!isKnownLogScope(name)) throw new Error(`unknown log scope: ${String(name)}`);
    if (!isLogLevelName(level)) throw new Error(`invalid log level: ${String(level)}`);
    const logger = scopes.get(name);
    if (logger) logger.level = toPino(level);
    else pendingLevels.set(name, level);
  };

  const levels = (): ScopeLevel[] => {
    const names = new Set<string>([...Object.keys(loggerConfig), ...LOG_SCOPES]);
    const out: ScopeLevel[] = [];
    for (const name of [...names].sort()) {
      const live = scopes.get(name);
      let level: LogLevelName;
      if (live) level = fromPino(live.level);
      else level = pendingLevels.get(name) ?? optionsOf(name)?.outputLevel ?? fromPino(root.level);
      out.push({ name, level });
    }
    return out;
  };

  const flush = async (): Promise<void> => {
    await Promise.all([...sinksByKey.values()].map((s) => s.flush()));
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await flush();
    await Promise.all([...sinksByKey.values()].map((s) => s.close()));
  };

  const reopen = (): void => {
    if (closed) return;
    for (const s of sinksByKey.values()) s.reopen();
  };

  const reconfigure = (next: Readonly<Record<string, LoggerOptions>>): string[] => {
    loggerConfig = next;
    const needRestart: string[] = [];
    const sameOutputs = (a: LoggerOptions, b: LoggerOptions) => JSON.stringify({ ...a, outputLevel: '' }) === JSON.stringify({ ...b, outputLevel: '' });
    for (const [name, out] of outputs) {
      const o = Object.prototype.hasOwnProperty.call(next, name) ? next[name] : name === 'default' ? defaultLoggerOptions('default') : undefined;
      if (!o) {
        needRestart.push(name);
        continue;
      }
      if (sameOutputs(out.options, o)) continue;
      for (const st of [...out.ms.streams] as unknown as Array<{ id: number }>) out.ms.remove(st.id);
      for (const e of entriesFor(o)) out.ms.add(e);
      out.options = o;
    }
    // A scope that shares the default files today but now has files of its own is rebuilt at restart.
    for (const name of Object.keys(next)) {
      if (scopes.has(name) && !outputs.has(name)) needRestart.push(name);
    }
    // Files no scope writes any more are closed.
    const used = new Set<Sink>();
    for (const out of outputs.values()) for (const st of out.ms.streams) used.add(st.stream as unknown as Sink);
    for (const [key, sink] of sinksByKey) {
      if (!used.has(sink)) {
        sinksByKey.delete(key);
        void sink.close();
      }
    }
    return needRestart;
  };

  return { root, scope, setLevel, levels, flush, close, reopen, reconfigure };
}
