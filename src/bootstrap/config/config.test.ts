import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';
import { expandEnv } from './env.js';
import { loadConfig, parseConfigText } from './load-config.js';
import { redactedSummary } from './redacted-summary.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FILE = 'polaris-server.yaml';

function parse(text: string, env: Record<string, string> = {}) {
  return parseConfigText(text, FILE, env);
}

function configError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parse(text, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('fills every section with polaris-server code defaults for an empty file', () => {
    const { config, warnings } = parse('');
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.bootstrap.startInOrder, { open: true, key: 'sz' });
    const ps = config.bootstrap.polaris_service;
    assert.equal(ps.enable_register, true);
    assert.equal(ps.isolated, false);
    assert.equal(ps.heartbeat_interval, 5);
    assert.equal(ps.disable_heartbeat, false);
    assert.equal(ps.probe_address, '');
    // upstream's built-in self-service, restricted to configured apiservers (none here, so dropped)
    assert.deepEqual(ps.services, []);
    assert.deepEqual(parse('apiservers: [{name: service-grpc}, {name: api-http}]').config.bootstrap.polaris_service.services, [
      { name: 'polaris.checker', namespace: 'Polaris', protocols: ['service-grpc'], metadata: {} },
    ]);
    assert.deepEqual(config.apiservers, []);
    const naming = config.bootstrap.logger.naming;
    assert.equal(naming.rotateOutputPath, 'log/runtime/polaris-naming.log');
    assert.equal(naming.errorRotateOutputPath, 'log/runtime/polaris-naming-error.log');
    assert.equal(naming.rotationMaxSize, 100);
    assert.equal(naming.rotationMaxBackups, 30);
    assert.equal(naming.rotationMaxAge, 7);
    assert.equal(naming.outputLevel, 'info');
    assert.equal(naming.compress, true);
    assert.equal(config.bootstrap.logger.HistoryLogger.onlyContent, true);
    assert.equal(config.bootstrap.logger.HistoryLogger.rotationMaxDurationForHour, 24);
    assert.equal(config.bootstrap.logger['token-bucket'].rotateOutputPath, 'log/runtime/polaris-ratelimit.log');
    assert.deepEqual(config.auth.user, { name: 'defaultUser', option: { salt: 'polarismesh@2021' } });
    assert.equal(config.auth.strategy.name, 'defaultStrategy');
    assert.equal(config.auth.strategy.option.consoleOpen, true);
    assert.equal(config.auth.strategy.option.consoleStrict, false);
    assert.equal(config.auth.strategy.option.clientOpen, false);
    assert.equal(config.namespace.autoCreate, false);
    assert.equal(config.naming.autoCreate, true);
    assert.equal(config.naming.l5Open, false);
    assert.deepEqual(config.naming.batch.register, {
      open: true,
      queueSize: 10240,
      waitTime: 32,
      maxBatchCount: 32,
      concurrency: 64,
      dropExpireTask: true,
      taskLife: 30_000,
    });
    assert.equal(config.naming.batch.deregister.dropExpireTask, false);
    assert.equal(config.naming.batch.clientDeregister.taskLife, 0);
    assert.equal(config.healthcheck.open, true);
    assert.equal(config.healthcheck.service, 'polaris.checker');
    assert.equal(config.healthcheck.slotNum, 30);
    assert.equal(config.healthcheck.minCheckInterval, 1000);
    assert.equal(config.healthcheck.maxCheckInterval, 30_000);
    assert.equal(config.healthcheck.clientCheckInterval, 120_000);
    assert.equal(config.healthcheck.clientCheckTtl, 120_000);
    assert.equal(config.healthcheck.batch.heartbeat.maxBatchCount, 32);
    assert.deepEqual(config.healthcheck.checkers, [{ name: 'heartbeatMemory', option: {} }]);
    assert.deepEqual(config.config, { open: false, contentMaxLength: 20000, cache: { expireTimeAfterWrite: 3600 } });
    assert.equal(config.cache.diffTime, 5000);
    assert.deepEqual(config.store, { name: 'sqliteStore', option: { path: './polaris.db', loadFile: '' } });
    assert.deepEqual(config.plugin, {});
    assert.deepEqual(
      config.maintain.jobs.map((j) => [j.name, j.enable]),
      [
        ['CleanDeletedClients', true],
        ['CleanDeletedInstances', true],
        ['CleanConfigReleaseHistory', true],
      ],
    );
    assert.equal(config.file, resolve(FILE));
  });

  it('reads peersToReplicate items as host:port for the configured namespace or {namespace: [peers]} maps', () => {
    const { config, warnings } = parse(`
apiservers:
  - name: service-eureka
    option:
      namespace: eu
      peersToReplicate:
        - 10.0.0.2:8761
        - prod: [10.0.1.2:8761, 10.0.1.3:8761]
          test: 10.0.2.2:8761
        - eu: [10.0.0.2:8761, 10.0.0.3:8761]
`);
    assert.deepEqual(warnings, []);
    const eureka = config.apiservers[0];
    if (eureka.name !== 'service-eureka') return assert.fail('not eureka');
    assert.deepEqual(eureka.option.peersToReplicate, {
      eu: ['10.0.0.2:8761', '10.0.0.3:8761'],
      prod: ['10.0.1.2:8761', '10.0.1.3:8761'],
      test: ['10.0.2.2:8761'],
    });
    const err = configError('apiservers: [{name: service-eureka, option: {peersToReplicate: [{prod: {a: b}}]}}]');
    assert.match(err.message, /peersToReplicate\[0\]\.prod: expected a list of strings/);
  });

  it('gives apiserver options their defaults', () => {
    const { config } = parse(`
apiservers:
  - name: service-eureka
  - name: api-http
    option: {listenPort: 0}
`);
    const eureka = config.apiservers[0];
    assert.equal(eureka.name, 'service-eureka');
    if (eureka.name !== 'service-eureka') return;
    assert.equal(eureka.option.listenIP, '0.0.0.0');
    assert.equal(eureka.option.listenPort, 8761);
    assert.equal(eureka.option.namespace, 'default');
    assert.equal(eureka.option.refreshInterval, 10);
    assert.equal(eureka.option.deltaExpireInterval, 60);
    assert.equal(eureka.option.enableSelfPreservation, true);
    assert.deepEqual(eureka.option.connLimit, {
      openConnLimit: false,
      maxConnPerHost: 0,
      maxConnLimit: 0,
      whiteList: [],
      readTimeout: 0,
      purgeCounterInterval: 10_000,
      purgeCounterExpired: 5_000,
    });
    const http = config.apiservers[1];
    assert.equal(http.option.listenPort, 0);
    if (http.name !== 'api-http') return;
    assert.equal(http.option.sizeCacheProto, 128);
    assert.deepEqual(http.api, {});
  });

  it('gives missing naming.batch and healthcheck.batch controllers defaults, merging partial ones per key', () => {
    const { config, warnings } = parse(`
naming:
  batch:
    register:
      maxBatchCount: 7
healthcheck:
  open: false
`);
    assert.deepEqual(warnings, []);
    assert.equal(config.naming.batch.register.maxBatchCount, 7);
    assert.equal(config.naming.batch.register.queueSize, 10240);
    assert.equal(config.naming.batch.register.taskLife, 30_000);
    assert.equal(config.naming.batch.deregister.concurrency, 64);
    assert.equal(config.healthcheck.open, false);
    assert.equal(config.healthcheck.batch.heartbeat.waitTime, 32);
  });

  it('treats a key with an empty value as absent', () => {
    const { config } = parse(`
bootstrap:
  polaris_service:
    probe_address: ##DB_ADDR##
maintain:
  jobs:
    - name: CleanDeletedClients
      enable: true
      option:
        # clientCleanTimeout: 10m
`);
    assert.equal(config.bootstrap.polaris_service.probe_address, '');
    assert.deepEqual(config.maintain.jobs, [{ name: 'CleanDeletedClients', enable: true, option: {} }]);
  });

  it('reads maintain.memoryReclaim (polaris-ts) with its defaults and refuses bad values', () => {
    assert.deepEqual(parse('maintain: {}').config.maintain.memoryReclaim, {
      enable: true,
      checkIntervalMs: 2000,
      growthBytes: 32 * 1048576,
      idleBelow: 0.1,
      minIntervalMs: 60_000,
    });
    const { config } = parse(`
maintain:
  memoryReclaim:
    enable: false
    checkInterval: 500ms
    growthMiB: 8
    idleBelow: 0.25
    minInterval: 5m
`);
    assert.deepEqual(config.maintain.memoryReclaim, {
      enable: false,
      checkIntervalMs: 500,
      growthBytes: 8 * 1048576,
      idleBelow: 0.25,
      minIntervalMs: 300_000,
    });
    assert.match(configError('maintain: {memoryReclaim: {checkInterval: 10ms}}').message, /maintain\.memoryReclaim\.checkInterval.*at least 100ms/);
    assert.match(configError('maintain: {memoryReclaim: {idleBelow: 0}}').message, /maintain\.memoryReclaim\.idleBelow/);
    assert.match(configError('maintain: {memoryReclaim: {growthMiB: 0}}').message, /maintain\.memoryReclaim\.growthMiB/);
  });

  it('returns a deeply frozen config', () => {
    const { config } = parse('apiservers: [{name: api-http}]');
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.apiservers[0].option.connLimit));
    assert.ok(Object.isFrozen(config.bootstrap.logger.default));
    assert.throws(() => {
      (config.naming as { autoCreate: boolean }).autoCreate = false;
    }, TypeError);
  });
});

