import type { ServerConfig } from './types.js';

export interface ConfigSummary {
  readonly file: string;
  readonly store: Readonly<Record<string, string>>;
  readonly apiservers: readonly string[];
  readonly selfRegister: string;
  readonly startInOrder: string;
  readonly auth: string;
  readonly namespaceAutoCreate: boolean;
  readonly namingAutoCreate: boolean;
  readonly healthcheck: string;
  readonly configCenter: boolean;
  readonly plugins: readonly string[];
  readonly maintainJobs: readonly string[];
  readonly logScopes: number;
}

/**
 * A short summary for the start-up log line. Built from an allow-list of fields, so nothing
 * secret can reach it: no passwords, salts, tokens, plugin or checker options.
 */
export function redactedSummary(config: ServerConfig): ConfigSummary {
  const store: Record<string, string> =
    config.store.name === 'sqliteStore'
      ? {
          name: config.store.name,
          path: config.store.option.path,
          ...(config.store.fromBoltdb ? { configuredAs: `boltdbStore ${config.store.fromBoltdb.path}` } : {}),
        }
      : {
          name: config.store.name,
          master: `${config.store.option.master.dbUser}@${config.store.option.master.dbAddr}/${config.store.option.master.dbName}`,
          ...(config.store.option.slave
            ? { slave: `${config.store.option.slave.dbUser}@${config.store.option.slave.dbAddr}/${config.store.option.slave.dbName}` }
            : {}),
        };
  const ps = config.bootstrap.polaris_service;
  const strategy = config.auth.strategy.option;
  return {
    file: config.file,
    store,
    apiservers: config.apiservers.map((a) => `${a.name}@${a.option.listenIP}:${a.option.listenPort}`),
    selfRegister: ps.enable_register
      ? ps.services.map((s) => `${s.namespace}/${s.name}[${s.protocols.join(',')}]`).join(' ')
      : 'off',
    startInOrder: config.bootstrap.startInOrder.open ? `on (${config.bootstrap.startInOrder.key})` : 'off',
    auth: `console ${strategy.consoleOpen ? 'on' : 'off'}${strategy.consoleStrict ? ' strict' : ''}, client ${
      strategy.clientOpen ? 'on' : 'off'
    }${strategy.clientStrict ? ' strict' : ''}`,
    namespaceAutoCreate: config.namespace.autoCreate,
    namingAutoCreate: config.naming.autoCreate,
    healthcheck: config.healthcheck.open ? `on (${config.healthcheck.checkers.map((c) => c.name).join(',')})` : 'off',
    configCenter: config.config.open,
    plugins: Object.entries(config.plugin).map(
      ([category, c]) => `${category}:${(c?.entries ?? []).map((e) => e.name).join(',')}`,
    ),
    maintainJobs: config.maintain.jobs.filter((j) => j.enable).map((j) => j.name),
    logScopes: Object.keys(config.bootstrap.logger).length,
  };
}
