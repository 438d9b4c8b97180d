import { Section, invalid, readString, warn } from './section.js';
import type {
  AuthConfig,
  AuthStrategyOption,
  BatchCtrlConfig,
  CacheConfig,
  ConfigCenterConfig,
  HealthCheckConfig,
  NamespaceConfig,
  NamingConfig,
  PluginEntry,
} from './types.js';

// ---------------------------------------------------------------- auth

const DEFAULT_SALT = 'polarismesh@2021';

/**
 * `auth`: the current form is auth.user {name, option.salt} and auth.strategy {name, option}.
 * The v1.12 form auth.name / auth.option {salt, consoleOpen, clientOpen, …} is still read, with
 * a deprecation warning; where both forms set a value the current form wins.
 */
export function parseAuth(s: Section): AuthConfig {
  const legacy = s.section('option');
  const legacyName = s.str('name', '');
  const deprecatedForm = s.has('option') || legacyName !== '';
  if (deprecatedForm) {
    warn(s.ctx, s.path, 'auth.name / auth.option are deprecated; use auth.user and auth.strategy');
  }
  const legacyValues = {
    salt: legacy.str('salt', DEFAULT_SALT),
    consoleOpen: legacy.bool('consoleOpen', true),
    clientOpen: legacy.bool('clientOpen', false),
    strict: legacy.bool('strict', false),
    consoleStrict: legacy.bool('consoleStrict', false),
    clientStrict: legacy.bool('clientStrict', false),
  };
  legacy.accept('open');
  legacy.finish();

  const user = s.section('user');
  const userOption = user.section('option');
  const salt = userOption.str('salt', legacyValues.salt);
  if (![16, 24, 32].includes(Buffer.byteLength(salt))) {
    invalid(s.ctx, userOption.at('salt'), `salt must be 16, 24 or 32 bytes long, got ${Buffer.byteLength(salt)}`, userOption.get('salt'));
  }
  const adminPassword = userOption.has('adminPassword') ? userOption.str('adminPassword', '') : undefined;
  const adminToken = userOption.has('adminToken') ? userOption.str('adminToken', '') : undefined;
  userOption.finish();
  const userName = user.str('name', 'defaultUser');
  user.finish();

  const strategy = s.section('strategy');
  const so = strategy.section('option');
  const option: AuthStrategyOption = {
    consoleOpen: so.bool('consoleOpen', legacyValues.consoleOpen),
    consoleStrict: so.bool('consoleStrict', legacyValues.consoleStrict),
    clientOpen: so.bool('clientOpen', legacyValues.clientOpen),
    clientStrict: so.bool('clientStrict', legacyValues.clientStrict),
    strict: so.bool('strict', legacyValues.strict),
    openPrincipalDefaultPolicy: so.bool('openPrincipalDefaultPolicy', false),
    credibleHeaders: so.strMap('credibleHeaders'),
  };
  so.finish();
  const strategyName = strategy.str('name', 'defaultStrategy');
  strategy.finish();
  s.finish();
  return {
    user: {
      name: userName,
      option: {
        salt,
        ...(adminPassword ? { adminPassword } : {}),
        ...(adminToken ? { adminToken } : {}),
      },
    },
    strategy: { name: strategyName, option },
    deprecatedForm,
  };
}

// ---------------------------------------------------------------- namespace

export function parseNamespace(s: Section): NamespaceConfig {
  const out = { autoCreate: s.bool('autoCreate', false) };
  s.finish();
  return out;
}

// ---------------------------------------------------------------- batch controllers

const BATCH_BASE: BatchCtrlConfig = {
  open: true,
  queueSize: 10240,
  waitTime: 32,
  maxBatchCount: 32,
  concurrency: 64,
  dropExpireTask: false,
  taskLife: 0,
};

/** Upstream's `defaultBatchCtrlConfig`: only register drops expired tasks, after 30 s. */
const DEFAULT_BATCH: Readonly<Record<string, BatchCtrlConfig>> = {
  register: { ...BATCH_BASE, dropExpireTask: true, taskLife: 30_000 },
  deregister: BATCH_BASE,
  heartbeat: BATCH_BASE,
  clientRegister: BATCH_BASE,
  clientDeregister: BATCH_BASE,
};

function parseBatchCtrl(s: Section, def: BatchCtrlConfig): BatchCtrlConfig {
  const out: BatchCtrlConfig = {
    open: s.bool('open', def.open),
    queueSize: s.int('queueSize', def.queueSize, { min: 1 }),
    waitTime: s.duration('waitTime', def.waitTime),
    maxBatchCount: s.int('maxBatchCount', def.maxBatchCount, { min: 1 }),
    concurrency: s.int('concurrency', def.concurrency, { min: 1 }),
    dropExpireTask: s.bool('dropExpireTask', def.dropExpireTask),
    taskLife: s.duration('taskLife', def.taskLife),
  };
  s.finish();
  return out;
}

