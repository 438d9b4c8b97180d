import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createLoggers, type Loggers } from './create-loggers.js';
import { defaultLoggerOptions, type LoggerOptions } from './logger-options.js';
import { compactLine } from './line-sinks.js';
import { intervalFor } from './rotating-sink.js';

function opts(scope: string, over: Partial<LoggerOptions> = {}): LoggerOptions {
  return {
    ...defaultLoggerOptions(scope),
    rotateOutputPath: `logs/${scope}.log`,
    errorRotateOutputPath: `logs/${scope}-error.log`,
    compress: false,
    ...over,
  };
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLoggers', () => {
  let dir: string;
  let loggers: Loggers | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polaris-log-'));
  });
  afterEach(async () => {
    await loggers?.close();
    loggers = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each scope to its own file as JSON lines', async () => {
    loggers = createLoggers({ default: opts('default'), naming: opts('naming') }, { baseDir: dir, stdout: false });
    loggers.scope('naming').info({ service: 'svc' }, 'registered');
    loggers.root.info('hello');
    await loggers.flush();
    const naming = await lines(join(dir, 'logs/naming.log'));
    assert.equal(naming.length, 1);
    assert.equal(naming[0].msg, 'registered');
    assert.equal(naming[0].scope, 'naming');
    assert.equal(naming[0].level, 'info');
    assert.equal(naming[0].service, 'svc');
    assert.equal(typeof naming[0].time, 'string');
    const def = await lines(join(dir, 'logs/default.log'));
    assert.deepEqual(
      def.map((l) => l.msg),
      ['hello'],
    );
  });

  it('filters by each scope level', async () => {
    loggers = createLoggers(
      {
        default: opts('default'),
        naming: opts('naming', { outputLevel: 'warn' }),
        store: opts('store', { outputLevel: 'debug' }),
        cache: opts('cache', { outputLevel: 'none' }),
      },
      { baseDir: dir, stdout: false },
    );
    const naming = loggers.scope('naming');
    naming.info('dropped');
    naming.warn('kept');
    const store = loggers.scope('store');
    store.debug('debug kept');
    loggers.scope('cache').error('silenced');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'logs/naming.log'))).map((l) => l.msg),
      ['kept'],
    );
    assert.deepEqual(
      (await lines(join(dir, 'logs/store.log'))).map((l) => l.msg),
      ['debug kept'],
    );
    const cacheFile = join(dir, 'logs/cache.log');
    assert.ok(!existsSync(cacheFile) || (await readFile(cacheFile, 'utf8')) === '');
  });

  it('copies error-and-above lines to the error file', async () => {
    loggers = createLoggers({ default: opts('default'), auth: opts('auth') }, { baseDir: dir, stdout: false });
    const auth = loggers.scope('auth');
    auth.info('fine');
    auth.warn('hmm');
    auth.error({ err: new Error('boom') }, 'failed');
    auth.fatal('dead');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'logs/auth.log'))).map((l) => l.msg),
      ['fine', 'hmm', 'failed', 'dead'],
    );
    const errors = await lines(join(dir, 'logs/auth-error.log'));
    assert.deepEqual(
      errors.map((l) => l.msg),
      ['failed', 'dead'],
    );
    assert.match(String((errors[0].err as { stack: string }).stack), /boom/);
  });

  it('rotates by size and keeps rotationMaxBackups files', async () => {
    loggers = createLoggers(
      {
        default: opts('default'),
        // about 1 KB per file
        naming: opts('naming', { rotationMaxSize: 0.001, rotationMaxBackups: 2 }),
      },
      { baseDir: dir, stdout: false },
    );
    const naming = loggers.scope('naming');
    for (let i = 0; i < 60; i++) {
      naming.info({ i, pad: 'x'.repeat(60) }, `line ${i}`);
      if (i % 10 === 9) await loggers.flush();
    }
    await loggers.flush();
    const files = await readdir(join(dir, 'logs'));
    const rotated = files.filter((f) => /^naming-\d{8}T\d{6}-\d+\.log$/.test(f));
    assert.equal(rotated.length, 2, files.join(','));
    assert.ok(files.includes('naming.log'));
    const active = await readFile(join(dir, 'logs/naming.log'), 'utf8');
    assert.ok(active.length < 1100, `active file is ${active.length} bytes`);
    assert.match(active + (await readFile(join(dir, 'logs', rotated[1]), 'utf8')), /line 59/);
  });

  it('gzips rotated files when compress is set', async () => {
    loggers = createLoggers(
      { default: opts('default'), store: opts('store', { rotationMaxSize: 0.001, compress: true }) },
      { baseDir: dir, stdout: false },
    );
    const store = loggers.scope('store');
    for (let i = 0; i < 30; i++) store.info({ pad: 'y'.repeat(80) }, `row ${i}`);
    await loggers.flush();
    const gz = (await readdir(join(dir, 'logs'))).filter((f) => f.startsWith('store-') && f.endsWith('.gz'));
    assert.ok(gz.length >= 1);
    const text = gunzipSync(await readFile(join(dir, 'logs', gz[0]))).toString('utf8');
    assert.match(text, /"msg":"row 0"/);
  });

  it('deletes rotated files older than rotationMaxAge days after a rotation', async () => {
    await mkdir(join(dir, 'logs'), { recursive: true });
    const old = join(dir, 'logs/naming-20200101T000000-1.log');
    const recent = join(dir, 'logs/naming-20200102T000000-1.log');
    const unrelated = join(dir, 'logs/naming-error.log');
    for (const f of [old, recent, unrelated]) await writeFile(f, 'x\n');
    const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600 * 1000);
    await utimes(old, tenDaysAgo, tenDaysAgo);
    await utimes(unrelated, tenDaysAgo, tenDaysAgo);
    loggers = createLoggers(
      {
        default: opts('default'),
        naming: opts('naming', { rotationMaxSize: 0.001, rotationMaxAge: 7, errorRotateOutputPath: '' }),
      },
      { baseDir: dir, stdout: false },
    );
    for (let i = 0; i < 20; i++) loggers.scope('naming').info({ pad: 'z'.repeat(80) }, `l${i}`);
    await loggers.flush();
    assert.ok(!existsSync(old));
    assert.ok(existsSync(recent));
    assert.ok(existsSync(unrelated));
  });

  it('redacts secrets', async () => {
    loggers = createLoggers({ default: opts('default') }, { baseDir: dir, stdout: false });
    loggers.root.info(
      {
        password: 'p1',
        store: { master: { dbPwd: 'p2', dbUser: 'polaris' } },
        req: { headers: { 'x-polaris-token': 't1', host: 'h' } },
        auth: { salt: 's1', token: 't2' },
        cfg: { checker: { option: { kvPasswd: 'p3' } } },
      },
      'config',
    );
    await loggers.flush();
    const text = await readFile(join(dir, 'logs/default.log'), 'utf8');
    for (const secret of ['p1', 'p2', 't1', 's1', 't2', 'p3']) assert.ok(!text.includes(`"${secret}"`), secret);
    assert.ok(text.includes('"dbUser":"polaris"'));
    assert.ok(text.includes('[REDACTED]'));
  });

  it('changes levels at run time, for children created earlier too', async () => {
    loggers = createLoggers({ default: opts('default'), cache: opts('cache') }, { baseDir: dir, stdout: false });
    const cache = loggers.scope('cache');
    const child = cache.child({ component: 'service-cache' });
    child.debug('before');
    loggers.setLevel('cache', 'debug');
    child.debug('after');
    cache.debug('scope after');
    assert.deepEqual(
      loggers.levels().find((l) => l.name === 'cache'),
      { name: 'cache', level: 'debug' },
    );
    loggers.setLevel('cache', 'error');
    child.warn('muted');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'logs/cache.log'))).map((l) => l.msg),
      ['after', 'scope after'],
    );
    assert.throws(() => loggers?.setLevel('cache', 'loud' as never), /invalid log level/);
  });

  it('applies a level set before the scope is first used', async () => {
    loggers = createLoggers({ default: opts('default'), eureka: opts('eureka') }, { baseDir: dir, stdout: false });
    loggers.setLevel('eureka', 'debug');
    loggers.scope('eureka').debug('early');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'logs/eureka.log'))).map((l) => l.msg),
      ['early'],
    );
  });

  it('sends scopes without an entry to the default files, with their own level', async () => {
    loggers = createLoggers({ default: opts('default') }, { baseDir: dir, stdout: false });
    const batch = loggers.scope('batch');
    batch.info('flushed');
    loggers.setLevel('batch', 'error');
    batch.info('hidden');
    loggers.root.info('still on');
    await loggers.flush();
    const def = await lines(join(dir, 'logs/default.log'));
    assert.deepEqual(
      def.map((l) => [l.scope, l.msg]),
      [
        ['batch', 'flushed'],
        ['default', 'still on'],
      ],
    );
    assert.ok(loggers.levels().some((l) => l.name === 'xdsv3'));
  });

  it('writes only the message for onlyContent scopes', async () => {
    loggers = createLoggers(
      { default: opts('default'), HistoryLogger: opts('history', { onlyContent: true, errorRotateOutputPath: '' }) },
      { baseDir: dir, stdout: false },
    );
    loggers.scope('HistoryLogger').info({ op: 'create' }, 'ns|svc|create');
    await loggers.flush();
    assert.equal(await readFile(join(dir, 'logs/history.log'), 'utf8'), 'ns|svc|create\n');
  });

  it('also writes outputPaths files and reopens files', async () => {
    loggers = createLoggers(
      { default: opts('default', { outputPaths: ['extra/all.log'] }) },
      { baseDir: dir, stdout: false },
    );
    loggers.root.info('one');
    await loggers.flush();
    loggers.reopen();
    loggers.root.info('two');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'extra/all.log'))).map((l) => l.msg),
      ['one', 'two'],
    );
    assert.deepEqual(
      (await lines(join(dir, 'logs/default.log'))).map((l) => l.msg),
      ['one', 'two'],
    );
  });

  it('drops lines after close', async () => {
    loggers = createLoggers({ default: opts('default') }, { baseDir: dir, stdout: false });
    loggers.root.info('kept');
    await loggers.close();
    loggers.root.info('late');
    await loggers.flush();
    assert.deepEqual(
      (await lines(join(dir, 'logs/default.log'))).map((l) => l.msg),
      ['kept'],
    );
  });
});

describe('log helpers', () => {
  it('formats compact console lines', () => {
    const line = compactLine('{"level":"warn","time":"2025-01-01T00:00:00.000Z","scope":"naming","msg":"slow","ms":12}\n');
    assert.equal(line, '2025-01-01T00:00:00.000Z WARN  [naming] slow {"ms":12}\n');
  });

  it('maps rotation hours to rotating-file-stream intervals', () => {
    assert.equal(intervalFor(0), undefined);
    assert.equal(intervalFor(24), '1d');
    assert.equal(intervalFor(48), '2d');
    assert.equal(intervalFor(6), '6h');
    assert.equal(intervalFor(5), '4h');
  });
});
