/**
 * Governance rules in cluster mode: two server processes sharing MariaDB (127.0.0.1:3306) and Redis
 * (127.0.0.1:6379). A rule written over HTTP on one node reaches an SDK's Discover on the other
 * through the shared store's change sequence.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { clusterConfigYaml, uniqueDatabaseName } from '../helpers/cluster.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient } from '../helpers/grpc-client.js';
import { code, createServices, discoverRules, routeRuleV2, uniq } from '../helpers/rules.js';

const DB = uniqueDatabaseName();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let a: Daemon | undefined;
let b: Daemon | undefined;
let clientB: any;

before(async () => {
  a = await startDaemon({ yaml: clusterConfigYaml(DB) });
  // The second node in another time zone: nothing may depend on wall-clock times across nodes.
  b = await startDaemon({ yaml: clusterConfigYaml(DB), env: { TZ: 'Asia/Kolkata' } });
  clientB = polarisClient(b.ports.grpc);
});

after(async () => {
  clientB?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  } finally {
    await conn.end();
  }
});

/** Polls `fn` until it returns a value; how long that took after the start. */
async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, step = 25): Promise<{ value: T; after: number }> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return { value: v, after: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(step);
  }
}

function rateLimit(ns: string, service: string, maxAmount: number) {
  return {
    name: uniq('limit'),
    service,
    namespace: ns,
    type: 'LOCAL',
    resource: 'QPS',
    amounts: [{ maxAmount, validDuration: '1s' }],
    method: { type: 'EXACT', value: '/echo' },
  };
}

test('a route rule created, changed and deleted on node A reaches Discover ROUTING on node B within 1 s', async (t) => {
  const ns = uniq('crt');
  await createServices(a!.http, ns, ['caller', 'callee']);
  const created = await call(a!.http, 'POST', '/naming/v2/routings', [routeRuleV2(ns, 'caller', 'callee')]);
  assert.equal(created.body.code, 200000, created.text);
  const id = created.body.responses[0].data.id;

  const seen = await waitFor(async () => {
    const r = await discoverRules(clientB, 'ROUTING', ns, 'callee');
    return code(r) === 200000 && (r.routing?.inbounds ?? []).length === 1 ? r : undefined;
  }, 5_000);
  assert.ok(seen.after <= 1_000, `created rule visible on B after ${seen.after} ms`);
  assert.equal(seen.value.routing.inbounds[0].destinations[0].weight.value, 100);
  const rev = seen.value.routing.revision.value;

  const upd = await call(a!.http, 'PUT', '/naming/v2/routings', [{ id, ...routeRuleV2(ns, 'caller', 'callee', 30) }]);
  assert.equal(upd.body.code, 200000, upd.text);
  const changed = await waitFor(async () => {
    const r = await discoverRules(clientB, 'ROUTING', ns, 'callee', rev);
    return code(r) === 200000 ? r : undefined;
  }, 5_000);
  assert.ok(changed.after <= 1_000, `changed rule visible on B after ${changed.after} ms`);
  assert.equal(changed.value.routing.inbounds[0].destinations[0].weight.value, 30);

  const del = await call(a!.http, 'POST', '/naming/v2/routings/delete', [{ id }]);
  assert.equal(del.body.code, 200000, del.text);
  const gone = await waitFor(async () => {
    const r = await discoverRules(clientB, 'ROUTING', ns, 'callee');
    return (r.routing?.inbounds ?? []).length === 0 ? r : undefined;
  }, 5_000);
  assert.ok(gone.after <= 1_000, `deleted rule gone on B after ${gone.after} ms`);
  t.diagnostic(`visible on B after: create ${seen.after} ms, update ${changed.after} ms, delete ${gone.after} ms`);
});

test('a rate-limit rule created on node A reaches Discover RATE_LIMIT on node B within 1 s', async (t) => {
  const ns = uniq('crl');
  await createServices(a!.http, ns, ['echo']);
  const created = await call(a!.http, 'POST', '/naming/v1/ratelimits', [rateLimit(ns, 'echo', 10)]);
  assert.equal(created.body.code, 200000, created.text);
  const id = created.body.responses[0].rateLimit.id;

  const seen = await waitFor(async () => {
    const r = await discoverRules(clientB, 'RATE_LIMIT', ns, 'echo');
    return code(r) === 200000 && (r.rateLimit?.rules ?? []).length === 1 ? r : undefined;
  }, 5_000);
  assert.ok(seen.after <= 1_000, `rate limit visible on B after ${seen.after} ms`);
  t.diagnostic(`visible on B after ${seen.after} ms`);
  const rule = seen.value.rateLimit.rules[0];
  assert.equal(rule.id.value, id);
  assert.equal(rule.amounts[0].maxAmount.value, 10);

  // Node B serves the rule's management API from the same store too.
  const listed = await call(b!.http, 'GET', `/naming/v1/ratelimits?namespace=${ns}`);
  assert.equal(listed.body.amount, 1, listed.text);
  assert.equal(listed.body.rateLimits[0].id, id);
});

test('a service bound by a rule on node A cannot be deleted through node B', async () => {
  const ns = uniq('crg');
  await createServices(a!.http, ns, ['x', 'y']);
  const created = await call(a!.http, 'POST', '/naming/v2/routings', [routeRuleV2(ns, 'x', 'y')]);
  assert.equal(created.body.code, 200000, created.text);
  const del = await call(b!.http, 'POST', '/naming/v1/services/delete', [{ name: 'y', namespace: ns }]);
  assert.equal(del.body.code, 400205, del.text);
});
