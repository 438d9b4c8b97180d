import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseApiServers } from './parse-apiservers.js';
import { parseBootstrap, resolveSelfProtocols } from './parse-bootstrap.js';
import { parseAuth, parseCache, parseConfigCenter, parseHealthCheck, parseNamespace, parseNaming } from './parse-modules.js';
import { parseMaintain, parsePlugin } from './parse-plugin.js';
import { parseStore } from './parse-store.js';
import { parseRaw } from './raw.js';
import { Section, type ParseContext } from './section.js';
import type { ServerConfig } from './types.js';

export interface LoadedConfig {
  readonly config: ServerConfig;
  /** One line per unknown key, unset variable, deprecated form or substitution, naming the key path. */
  readonly warnings: string[];
}

type DeepFrozen<T> = T extends object ? { readonly [K in keyof T]: DeepFrozen<T[K]> } : T;

function deepFreeze<T>(value: T): DeepFrozen<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value as DeepFrozen<T>;
}

/**
 * Parses config text (already read from `file`, which is only used for messages and confDir).
 * Throws ConfigError for syntax errors, wrong types and invalid values.
 */
export function parseConfigText(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  const warnings: string[] = [];
  const ctx: ParseContext = { file, warnings };
  const rootNode = parseRaw(text, { file, env, warnings });
  const root = Section.of(ctx, '', rootNode);

  const bootstrapSection = root.section('bootstrap');
  const { bootstrap, servicesWritten } = parseBootstrap(bootstrapSection);
  const apiservers = parseApiServers(root);
  const polaris_service = resolveSelfProtocols(
    bootstrapSection,
    bootstrap.polaris_service,
    apiservers.map((a) => a.name),
    servicesWritten,
  );
  const absFile = resolve(file);
  const config: ServerConfig = {
    file: absFile,
    confDir: dirname(absFile),
    bootstrap: { ...bootstrap, polaris_service },
    apiservers,
    auth: parseAuth(root.section('auth')),
    namespace: parseNamespace(root.section('namespace')),
    naming: parseNaming(root.section('naming')),
    healthcheck: parseHealthCheck(root.section('healthcheck')),
    config: parseConfigCenter(root.section('config')),
    cache: parseCache(root.section('cache')),
    store: parseStore(root.section('store')),
    plugin: parsePlugin(root.section('plugin')),
    maintain: parseMaintain(root.section('maintain')),
  };
  root.finish();
  return { config: deepFreeze(config), warnings };
}

/**
 * Reads and validates polaris-server.yaml. Keys, meanings and defaults follow polaris-server;
 * differences: `$$` writes a literal `$`; variables expand inside values only; a missing
 * `naming.batch` / `healthcheck.batch` gets defaults; unknown keys are warnings; boltdbStore runs
 * on SQLite. Throws ConfigError naming the file (and key path) when the file cannot be used.
 */
export function loadConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read file: ${(err as Error).message}`;
    throw new ConfigError(path, undefined, why, undefined, { cause: err });
  }
  return parseConfigText(text, path, env);
}