describe('environment expansion', () => {
  it('expands ${A}, $A and $$ inside values', () => {
    const { config, warnings } = parse(
      `
store:
  name: defaultStore
  option:
    master:
      dbType: mysql
      dbName: polaris_$DB_SUFFIX
      dbUser: \${MYSQL_USER}
      dbPwd: "pa$$word-\${MYSQL_PWD}"
      dbAddr: \${MYSQL_HOST}:3306
apiservers:
  - name: service-eureka
    option:
      customValues:
        dataCenterInfoClass: com.netflix.appinfo.InstanceInfo$$DefaultDataCenterInfo
`,
      { MYSQL_USER: 'root', MYSQL_PWD: 's3cret', MYSQL_HOST: 'db.local', DB_SUFFIX: 'prod' },
    );
    assert.deepEqual(warnings, []);
    assert.equal(config.store.name, 'defaultStore');
    if (config.store.name !== 'defaultStore') return;
    assert.equal(config.store.option.master.dbName, 'polaris_prod');
    assert.equal(config.store.option.master.dbUser, 'root');
    assert.equal(config.store.option.master.dbPwd, 'pa$word-s3cret');
    assert.equal(config.store.option.master.dbAddr, 'db.local:3306');
    const eureka = config.apiservers[0];
    if (eureka.name !== 'service-eureka') return;
    assert.equal(eureka.option.customValues.dataCenterInfoClass, 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo');
  });

  it('types an unquoted expanded value as YAML would, a quoted one stays a string', () => {
    const { config } = parse(
      `
apiservers:
  - name: api-http
    option:
      listenPort: \${HTTP_PORT}
      enablePprof: $PPROF
`,
      { HTTP_PORT: '18090', PPROF: 'true' },
    );
    assert.equal(config.apiservers[0].option.listenPort, 18090);
    const err = configError('apiservers: [{name: api-http, option: {listenPort: "${P}"}}]', { P: '18090' });
    assert.match(err.message, /apiservers\[0\]\.option\.listenPort: expected an integer/);
  });

  it('cannot change the YAML structure through a variable', () => {
    const { config, warnings } = parse(
      `
namespace:
  autoCreate: true
bootstrap:
  startInOrder:
    key: $EVIL
`,
      { EVIL: 'x\nnamespace:\n  autoCreate: false\nopen: false' },
    );
    assert.deepEqual(warnings, []);
    assert.equal(config.bootstrap.startInOrder.key, 'x\nnamespace:\n  autoCreate: false\nopen: false');
    assert.equal(config.bootstrap.startInOrder.open, true);
    assert.equal(config.namespace.autoCreate, true);
  });

  it('warns about unset variables, which expand to empty', () => {
    const { config, warnings } = parse('bootstrap: {startInOrder: {key: "lock-${NOPE}"}}');
    assert.equal(config.bootstrap.startInOrder.key, 'lock-');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^bootstrap\.startInOrder\.key: environment variable NOPE is not set/);
  });

  it('follows Go os.Expand for the edge cases, except $$', () => {
    const env = { A: 'a', A_1: 'x' };
    assert.equal(expandEnv('$A/${A}/$A_1/$$/${A}b', env).text, 'a/a/x/$/ab');
    assert.equal(expandEnv('cost: 5$', env).text, 'cost: 5$');
    assert.equal(expandEnv('a $ b', env).text, 'a $ b');
    assert.equal(expandEnv('x${}y', env).text, 'xy');
    assert.equal(expandEnv('x${A', env).text, 'xA');
    assert.equal(expandEnv('$1abc', env).text, 'abc');
    assert.deepEqual(expandEnv('$1abc', env).unset, ['1']);
    assert.equal(expandEnv('$$$A', env).text, '$a');
    assert.equal(expandEnv('no dollars', env).text, 'no dollars');
  });
});

