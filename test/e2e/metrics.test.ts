/**
 * `GET /metrics` through the running daemon: polaris-server's metric names and labels are there
 * and move with traffic (HTTP and gRPC calls, per-interval call gauges, instances, connections,
 * cache updates, batched registrations, the Redis heartbeat store through an outage), next to the
 * polaris-ts gauges and Node's process metrics.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configYaml } from '../helpers/config-daemon.js';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';

const w = (value: unknown) => ({ value });
let d: Daemon;
let grpc: any;

// The per-interval API call gauges are published every second here (polaris-server: 60 s).
const STATIS = 'plugin:\n  statis:\n    entries:\n      - name: local\n        option:\n          interval: 1\n      - name: prometheus\n';

before(async () => {
  d = await startDaemon({ yaml: configYaml() + STATIS });
  grpc = polarisClient(d.ports.grpc);
});

after(async () => {
  grpc?.close();
  await d?.stop();
});

/** Every sample of a metric as {labels, value}. */
async function scrape(of: Daemon = d): Promise<(name: string) => Array<{ labels: Record<string, string>; value: number }>> {
  const r = await call(of.http, 'GET', '/metrics');
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
/** Metric names exported by the Redis-checker daemon (the dashboard test reads both daemons). */
const redisDaemonNames = new Set<string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Scrapes until `ok` holds for the samples (up to ~10 s), then returns them. */
async function scrapeUntil(what: string, ok: (m: Awaited<ReturnType<typeof scrape>>) => boolean, of: Daemon = d, tries = 100) {
  for (let i = 0; ; i++) {
    const m = await scrape(of);
    if (ok(m)) return m;
    if (i >= tries) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

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

test('service and instance gauges change with each register, health change, isolation and deregistration (kept counts are not stale)', async () => {
  const ns = 'default';
  const svc = `stale-${Date.now()}`;
  const inst = (port: number, extra: Record<string, unknown> = {}) => ({ service: svc, namespace: ns, host: '10.9.0.1', port, ...extra });
  const counts = async () => {
    const m = await scrape();
    const of = (name: string) => m(name).filter((s) => s.labels.service === svc && s.labels.namespace === ns);
    const ofNs = (name: string) => sum(m(name).filter((s) => s.labels.namespace === ns));
    return {
      series: of('instance_count').length,
      total: sum(of('instance_count')),
      online: sum(of('instance_online_count')),
      abnormal: sum(of('instance_abnormal_count')),
      isolate: sum(of('instance_isolate_count')),
      services: ofNs('service_count'),
      servicesOnline: ofNs('service_online_count'),
      servicesAbnormal: ofNs('service_abnormal_count'),
      servicesOffline: ofNs('service_offline_count'),
    };
  };
  /** Scrapes until the service's counts are `want` (each step waits for the naming cache, not for a timer). */
  const expect = async (what: string, want: Partial<Awaited<ReturnType<typeof counts>>>) => {
    let got = await counts();
    for (let i = 0; i < 100 && !Object.entries(want).every(([k, v]) => got[k as keyof typeof got] === v); i++) {
      await sleep(100);
      got = await counts();
    }
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof typeof got]])), want, what);
    return got;
  };

  const before0 = await counts(); // the counts are loaded before this service exists
  assert.equal(before0.series, 0);
  let r = await call(d.http, 'POST', '/naming/v1/instances', [inst(1), inst(2)]);
  assert.equal(r.status, 200, r.text);
  const reg = await expect('two healthy instances', { series: 1, total: 2, online: 2, abnormal: 0, isolate: 0 });
  assert.equal(reg.services, before0.services + 1, 'service_count counts the new service');
  assert.equal(reg.servicesOnline, before0.servicesOnline + 1);

  r = await call(d.http, 'PUT', '/naming/v1/instances', [inst(1, { isolate: true }), inst(2, { healthy: false })]);
  assert.equal(r.status, 200, r.text);
  const sick = await expect('one isolated, one unhealthy', { total: 2, online: 0, abnormal: 1, isolate: 1 });
  assert.equal(sick.servicesOnline, before0.servicesOnline, 'no healthy instance left: the service is no longer online');
  assert.equal(sick.servicesAbnormal, before0.servicesAbnormal + 1);

  r = await call(d.http, 'POST', '/naming/v1/instances/delete', [inst(1), inst(2)]);
  assert.equal(r.status, 200, r.text);
  const gone = await expect('no instances left', { series: 1, total: 0, online: 0, abnormal: 0, isolate: 0 });
  assert.equal(gone.servicesOffline, before0.servicesOffline + 1, 'a service without instances is offline');

  r = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: svc, namespace: ns }]);
  assert.equal(r.status, 200, r.text);
  const deleted = await expect('the service is gone', { series: 0 });
  assert.equal(deleted.services, before0.services);
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

