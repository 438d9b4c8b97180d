export { ConfigError } from './config-error.js';
export { parseDuration } from './duration.js';
export { expandEnv, type Expansion } from './env.js';
export { loadConfig, parseConfigText, type LoadedConfig } from './load-config.js';
export { API_SERVER_NAMES } from './parse-apiservers.js';
export { KNOWN_JOBS, PLUGIN_CATEGORIES } from './parse-plugin.js';
export { sqlitePathForBolt } from './parse-store.js';
export { redactedSummary, type ConfigSummary } from './redacted-summary.js';
export type * from './types.js';
