/**
 * connLimit on the gRPC listener through the running daemon: the N+1th connection from a host is
 * refused (the SDK sees UNAVAILABLE), the refusal is logged once per host per interval and counted
 * in the maintain stats, and a freed slot admits the next client.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

const w = (value: unknown) => ({ value });
const LIMIT = 2;
let d: Daemon;
const clients: any[] = [];
/** A channel of its own (grpc-js would otherwise share one connection between clients). */
const fresh = () => {
  const c = polarisClient(d.ports.grpc, { 'grpc.use_local_subchannel_pool': 1, 'grpc.initial_reconnect_backoff_ms': 100 });
  clients.push(c);
  return c;
};
const report = (c: any) => unary(c, 'ReportClient', { host: w('127.0.0.1'), version: w('1') });

before(async () => {
  const yaml = defaultYaml().replace(
    '      enableCacheProto: true\n',
    `      enableCacheProto: true\n      connLimit:\n        openConnLimit: true\n        maxConnPerHost: ${LIMIT}\n        maxConnLimit: 100\n        purgeCounterInterval: 60s\n`,
  );
  assert.notEqual(yaml, defaultYaml());
  d = await startDaemon({ yaml });
});

after(async () => {
  for (const c of clients) c.close();
  await d?.stop();
});

test('the N+1th gRPC connection from a host is refused, logged once and counted; a freed slot admits again', async () => {
  const admitted = [fresh(), fresh()];
  for (const c of admitted) assert.equal((await report(c)).code.value, 200000);

  const over = fresh();
  await assert.rejects(report(over), (err: any) => {
    assert.equal(err.code, status.UNAVAILABLE);
    return true;
  });
  await assert.rejects(report(over)); // still refused: the limit holds for retries too

  const stats = await call(d.http, 'GET', '/maintain/v1/apiserver/conn/stats?protocol=service-grpc&host=127.0.0.1');
  assert.equal(stats.status, 200, stats.text);
  assert.equal(stats.body.ActiveConnTotal, LIMIT);
  assert.ok(stats.body.Stats[0].Refused >= 1, stats.text);
  assert.ok(stats.body.RefusedTotal >= 1);

  await new Promise((r) => setTimeout(r, 300)); // let the log line reach the file
  const log = readFileSync(join(d.dir, 'log', 'runtime', 'polaris-apiserver.log'), 'utf8');
  const lines = log.split('\n').filter((l) => l.includes('connection refused by the connection limit'));
  assert.equal(lines.length, 1, 'one line per host per purge interval, however many refusals');
  assert.match(lines[0], /"ip":"127\.0\.0\.1"/);

  admitted[0].close();
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    ok = await report(over).then(
      () => true,
      () => false,
    );
    if (!ok) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(ok, 'the freed slot admits the waiting client');
});

test('SIGHUP raises the limit without a restart', async () => {
  const blocked = fresh();
  await assert.rejects(report(blocked), 'at the limit of 2');
  const file = readdirSync(d.dir).find((f) => /^polaris-server-.*\.yaml$/.test(f));
  assert.ok(file);
  const path = join(d.dir, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(`maxConnPerHost: ${LIMIT}`, `maxConnPerHost: ${LIMIT + 1}`));
  d.proc.kill('SIGHUP');
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    ok = await report(blocked).then(
      () => true,
      () => false,
    );
    if (!ok) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(ok, 'the third connection is admitted after the reload');
  const conn = await call(d.http, 'GET', '/maintain/v1/apiserver/conn?protocol=service-grpc');
  assert.equal(conn.body.Total, LIMIT + 1);
});