test('the per-interval call gauges of polaris-server 1.18 count the last interval, per api, protocol and code', async () => {
  const api = 'GET:/naming/v1/namespaces';
  const mine = (m: Awaited<ReturnType<typeof scrape>>, name: string) => m(name).filter((s) => s.labels.api === api && s.labels.err_code === '200000');
  // Four calls at once land in one 1 s interval, unless they straddle its end (a loaded machine):
  // then neither interval reads 4, and the calls are made again.
  let m: Awaited<ReturnType<typeof scrape>> | undefined;
  for (let attempt = 1; !m; attempt++) {
    const answers = await Promise.all(Array.from({ length: 4 }, () => call(d.http, 'GET', '/naming/v1/namespaces')));
    for (const a of answers) assert.equal(a.status, 200);
    try {
      m = await scrapeUntil('the interval with the four calls', (x) => mine(x, 'client_rq_interval_count').some((s) => s.value === 4), d, 30);
    } catch (err) {
      if (attempt >= 3) throw err;
      await scrapeUntil('a quiet interval', (x) => mine(x, 'client_rq_interval_count').every((s) => s.value === 0));
    }
  }
  const [count] = mine(m, 'client_rq_interval_count');
  assert.deepEqual({ ...count.labels, polaris_server_instance: 'x' }, { api, protocol: 'HTTP', err_code: '200000', polaris_server_instance: 'x' });
  const [total] = mine(m, 'client_rq_timeout');
  const [min] = mine(m, 'client_rq_timeout_min');
  const [max] = mine(m, 'client_rq_timeout_max');
  const [avg] = mine(m, 'client_rq_timeout_avg');
  assert.ok(min.value > 0 && min.value <= avg.value && avg.value <= max.value, JSON.stringify({ min, avg, max }));
  assert.ok(Math.abs(avg.value * 4 - total.value) < 1e-6, 'total ms = 4 × average');
  // The next interval without calls reads 0.
  await scrapeUntil('a quiet interval', (x) => mine(x, 'client_rq_interval_count').some((s) => s.value === 0));
});

test('cache update cost and batched registration cost move with writes', async () => {
  const before = await scrape();
  const naming = (m: Awaited<ReturnType<typeof scrape>>) => sum(m('cache_update_cost_count').filter((s) => s.labels.cache_type === 'naming'));
  const regs = (m: Awaited<ReturnType<typeof scrape>>) => sum(m('instance_regis_cost_time_count'));
  const svc = `cu-${Date.now()}`;
  for (let port = 1; port <= 3; port++) {
    const r = await unary(grpc, 'RegisterInstance', { service: w(svc), namespace: w('default'), host: w('10.7.0.1'), port: w(port) });
    assert.equal(r.code.value, 200000);
  }
  const after = await scrapeUntil('cache reads after the writes', (m) => naming(m) > naming(before));
  assert.ok(regs(after) - regs(before) >= 3, 'each batched registration is timed');
  assert.ok(after('instance_regis_cost_time_bucket').some((s) => s.labels.le === '+Inf'));
  const counts = new Set(after('cache_update_cost_count').map((s) => s.labels.cache_update_count));
  for (const c of counts) assert.match(c, /^(0|1|10+)$/, 'record counts are rounded up to powers of ten');
  assert.ok(after('cache_update_cost_count').some((s) => s.labels.cache_type === 'naming' && s.labels.cache_update_count !== '0' && s.value > 0));
  assert.equal(after('instance_regis_task_expire').length, 1);
  assert.equal(after('redis_alive_status').length, 0, 'no Redis series with the memory checker');
});

