/**
 * SIGHUP through the spawned daemon: a changed log level and auth switch apply at once, changes that
 * need a restart are logged, and a broken file leaves the running configuration in force.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';

let d: Daemon;
let file = '';
let original = '';

before(async () => {
  d = await startDaemon();
  const name = readdirSync(d.dir).find((f) => /^polaris-server-.*\.yaml$/.test(f));
  assert.ok(name);
  file = join(d.dir, name);
  original = readFileSync(file, 'utf8');
});

after(async () => {
  await d?.stop();
});

const levelOf = async (scope: string) =>
  (await call(d.http, 'GET', '/maintain/v1/log/outputlevel')).body?.find((l: any) => l.Name === scope)?.Level;

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(what);
}

const configLog = () => {
  try {
    return readFileSync(join(d.dir, 'log', 'runtime', 'polaris-config.log'), 'utf8');
  } catch {
    return '';
  }
};

test('SIGHUP applies log levels and auth switches, logs what needs a restart', async () => {
  assert.equal(await levelOf('default'), 'info');
  assert.equal((await call(d.http, 'GET', '/maintain/v1/leaders')).status, 200, 'console auth is off');
  const debug = original.replace('      outputLevel: info', '      outputLevel: debug');
  assert.notEqual(debug, original);
  writeFileSync(file, debug);
  d.proc.kill('SIGHUP');
  await eventually(async () => (await levelOf('default')) === 'debug', 'the log level follows the file');

  const changed = debug
    .replace('      consoleOpen: false', '      consoleOpen: true')
    .replace('  slotNum: 30', '  slotNum: 31');
  assert.notEqual(changed, original);
  writeFileSync(file, changed);
  d.proc.kill('SIGHUP');
  await eventually(async () => (await call(d.http, 'GET', '/maintain/v1/leaders')).status !== 200, 'auth switch applied');
  await eventually(async () => configLog().split('configuration reloaded').length - 1 === 2, 'second reload logged');
  const restart = configLog().split('\n').filter((l) => l.includes('need a restart'));
  assert.equal(restart.length, 1, 'only the second file changed something that needs a restart');
  assert.match(restart[0], /"keys":\["healthcheck"\]/);
  assert.equal(d.proc.exitCode, null, 'SIGHUP does not stop the server');
});

test('a broken file keeps the running configuration and logs why', async () => {
  writeFileSync(file, original.replace('consoleOpen: false', 'consoleOpen: [broken'));
  d.proc.kill('SIGHUP');
  await eventually(async () => configLog().includes('reload failed'), 'the failed reload is logged');
  assert.equal(d.proc.exitCode, null);
  // still the reloaded state: auth on, so the maintain API refuses an anonymous caller
  assert.notEqual((await call(d.http, 'GET', '/maintain/v1/leaders')).status, 200);
  assert.equal((await call(d.http, 'GET', '/readyz')).status, 200);

  writeFileSync(file, original);
  d.proc.kill('SIGHUP');
  await eventually(async () => (await call(d.http, 'GET', '/maintain/v1/leaders')).status === 200, 'back to the original file');
  assert.equal(await levelOf('default'), 'info');
});

test('SIGHUP reopens log files moved away by an external rotation', async () => {
  const path = join(d.dir, 'log', 'runtime', 'polaris-config.log');
  renameSync(path, `${path}.1`);
  d.proc.kill('SIGHUP');
  await eventually(async () => existsSync(path) && readFileSync(path, 'utf8').includes('configuration reloaded'), 'a new file is written');
  assert.ok(readFileSync(`${path}.1`, 'utf8').includes('configuration reloaded'), 'the moved file keeps the older lines');
});

test('SIGHUP moves a scope to new output files', async () => {
  const moved = join(d.dir, 'log', 'moved-apiserver.log');
  const base = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    base.replace(
      'bootstrap:\n  logger:\n',
      `bootstrap:\n  logger:\n    apiserver:\n      rotateOutputPath: ${moved}\n      outputLevel: debug\n`,
    ),
  );
  d.proc.kill('SIGHUP');
  const marker = `/naming/v1/services?name=moved${Date.now()}`;
  await eventually(async () => {
    await call(d.http, 'GET', marker);
    return existsSync(moved) && readFileSync(moved, 'utf8').includes(marker);
  }, 'apiserver lines go to the new file');
  writeFileSync(file, base);
  d.proc.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 500));
});