describe('validation', () => {
  it('fails on a wrong type, naming the file and the exact key path', () => {
    const err = configError(`
apiservers:
  - name: api-http
    option:
      listenPort: 8090
  - name: service-grpc
    option:
      listenPort: abc
`);
    assert.equal(err.file, FILE);
    assert.equal(err.keyPath, 'apiservers[1].option.listenPort');
    assert.match(err.message, /^polaris-server\.yaml: apiservers\[1\]\.option\.listenPort: expected an integer, got abc \(line 8\)$/);
  });

  it('fails on a non-boolean switch', () => {
    const err = configError('naming:\n  batch:\n    register:\n      open: 7\n');
    assert.match(err.message, /naming\.batch\.register\.open: expected a boolean/);
  });

  it('fails on a list where a map belongs, and a map where a list belongs', () => {
    assert.match(configError('naming: [a, b]').message, /polaris-server\.yaml: naming: expected a map, got a list/);
    assert.match(
      configError('healthcheck:\n  checkers:\n    name: heartbeatMemory\n').message,
      /healthcheck\.checkers: expected a list/,
    );
  });

  it('fails on bad durations, levels, ranges and salts', () => {
    assert.match(configError('naming: {batch: {register: {waitTime: soon}}}').message, /naming\.batch\.register\.waitTime: expected a duration/);
    assert.match(configError('naming: {batch: {register: {waitTime: 32}}}').message, /bare number/);
    assert.match(
      configError('bootstrap: {logger: {naming: {outputLevel: loud}}}').message,
      /bootstrap\.logger\.naming\.outputLevel: expected one of debug, info/,
    );
    assert.match(configError('apiservers: [{name: xds-v3, option: {listenPort: 70000}}]').message, /at most 65535/);
    assert.match(configError('naming: {batch: {deregister: {queueSize: 0}}}').message, /queueSize: must be at least 1/);
    assert.match(configError('auth: {user: {option: {salt: short}}}').message, /auth\.user\.option\.salt: salt must be 16, 24 or 32/);
  });

  it("api-http's jsonFieldSet: polaris-server 1.18.1's (v1.4.2) unless v1.5 is asked for", () => {
    const http = (yaml: string) => parse(yaml).config.apiservers.find((a) => a.name === 'api-http')?.option as { jsonFieldSet?: string };
    assert.equal(http('apiservers: [{name: api-http}]').jsonFieldSet, 'v1.4.2');
    assert.equal(http('apiservers: [{name: api-http, option: {jsonFieldSet: v1.5}}]').jsonFieldSet, 'v1.5');
    assert.match(configError('apiservers: [{name: api-http, option: {jsonFieldSet: v2}}]').message, /option\.jsonFieldSet: expected one of v1\.4\.2, v1\.5, got "v2"/);
  });

  it('fails on an unknown store, a non-mysql MySQL store or missing MySQL keys', () => {
    assert.match(configError('store: {name: mongoStore}').message, /store\.name: unknown store "mongoStore"/);
    assert.match(
      configError('store: {name: defaultStore, option: {master: {dbType: mysql, dbName: p, dbUser: u, dbPwd: x}}}').message,
      /store\.option\.master\.dbAddr: required/,
    );
  });

  it('fails when polaris_service registers an apiserver that is not configured', () => {
    const err = configError(`
bootstrap:
  polaris_service:
    services:
      - name: polaris.checker
        protocols: [service-grpc, service-eureka]
apiservers:
  - name: service-grpc
`);
    assert.match(err.message, /bootstrap\.polaris_service\.services\[0\]\.protocols\[1\]: apiserver "service-eureka" is not configured/);
  });

  it('registers every configured apiserver when protocols is empty', () => {
    const { config } = parse(`
bootstrap:
  polaris_service:
    services:
      - name: polaris.checker
apiservers: [{name: api-http}, {name: service-grpc}]
`);
    assert.deepEqual(config.bootstrap.polaris_service.services[0].protocols, ['api-http', 'service-grpc']);
    assert.equal(config.bootstrap.polaris_service.services[0].namespace, 'Polaris');
  });

  it('fails on a duplicated apiserver and drops an unknown one with a warning', () => {
    assert.match(configError('apiservers: [{name: api-http}, {name: api-http}]').message, /apiservers\[1\]\.name: apiserver "api-http" is configured twice/);
    const { config, warnings } = parse('apiservers: [{name: api-http}, {name: service-foo, option: {x: 1}}]');
    assert.deepEqual(
      config.apiservers.map((a) => a.name),
      ['api-http'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^apiservers\[1\]\.name: unknown apiserver "service-foo"/);
  });

  it('warns once per unknown key, naming its path', () => {
    const { warnings } = parse(`
bootstrap:
  startInOrder:
    open: true
    lockTimeout: 3
naming:
  autoCreate: true
  autoDelete: false
apiservers:
  - name: api-http
    option:
      listenPort: 8090
      listenPortt: 8091
      connLimit:
        maxConn: 1
telemetry: {}
plugin:
  tracing: {name: x}
`);
    assert.deepEqual(warnings.sort(), [
      'apiservers[0].option.connLimit.maxConn: unknown key, ignored',
      'apiservers[0].option.listenPortt: unknown key, ignored',
      'bootstrap.startInOrder.lockTimeout: unknown key, ignored',
      'naming.autoDelete: unknown key, ignored',
      'plugin.tracing: unknown key, ignored',
      'telemetry: unknown key, ignored',
    ]);
  });

  it('reports a missing file and a YAML syntax error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polaris-conf-'));
    try {
      const missing = join(dir, 'nope.yaml');
      assert.throws(() => loadConfig(missing), (err: unknown) => err instanceof ConfigError && err.message === `${missing}: file not found`);
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'naming:\n  autoCreate: [true\nstore: {}\n');
      assert.throws(
        () => loadConfig(broken),
        (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${broken}: YAML syntax error`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('store', () => {
  it('maps boltdbStore to the embedded SQLite store beside the bolt file, with a warning', () => {
    const { config, warnings } = parse('store:\n  name: boltdbStore\n  option:\n    path: ./data/polaris.bolt\n');
    assert.deepEqual(config.store, {
      name: 'sqliteStore',
      option: { path: './data/polaris.bolt.db', loadFile: '' },
      fromBoltdb: { path: './data/polaris.bolt' },
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^store\.name: boltdbStore is served by the embedded SQLite store; option\.path \.\/data\/polaris\.bolt is used as \.\/data\/polaris\.bolt\.db/);
    assert.deepEqual(parse('store: {name: boltdbStore}').config.store.option, { path: './polaris.bolt.db', loadFile: '' });
  });

  it('types the MySQL store with master and slave', () => {
    const { config } = parse(`
store:
  name: defaultStore
  option:
    master: {dbType: mysql, dbName: polaris_server, dbUser: root, dbPwd: 0123, dbAddr: "127.0.0.1:3306", maxOpenConns: 300, maxIdleConns: 50, connMaxLifetime: 300, txIsolationLevel: 2}
    slave: {dbType: mysql, dbName: polaris_server, dbUser: ro, dbPwd: x, dbAddr: "10.0.0.2:3306"}
`);
    assert.equal(config.store.name, 'defaultStore');
    if (config.store.name !== 'defaultStore') return;
    assert.deepEqual(config.store.option.master, {
      dbType: 'mysql',
      dbName: 'polaris_server',
      dbUser: 'root',
      dbPwd: '0123',
      dbAddr: '127.0.0.1:3306',
      maxOpenConns: 300,
      maxIdleConns: 50,
      connMaxLifetime: 300,
      txIsolationLevel: 2,
    });
    assert.equal(config.store.option.slave?.dbUser, 'ro');
    assert.equal(config.store.option.slave?.connMaxLifetime, 1800);
  });
});

describe('durations', () => {
  it('parses Go duration syntax into milliseconds', () => {
    assert.equal(parseDuration('32ms'), 32);
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('60m'), 3_600_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('-5s'), -5000);
    assert.equal(parseDuration('100us'), 0.1);
    assert.equal(parseDuration('250µs'), 0.25);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['', '5', 's', '1d', '1.5', '5 s', '--1s', '.s']) {
      assert.throws(() => parseDuration(bad), RangeError, bad);
    }
  });

  it('reads duration keys as milliseconds and the cache look-back without its sign', () => {
    const { config } = parse(`
healthcheck: {minCheckInterval: 500ms, maxCheckInterval: 1m, clientCheckTtl: 2m}
cache: {diffTime: -5s}
apiservers: [{name: api-http, option: {connLimit: {purgeCounterInterval: 1m, purgeCounterExpire: 2s, whiteList: "127.0.0.1, 10.0.0.1"}}}]
`);
    assert.equal(config.healthcheck.minCheckInterval, 500);
    assert.equal(config.healthcheck.maxCheckInterval, 60_000);
    assert.equal(config.healthcheck.clientCheckTtl, 120_000 * 1);
    assert.equal(config.cache.diffTime, 5000);
    assert.equal(config.apiservers[0].option.connLimit.purgeCounterInterval, 60_000);
    assert.equal(config.apiservers[0].option.connLimit.purgeCounterExpired, 2000);
    assert.deepEqual(config.apiservers[0].option.connLimit.whiteList, ['127.0.0.1', '10.0.0.1']);
  });
});

describe('auth', () => {
  it('still reads the deprecated v1.12 auth.name / auth.option form, with a warning', () => {
    const { config, warnings } = parse(`
auth:
  name: defaultAuth
  option:
    salt: abcdefghijklmnopqrstuvwx
    consoleOpen: false
    clientOpen: true
`);
    assert.equal(config.auth.deprecatedForm, true);
    assert.equal(config.auth.user.option.salt, 'abcdefghijklmnopqrstuvwx');
    assert.equal(config.auth.strategy.option.consoleOpen, false);
    assert.equal(config.auth.strategy.option.clientOpen, true);
    assert.deepEqual(warnings, ['auth: auth.name / auth.option are deprecated; use auth.user and auth.strategy']);
  });

  it('reads the admin password and token of the first start (polaris-ts keys)', () => {
    const { config, warnings } = parse(`
auth:
  user:
    option:
      salt: "0123456789abcdef"
      adminPassword: "$PW"
      adminToken: tok
`, { PW: 'from-env-1' });
    assert.deepEqual(warnings, []);
    assert.equal(config.auth.user.option.adminPassword, 'from-env-1');
    assert.equal(config.auth.user.option.adminToken, 'tok');
  });
});

describe('files', () => {
  let release: ReturnType<typeof loadConfig>;
  before(() => {
    release = loadConfig(join(repoRoot, 'test/fixtures/polaris-server.release.yaml'), {});
  });

  it("loads the repository's polaris-server.yaml with zero warnings", () => {
    const { config, warnings } = loadConfig(join(repoRoot, 'polaris-server.yaml'), {});
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      config.apiservers.map((a) => [a.name, a.option.listenPort]),
      [
        ['service-eureka', 8761],
        ['api-http', 8090],
        ['service-grpc', 8091],
        ['config-grpc', 8093],
        ['xds-v3', 15010],
      ],
    );
    assert.deepEqual(config.store, { name: 'sqliteStore', option: { path: './data/polaris.db', loadFile: '' } });
    assert.equal(config.auth.strategy.option.consoleOpen, true);
    assert.equal(config.auth.strategy.option.consoleStrict, true);
    assert.equal(config.auth.strategy.option.clientOpen, false);
    assert.equal(config.namespace.autoCreate, true);
    assert.deepEqual(config.healthcheck.checkers.map((c) => c.name), ['heartbeatMemory']);
    assert.deepEqual(config.bootstrap.startInOrder, { open: true, key: 'sz' });
    assert.equal(config.naming.batch.register.maxBatchCount, 128);
    assert.ok(config.bootstrap.logger.default.rotateOutputPath.startsWith('log/'));
    const xds = config.apiservers.find((a) => a.name === 'xds-v3');
    assert.equal(xds?.name === 'xds-v3' && xds.option.streamFastPath, true);
    const off = parse('apiservers: [{name: xds-v3, option: {listenPort: 15010, streamFastPath: false}}]');
    const offXds = off.config.apiservers[0];
    assert.equal(offXds?.name === 'xds-v3' && offXds.option.streamFastPath, false);
  });

  it("loads the upstream release file's layout", () => {
    const { config, warnings } = release;
    assert.deepEqual(warnings.filter((w) => !w.startsWith('store.name: boltdbStore')), []);
    assert.deepEqual(
      config.apiservers.map((a) => a.name),
      ['service-eureka', 'api-http', 'service-grpc', 'config-grpc', 'xds-v3', 'service-nacos', 'service-l5'],
    );
    const http = config.apiservers[1];
    assert.deepEqual(http.api.console, { enable: true, include: ['default', 'service', 'config'] });
    assert.equal(config.bootstrap.logger.config.outputLevel, 'debug');
    assert.equal(config.bootstrap.logger.HistoryLogger.rotationMaxBackups, 10);
    assert.equal(config.healthcheck.clientReportInterval, 120_000);
    assert.equal(config.store.name === 'sqliteStore' && config.store.option.path, './polaris.bolt.db');
    assert.deepEqual(config.plugin.statis?.entries.map((e) => e.name), ['local', 'prometheus']);
    assert.deepEqual(config.plugin.cmdb?.entries[0], { name: 'memory', option: { url: '', interval: '60s' } });
    assert.deepEqual(config.maintain.jobs[0], {
      name: 'DeleteUnHealthyInstance',
      enable: false,
      option: { instanceDeleteTimeout: '60m' },
    });
  });

  it('summarises a config without secrets', () => {
    const { config } = parse(
      `
auth: {user: {option: {salt: "0123456789abcdef"}}}
store:
  name: defaultStore
  option:
    master: {dbType: mysql, dbName: polaris_server, dbUser: root, dbPwd: "$PWD_VAR", dbAddr: "db:3306"}
healthcheck:
  checkers:
    - name: heartbeatRedis
      option: {kvAddr: "redis:6379", kvPasswd: redis-secret}
plugin:
  cmdb: {name: memory, option: {url: "http://cmdb", token: cmdb-token}}
`,
      { PWD_VAR: 'db-secret' },
    );
    const text = JSON.stringify(redactedSummary(config));
    for (const secret of ['db-secret', '0123456789abcdef', 'redis-secret', 'cmdb-token']) assert.ok(!text.includes(secret), secret);
    assert.ok(text.includes('root@db:3306/polaris_server'));
    assert.ok(text.includes('heartbeatRedis'));
  });
});