test('Redis heartbeat metrics: calls are timed, an outage shows as dead with read and write failures', async () => {
  const proxy = new FlakyProxy('127.0.0.1', 6379);
  await proxy.start();
  const yaml = defaultYaml().replace(
    '    - name: heartbeatMemory\n',
    `    - name: heartbeatRedis\n      option:\n        kvAddr: 127.0.0.1:${proxy.port}\n        msgTimeout: 200ms\n        connectTimeout: 200ms\n`,
  );
  assert.notEqual(yaml, defaultYaml());
  const r = await startDaemon({ yaml });
  const client = polarisClient(r.ports.grpc);
  try {
    const svc = `rm-${Date.now()}`;
    const inst = { service: w(svc), namespace: w('default'), host: w('10.8.0.1'), port: w(80) };
    const reg = await unary(client, 'RegisterInstance', { ...inst, enable_health_check: w(true), health_check: { type: 'HEARTBEAT', heartbeat: { ttl: w(1) } } });
    assert.equal(reg.code.value, 200000);
    const id = reg.instance.id.value;
    const beat = () => unary(client, 'Heartbeat', { id: w(id), ...inst });
    assert.equal((await beat()).code.value, 200000);
    const calls = (m: Awaited<ReturnType<typeof scrape>>, op: string, outcome: string) =>
      sum(m('polaris_redis_call_seconds_count').filter((s) => s.labels.op === op && s.labels.outcome === outcome));
    let m = await scrapeUntil('a timed put', (x) => calls(x, 'put', 'ok') > 0, r);
    assert.equal(sum(m('redis_alive_status')), 1);
    assert.equal(sum(m('redis_write_failure')), 0);
    assert.equal(sum(m('redis_read_failure')), 0);

    await proxy.down();
    m = await scrapeUntil('Redis seen as dead', (x) => sum(x('redis_alive_status')) === 0, r);
    for (let i = 0; i < 3; i++) await beat();
    m = await scrapeUntil('failed writes and reads', (x) => sum(x('redis_write_failure')) >= 1 && sum(x('redis_read_failure')) >= 1, r);
    assert.ok(calls(m, 'put', 'error') >= 1);
    assert.ok(calls(m, 'get', 'error') >= 1);

    await proxy.up();
    m = await scrapeUntil('Redis alive again', (x) => sum(x('redis_alive_status')) === 1, r);
    for (const name of ['redis_alive_status', 'redis_read_failure', 'redis_write_failure', 'polaris_redis_call_seconds_bucket']) {
      if (m(name).length > 0) redisDaemonNames.add(name);
    }
  } finally {
    client.close();
    await r.stop();
    await proxy.down();
  }
});

test('every metric the Grafana dashboard in docs/ reads is exported', async () => {
  const dashboard = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8');
  const names = new Set([...dashboard.matchAll(/([a-z][a-z0-9_]*)\{polaris_server_instance/g)].map((m) => m[1]));
  assert.ok(names.size > 15);
  // Interval gauges of APIs quiet for three intervals are dropped: call one and wait for its interval.
  await call(d.http, 'GET', '/naming/v1/namespaces');
  const m = await scrapeUntil('a published interval', (x) => x('client_rq_interval_count').length > 0);
  for (const name of names) {
    assert.ok(m(name).length > 0 || redisDaemonNames.has(name) || name === 'client_rq_failure', `${name} is not exported`);
  }
});