/** A batch map: each controller present in the file overrides the defaults key by key; absent ones keep them. */
function parseBatch<K extends string>(s: Section, names: readonly K[]): Record<K, BatchCtrlConfig> {
  const out = {} as Record<K, BatchCtrlConfig>;
  for (const name of names) out[name] = parseBatchCtrl(s.section(name), DEFAULT_BATCH[name] as BatchCtrlConfig);
  s.finish();
  return out;
}

// ---------------------------------------------------------------- naming

export function parseNaming(s: Section): NamingConfig {
  const authSection = s.has('auth') ? s.section('auth') : undefined;
  const auth = authSection ? { open: authSection.bool('open', false) } : undefined;
  authSection?.finish();
  const out: NamingConfig = {
    autoCreate: s.bool('autoCreate', true),
    l5Open: s.bool('l5Open', false),
    ...(auth ? { auth } : {}),
    batch: parseBatch(s.section('batch'), ['register', 'deregister', 'clientRegister', 'clientDeregister'] as const),
  };
  s.finish();
  return out;
}

// ---------------------------------------------------------------- plugin-style entries

/** A `{name, option}` item of a list (checkers, cache resources, plugin entries). */
export function parseEntry(s: Section): PluginEntry {
  const nameNode = s.get('name');
  if (!nameNode) invalid(s.ctx, s.at('name'), 'expected a name');
  const out: PluginEntry = { name: readString(s.ctx, s.at('name'), nameNode), option: s.freeMap('option') };
  s.finish();
  return out;
}

export function parseEntryList(s: Section, key: string): PluginEntry[] | undefined {
  return s.list(key)?.map(({ node, path }) => parseEntry(Section.of(s.ctx, path, node)));
}

// ---------------------------------------------------------------- healthcheck

const DEFAULT_CHECKERS: readonly PluginEntry[] = [{ name: 'heartbeatMemory', option: {} }];

export function parseHealthCheck(s: Section): HealthCheckConfig {
  let minCheckInterval = s.duration('minCheckInterval', 1_000);
  let maxCheckInterval = s.duration('maxCheckInterval', 30_000);
  if (minCheckInterval === 0) minCheckInterval = 1_000;
  if (maxCheckInterval === 0) maxCheckInterval = 30_000;
  if (minCheckInterval > maxCheckInterval) {
    warn(s.ctx, s.path, 'minCheckInterval is greater than maxCheckInterval; both reset to 1s / 30s (as polaris-server)');
    minCheckInterval = 1_000;
    maxCheckInterval = 30_000;
  }
  const reportNode = s.get('clientReportInterval');
  const clientCheckInterval = s.duration('clientCheckInterval', 120_000) || 120_000;
  const clientCheckTtl = s.duration('clientCheckTtl', 120_000) || 120_000;
  const checkers = parseEntryList(s, 'checkers');
  const slotNum = s.int('slotNum', 30, { min: 0 });
  const out: HealthCheckConfig = {
    open: s.bool('open', true),
    service: s.str('service', '') || 'polaris.checker',
    slotNum: slotNum === 0 ? 30 : slotNum,
    localHost: s.str('localHost', ''),
    minCheckInterval,
    maxCheckInterval,
    clientCheckInterval,
    clientCheckTtl,
    ...(reportNode ? { clientReportInterval: s.duration('clientReportInterval', 0) } : {}),
    batch: parseBatch(s.section('batch'), ['heartbeat'] as const),
    checkers: checkers && checkers.length > 0 ? checkers : DEFAULT_CHECKERS.map((c) => ({ ...c, option: {} })),
  };
  s.finish();
  return out;
}

// ---------------------------------------------------------------- config center, cache

export function parseConfigCenter(s: Section): ConfigCenterConfig {
  const cache = s.section('cache');
  const out: ConfigCenterConfig = {
    open: s.bool('open', false),
    contentMaxLength: s.int('contentMaxLength', 20000, { min: 0 }) || 20000,
    cache: { expireTimeAfterWrite: cache.int('expireTimeAfterWrite', 3600, { min: 0 }) },
  };
  cache.finish();
  s.finish();
  return out;
}

export function parseCache(s: Section): CacheConfig {
  const out: CacheConfig = {
    diffTime: Math.abs(s.duration('diffTime', 5_000)) || 5_000,
    open: s.bool('open', true),
    reportInterval: s.duration('reportInterval', 1_000),
    resources: parseEntryList(s, 'resources') ?? [],
  };
  // Older release files carry refreshInterval; checked, but the refresh tick stays 1 s as upstream.
  s.duration('refreshInterval', 1_000);
  s.finish();
  return out;
}

