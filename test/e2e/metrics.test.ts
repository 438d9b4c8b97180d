/**
 * `GET /metrics` through the running daemon: polaris-server's metric names and labels are there
 * and move with traffic (HTTP and gRPC calls, instances, connections), next to the polaris-ts
 * gauges and Node's process metrics.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configYaml } from '../helpers/config-daemon.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

const w = (value: unknown) => ({ value });
let d: Daemon;
let grpc: any;

before(async () => {
  d = await startDaemon({ yaml: configYaml() });
  grpc = polarisClient(d.ports.grpc);
});

after(async () => {
  grpc?.close();
  await d?.stop();
});

/** Every sample of a metric as {labels, value}. */
async function scrape(): Promise<(name: string) => Array<{ labels: Record<string, string>; value: number }>> {
  const r = await call(d.http, 'GET', '/metrics');
  assert.equal(r.status, 200);
  const samples = r.text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      assert.ok(m, `unparsable sample: ${l}`);
      const labels: Record<string, string> = {};
      for (const p of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]] = p[2];
      return { name: m[1], labels, value: Number(m[3]) };
    });
  return (name) => samples.filter((s) => s.name === name);
}

const sum = (xs: Array<{ value: number }>) => xs.reduce((n, x) => n + x.value, 0);

test('API call counts and latency move per interface and code, HTTP and gRPC', async () => {
  const before = await scrape();
  const httpApi = 'GET:/naming/v1/services';
  const b0 = sum(before('client_rq_total').filter((s) => s.labels.api === httpApi));
  for (let i = 0; i < 3; i++) assert.equal((await call(d.http, 'GET', '/naming/v1/services')).status, 200);
  await unary(grpc, 'ReportClient', { host: w('127.0.0.1'), version: w('1.0') });
  await unary(grpc, 'RegisterInstance', { service: w('m-svc'), namespace: w('default'), host: w('10.3.0.1'), port: w(80) });
  await unary(grpc, 'RegisterInstance', { service: w(''), namespace: w('default'), host: w('10.3.0.1'), port: w(80) });

  const after = await scrape();
  const http = after('client_rq_total').filter((s) => s.labels.api === httpApi);
  assert.equal(sum(http) - b0, 3);
  assert.deepEqual(
    { ...http[0].labels, polaris_server_instance: 'x' },
    { api: httpApi, api_type: 'naming', err_code: '200000', protocol: 'HTTP', polaris_server_instance: 'x' },
  );
  assert.equal(http[0].labels.polaris_server_instance, '127.0.0.1');
  const reg = after('client_rq_total').filter((s) => s.labels.api === 'RegisterInstance' && s.labels.protocol === 'gRPC');
  assert.ok(reg.some((s) => s.labels.err_code === '200000' && s.value >= 1), JSON.stringify(reg));
  assert.ok(reg.some((s) => s.labels.err_code !== '200000' && s.value >= 1), 'the refused registration has its own code');
  const hist = after('client_rq_time_count').filter((s) => s.labels.api === httpApi);
  assert.ok(sum(hist) >= 3);
  assert.ok(after('client_rq_time_bucket').some((s) => s.labels.api === 'ReportClient' && s.labels.le === '+Inf'));
});

test('resource gauges follow instances, clients and connections', async () => {
  const ns = 'default';
  const svc = `g-${Date.now()}`;
  for (let port = 1; port <= 3; port++) {
    await unary(grpc, 'RegisterInstance', { service: w(svc), namespace: w(ns), host: w('10.4.0.1'), port: w(port), isolate: w(port === 3) });
  }
  let m = await scrape();
  for (let i = 0; i < 50 && sum(m('instance_count').filter((s) => s.labels.service === svc)) < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    m = await scrape();
  }
  // The test daemon expires clients after 1 s: report one right before the scrape.
  await unary(grpc, 'ReportClient', { id: w('metrics-client'), host: w('127.0.0.2'), version: w('1.0'), type: 'SDK' });
  m = await scrape();
  const of = (name: string) => sum(m(name).filter((s) => s.labels.service === svc && s.labels.namespace === ns));
  assert.equal(of('instance_count'), 3);
  assert.equal(of('instance_isolate_count'), 1);
  assert.equal(of('instance_online_count'), 2);
  assert.ok(sum(m('service_count').filter((s) => s.labels.namespace === ns)) >= 1);
  assert.ok(sum(m('discovery_conn_total')) >= 1, 'the SDK connection is counted');
  assert.ok(sum(m('sdk_client_total')) >= 1);
  assert.ok(sum(m('client_total')) >= 1, 'the reported client is counted');
  assert.ok(m('batch_job_unfinish').some((s) => s.labels.batch_label === 'register'));
  assert.ok(sum(m('polaris_store_tx_seconds_count')) > 0, 'store transactions are timed');
  assert.ok(m('polaris_healthcheck_lag_seconds').length === 1);
  assert.ok(m('polaris_nodejs_eventloop_lag_seconds').length === 1, 'event-loop lag');
  assert.ok(m('polaris_process_resident_memory_bytes').length === 1, 'process metrics');
  assert.ok(m('polaris_cache_sync_lag_seconds').some((s) => s.labels.cache === 'naming'));
  assert.ok(m('polaris_connections').some((s) => s.labels.apiserver === 'service-grpc' && s.value >= 1));
});

test('a held config watch woken by a release is counted in the push latency; watchers are gauged', async () => {
  const ns = `pm${Date.now()}`;
  await call(d.http, 'POST', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'w.txt', content: 'one' });
  await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'w.txt' });
  const before = sum((await scrape())('polaris_config_push_latency_seconds_count'));
  const held = call(d.http, 'POST', '/v1/WatchConfigFile', { watchFiles: [{ namespace: ns, group: 'g', fileName: 'w.txt', version: '1' }] });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(sum((await scrape())('polaris_config_watchers')), 1);
  await call(d.http, 'PUT', '/config/v1/configfiles', { namespace: ns, group: 'g', name: 'w.txt', content: 'two' });
  await call(d.http, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'g', fileName: 'w.txt' });
  assert.equal((await held).body.code, 200000);
  const m = await scrape();
  assert.equal(sum(m('polaris_config_push_latency_seconds_count')) - before, 1);
  assert.equal(sum(m('polaris_config_watchers')), 0);
  assert.ok(m('config_group_count').some((s) => s.labels.namespace === ns && s.value === 1));
  assert.ok(m('config_file_count').some((s) => s.labels.namespace === ns && s.labels.group === 'g' && s.value === 1));
  assert.ok(m('config_release_file_count').some((s) => s.labels.namespace === ns && s.labels.group === 'g' && s.value === 1));
});

test('every metric the Grafana dashboard in docs/ reads is exported', async () => {
  const dashboard = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8');
  const names = new Set([...dashboard.matchAll(/([a-z][a-z0-9_]*)\{polaris_server_instance/g)].map((m) => m[1]));
  assert.ok(names.size > 15);
  const m = await scrape();
  for (const name of names) assert.ok(m(name).length > 0 || name === 'client_rq_failure', `${name} is not exported`);
});
