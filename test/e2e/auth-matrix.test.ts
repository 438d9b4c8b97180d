import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { configYaml } from '../helpers/config-daemon.js';
import { call, defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient } from '../helpers/grpc-client.js';
import { routeRuleV2 } from '../helpers/rules.js';

/**
 * Authorization through the running daemon: every role × every guarded operation group, with the
 * code and HTTP status each refusal must carry, plus first start, login, tokens and passwords.
 */

const SALT = 'k3y-0f-16-bytes!';
/** polaris-server's public admin token (valid under its public default salt). */
const WELL_KNOWN_TOKEN = 'nu/0WRA4EqSR1FagrjRj0fZwPXuGlMpX+zCuWu4uMqy8xr1vRjisSbA25aAC3mtU8MeeRsKhQiDAynUR09I=';

function authYaml(userOption: string, strategy: string, yaml = defaultYaml()): string {
  const off = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
  assert.ok(yaml.includes(off), 'the test daemon config has changed');
  return yaml.replace(off, `auth:\n  user:\n    option:\n${userOption}\n  strategy:\n    option:\n${strategy}`);
}

const u = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

let d: Daemon;
let grpc: any;
let adminPassword = '';
let adminToken = '';
const ns = { A: u(), B: u() };
const svc = { A: 'svc-a', B: 'svc-b' };
const tokens: Record<string, string | undefined> = {};
const ids: Record<string, string> = {};

const h = (token: string | undefined): Record<string, string> => (token === undefined ? {} : { 'X-Polaris-Token': token });

async function asAdmin(method: string, path: string, body?: unknown) {
  const r = await call(d.http, method, path, body, h(adminToken));
  assert.ok(r.status === 200, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

function grpcUnary(method: string, req: unknown, token: string | undefined): Promise<any> {
  const md = new Metadata();
  if (token !== undefined) md.set('x-polaris-token', token);
  return new Promise((res, rej) => grpc[method](req, md, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))));
}

function grpcDiscover(req: unknown, token: string | undefined): Promise<any> {
  const md = new Metadata();
  if (token !== undefined) md.set('x-polaris-token', token);
  return new Promise((res, rej) => {
    const stream = grpc.Discover(md);
    stream.on('data', (data: unknown) => {
      res(data);
      stream.end();
    });
    stream.on('error', rej);
    stream.write(req);
  });
}

before(async () => {
  d = await startDaemon({
    yaml: authYaml(
      `      salt: "${SALT}"`,
      `      consoleOpen: true\n      consoleStrict: true\n      clientOpen: true\n      clientStrict: true`,
      configYaml(),
    ),
  });
  grpc = polarisClient(d.ports.grpc);
  const out = d.output();
  adminPassword = /password: (\S+)/.exec(out)?.[1] ?? '';
  adminToken = /token: {4}(\S+)/.exec(out)?.[1] ?? '';
  assert.ok(adminPassword && adminToken, `first start must print the generated credentials:\n${out}`);

  await asAdmin('POST', '/core/v1/namespaces', [{ name: ns.A }, { name: ns.B }]);
  await asAdmin('POST', '/naming/v1/services', [
    { name: svc.A, namespace: ns.A },
    { name: svc.B, namespace: ns.B },
  ]);
  const names = { granted: u(), plain: u(), disabled: u() };
  const created = await asAdmin(
    'POST',
    '/core/v1/users',
    Object.values(names).map((name) => ({ name, password: 'pass-123', source: 'Polaris' })),
  );
  Object.keys(names).forEach((role, i) => (ids[role] = created.responses[i].user.id));
  for (const role of Object.keys(names)) tokens[role] = (await asAdmin('GET', `/core/v1/user/token?id=${ids[role]}`)).user.auth_token;
  await asAdmin('POST', '/core/v1/auth/strategy', {
    name: `grant-${u()}`,
    principals: { users: [{ id: ids.granted }, { id: ids.disabled }] },
    resources: { namespaces: [{ id: ns.A }] },
  });
  await asAdmin('PUT', '/core/v1/user/token/status', { id: ids.disabled, token_enable: false });
  tokens.admin = adminToken;
  tokens.none = undefined;
  tokens.bad = 'not-a-token';
});

after(async () => {
  grpc?.close();
  await d?.stop();
});

type Target = 'A' | 'B' | null;
interface Op {
  name: string;
  access: 'read' | 'write';
  target: Target;
  run(token: string | undefined): Promise<{ status: number; code: number }>;
  /** The code of an allowed call when it is not 200000 (e.g. a config file not published yet). */
  okCode?: number;
}

const http = (method: string, path: string, body: () => unknown) => async (token: string | undefined) => {
  const r = await call(d.http, method, path, body(), h(token));
  return { status: r.status, code: r.body?.code };
};

const instance = (t: 'A' | 'B') => ({ service: svc[t], namespace: ns[t], host: '10.9.9.9', port: 1000 + Math.floor(Math.random() * 50000) });

const rateLimit = (t: 'A' | 'B') => ({
  name: u(),
  service: svc[t],
  namespace: ns[t],
  type: 'LOCAL',
  resource: 'QPS',
  amounts: [{ maxAmount: 10, validDuration: '1s' }],
});

const OPS: Op[] = [
  { name: 'list namespaces', access: 'read', target: null, run: http('GET', '/core/v1/namespaces', () => undefined) },
  { name: 'update namespace A', access: 'write', target: 'A', run: http('PUT', '/core/v1/namespaces', () => [{ name: ns.A, comment: u() }]) },
  { name: 'update namespace B', access: 'write', target: 'B', run: http('PUT', '/core/v1/namespaces', () => [{ name: ns.B, comment: u() }]) },
  { name: 'list services', access: 'read', target: null, run: http('GET', `/naming/v1/services?namespace=${ns.A}`, () => undefined) },
  { name: 'create service in A', access: 'write', target: 'A', run: http('POST', '/naming/v1/services', () => [{ name: u(), namespace: ns.A }]) },
  { name: 'create service in B', access: 'write', target: 'B', run: http('POST', '/naming/v1/services', () => [{ name: u(), namespace: ns.B }]) },
  {
    name: 'list instances',
    access: 'read',
    target: null,
    run: http('GET', `/naming/v1/instances?namespace=${ns.A}&service=${svc.A}`, () => undefined),
  },
  { name: 'create instance in A', access: 'write', target: 'A', run: http('POST', '/naming/v1/instances', () => [instance('A')]) },
  { name: 'create instance in B', access: 'write', target: 'B', run: http('POST', '/naming/v1/instances', () => [instance('B')]) },
  { name: 'SDK register in A (HTTP)', access: 'write', target: 'A', run: http('POST', '/v1/RegisterInstance', () => instance('A')) },
  { name: 'SDK register in B (HTTP)', access: 'write', target: 'B', run: http('POST', '/v1/RegisterInstance', () => instance('B')) },
  {
    name: 'SDK discover (HTTP)',
    access: 'read',
    target: null,
    run: http('POST', '/v1/Discover', () => ({ type: 'INSTANCE', service: { name: svc.A, namespace: ns.A } })),
  },
  { name: 'list rate limits', access: 'read', target: null, run: http('GET', `/naming/v1/ratelimits?namespace=${ns.A}`, () => undefined) },
  { name: 'create rate limit in A', access: 'write', target: 'A', run: http('POST', '/naming/v1/ratelimits', () => [rateLimit('A')]) },
  { name: 'create rate limit in B', access: 'write', target: 'B', run: http('POST', '/naming/v1/ratelimits', () => [rateLimit('B')]) },
  {
    name: 'list config groups',
    access: 'read',
    target: null,
    run: http('GET', `/config/v1/configfilegroups?namespace=${ns.A}`, () => undefined),
  },
  {
    name: 'create config group in A',
    access: 'write',
    target: 'A',
    run: http('POST', '/config/v1/configfilegroups', () => ({ namespace: ns.A, name: u() })),
  },
  {
    name: 'create config group in B',
    access: 'write',
    target: 'B',
    run: http('POST', '/config/v1/configfilegroups', () => ({ namespace: ns.B, name: u() })),
  },
  {
    name: 'create config file in A',
    access: 'write',
    target: 'A',
    run: http('POST', '/config/v1/configfiles', () => ({ namespace: ns.A, group: 'app', name: `${u()}.yaml`, content: 'a: 1' })),
  },
  {
    name: 'create config file in B',
    access: 'write',
    target: 'B',
    run: http('POST', '/config/v1/configfiles', () => ({ namespace: ns.B, group: 'app', name: `${u()}.yaml`, content: 'a: 1' })),
  },
  {
    name: 'SDK fetch config file (HTTP)',
    access: 'read',
    target: null,
    okCode: 400202,
    run: http('GET', `/v1/GetConfigFile?namespace=${ns.A}&group=app&fileName=none.yaml&version=0`, () => undefined),
  },
  {
    name: 'SDK register in A (gRPC)',
    access: 'write',
    target: 'A',
    run: async (token) => {
      const i = instance('A');
      const r = await grpcUnary(
        'RegisterInstance',
        { service: { value: i.service }, namespace: { value: i.namespace }, host: { value: i.host }, port: { value: i.port } },
        token,
      );
      return { status: 200, code: r.code.value };
    },
  },
  {
    name: 'SDK register in B (gRPC)',
    access: 'write',
    target: 'B',
    run: async (token) => {
      const i = instance('B');
      const r = await grpcUnary(
        'RegisterInstance',
        { service: { value: i.service }, namespace: { value: i.namespace }, host: { value: i.host }, port: { value: i.port } },
        token,
      );
      return { status: 200, code: r.code.value };
    },
  },
  {
    name: 'SDK discover (gRPC)',
    access: 'read',
    target: null,
    run: async (token) => {
      const r = await grpcDiscover({ type: 'INSTANCE', service: { name: { value: svc.A }, namespace: { value: ns.A } } }, token);
      return { status: 200, code: r.code.value };
    },
  },
];

/** What each role may do: true = allowed, else the code it must get. */
const ROLES: Record<string, (op: Op) => true | number> = {
  admin: () => true,
  granted: (op) => (op.access === 'read' || op.target === 'A' ? true : 401001),
  plain: (op) => (op.access === 'read' ? true : 401001),
  none: () => 401001,
  bad: () => 401001,
  disabled: () => 401003,
};

describe('role × operation matrix (console and client auth on, strict)', () => {
  for (const [role, expect] of Object.entries(ROLES)) {
    test(`role ${role}`, async () => {
      for (const op of OPS) {
        const want = expect(op);
        const got = await op.run(tokens[role]);
        if (want === true) {
          const okCode = op.okCode ?? 200000;
          assert.equal(got.code, okCode, `${role} / ${op.name}: expected ${okCode}, got ${got.code}`);
        } else {
          assert.equal(got.code, want, `${role} / ${op.name}: expected ${want}, got ${got.code}`);
          if (!op.name.includes('gRPC')) assert.equal(got.status, Math.floor(want / 1000), `${role} / ${op.name}: HTTP status`);
        }
      }
    });
  }

  test('refused writes wrote nothing', async () => {
    const before = (await asAdmin('GET', `/naming/v1/services?namespace=${ns.B}`)).amount;
    const name = u();
    for (const role of ['granted', 'plain', 'none', 'bad', 'disabled']) {
      const r = await call(d.http, 'POST', '/naming/v1/services', [{ name, namespace: ns.B }], h(tokens[role]));
      assert.equal(r.status, 401);
      const ren = await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: ns.B, comment: `by-${role}` }], h(tokens[role]));
      assert.equal(ren.status, 401);
    }
    assert.equal((await asAdmin('GET', `/naming/v1/services?namespace=${ns.B}`)).amount, before);
    const list = await asAdmin('GET', `/core/v1/namespaces?name=${ns.B}`);
    assert.ok(!String(list.namespaces[0].comment).startsWith('by-'));
  });
});

describe('grants, tokens and their effect on the very next request', () => {
  test('a new namespace is closed to sub-users from its first moment', async () => {
    const fresh = u();
    await asAdmin('POST', '/core/v1/namespaces', [{ name: fresh }]);
    const r = await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: fresh, comment: 'x' }], h(tokens.granted));
    assert.equal(r.body.code, 401001);
    const s = await call(d.http, 'POST', '/naming/v1/services', [{ name: 'x', namespace: fresh }], h(tokens.plain));
    assert.equal(s.body.code, 401001);
  });

  test('granting and revoking a namespace act at once', async () => {
    const strategy = (await asAdmin('GET', `/core/v1/auth/strategies?principal_id=${ids.plain}&principal_type=user&default=true`))
      .authStrategies[0];
    assert.ok(strategy?.default_strategy);
    const grant = await asAdmin('PUT', '/core/v1/auth/strategies', [{ id: strategy.id, add_resources: { namespaces: [{ id: ns.B }] } }]);
    assert.equal(grant.code, 200000);
    const ok = await call(d.http, 'POST', '/naming/v1/services', [{ name: u(), namespace: ns.B }], h(tokens.plain));
    assert.equal(ok.body.code, 200000);
    const res = await call(d.http, 'GET', `/core/v1/auth/principal/resources?principal_id=${ids.plain}`, undefined, h(tokens.plain));
    assert.deepEqual(res.body.resources.namespaces.map((n: any) => n.id), [ns.B]);
    await asAdmin('PUT', '/core/v1/auth/strategies', [{ id: strategy.id, remove_resources: { namespaces: [{ id: ns.B }] } }]);
    const no = await call(d.http, 'POST', '/naming/v1/services', [{ name: u(), namespace: ns.B }], h(tokens.plain));
    assert.equal(no.body.code, 401001);
  });

  test('a rule named by id is judged where it lives, not where the request says it is', async () => {
    const rule = (space: string) => routeRuleV2(space, '*', svc.A);
    const inB = rule(ns.B);
    const idB = (await asAdmin('POST', '/naming/v2/routings', [inB])).responses[0].data.id;
    // `granted` may write namespace A only: claiming A for B's rule must not let it through.
    const moved = await call(d.http, 'PUT', '/naming/v2/routings', [{ ...inB, id: idB, namespace: ns.A }], h(tokens.granted));
    assert.equal(moved.body.code, 401001, moved.text);
    const del = await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id: idB }], h(tokens.granted));
    assert.equal(del.body.code, 401001, del.text);
    const off = await call(d.http, 'PUT', '/naming/v2/routings/enable', [{ id: idB, enable: false }], h(tokens.granted));
    assert.equal(off.body.code, 401001, off.text);
    const list = await asAdmin('GET', `/naming/v2/routings?id=${idB}`);
    assert.equal(list.data[0]?.namespace, ns.B, 'the refused update changed nothing');
    assert.equal(list.data[0]?.enable, true);
    // A rule that lives in A is covered by the namespace grant, by id alone too.
    const idA = (await asAdmin('POST', '/naming/v2/routings', [rule(ns.A)])).responses[0].data.id;
    const delA = await call(d.http, 'POST', '/naming/v2/routings/delete', [{ id: idA }], h(tokens.granted));
    assert.equal(delA.body.code, 200000, delA.text);
  });

  test('disabling a token refuses its next read and write (401003); enabling restores it', async () => {
    const name = u();
    const user = await asAdmin('POST', '/core/v1/users', [{ name, password: 'pass-123', source: 'Polaris' }]);
    const id = user.responses[0].user.id;
    const token = (await asAdmin('GET', `/core/v1/user/token?id=${id}`)).user.auth_token;
    assert.equal((await call(d.http, 'GET', '/core/v1/namespaces', undefined, h(token))).status, 200);
    await asAdmin('PUT', '/core/v1/user/token/status', { id, token_enable: false });
    const r = await call(d.http, 'GET', '/core/v1/namespaces', undefined, h(token));
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 401003);
    const own = await call(d.http, 'GET', `/core/v1/user/token?id=${id}`, undefined, h(token));
    assert.equal(own.body.code, 401003);
    await asAdmin('PUT', '/core/v1/user/token/status', { id, token_enable: true });
    assert.equal((await call(d.http, 'GET', '/core/v1/namespaces', undefined, h(token))).status, 200);
  });

  test('a refreshed token replaces the old one at once (401004)', async () => {
    const id = ids.plain;
    const old = tokens.plain;
    const fresh = (await asAdmin('PUT', '/core/v1/user/token/refresh', { id })).user.auth_token;
    assert.notEqual(fresh, old);
    const r = await call(d.http, 'GET', '/core/v1/namespaces', undefined, h(old));
    assert.equal(r.body.code, 401004);
    assert.equal((await call(d.http, 'GET', '/core/v1/namespaces', undefined, h(fresh))).status, 200);
    tokens.plain = fresh;
  });

  test('a group token acts with the group’s grants', async () => {
    const g = await asAdmin('POST', '/core/v1/usergroup', { name: `g${u()}`, relation: { users: [{ id: ids.plain }] } });
    const gid = g.userGroup.id;
    const detail = await asAdmin('GET', `/core/v1/usergroup/detail?id=${gid}`);
    assert.deepEqual(detail.userGroup.relation.users.map((x: any) => x.id), [ids.plain]);
    const gtoken = (await asAdmin('GET', `/core/v1/usergroup/token?id=${gid}`)).userGroup.auth_token;
    const denied = await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: ns.B, comment: 'g' }], h(gtoken));
    assert.equal(denied.body.code, 401001);
    await asAdmin('POST', '/core/v1/auth/strategy', {
      name: `g-${u()}`,
      principals: { groups: [{ id: gid }] },
      resources: { namespaces: [{ id: ns.B }] },
    });
    assert.equal((await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: ns.B, comment: 'g' }], h(gtoken))).body.code, 200000);
    // A member inherits the group's grants.
    assert.equal((await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: ns.B, comment: 'm' }], h(tokens.plain))).body.code, 200000);
    // Group tokens cannot manage users, groups or policies.
    const users = await call(d.http, 'GET', '/core/v1/users', undefined, h(gtoken));
    assert.equal(users.body.code, 403002);
    await asAdmin('POST', '/core/v1/usergroups/delete', [{ id: gid }]);
    assert.equal((await call(d.http, 'PUT', '/core/v1/namespaces', [{ name: ns.B, comment: 'm2' }], h(tokens.plain))).body.code, 401001);
  });
});

describe('auth routes', () => {
  test('without a token 401002, with a garbage token 403001, disabled 401003, sub-accounts 403002', async () => {
    const none = await call(d.http, 'GET', '/core/v1/users');
    assert.deepEqual([none.status, none.body.code], [401, 401002]);
    const bad = await call(d.http, 'GET', '/core/v1/users', undefined, h('garbage'));
    assert.deepEqual([bad.status, bad.body.code], [403, 403001]);
    const disabled = await call(d.http, 'GET', '/core/v1/users', undefined, h(tokens.disabled));
    assert.deepEqual([disabled.status, disabled.body.code], [401, 401003]);
    const sub = await call(d.http, 'POST', '/core/v1/users', [{ name: u(), password: 'pass-123', source: 'x' }], h(tokens.granted));
    assert.deepEqual([sub.status, sub.body.code], [403, 403002]);
    const policy = await call(d.http, 'POST', '/core/v1/auth/strategy', { name: u() }, h(tokens.granted));
    assert.equal(policy.body.code, 403002);
    const status = await call(d.http, 'GET', '/core/v1/auth/status');
    assert.deepEqual(status.body.optionSwitch.options, { auth: 'true', clientOpen: 'true', consoleOpen: 'true' });
  });

  test('creating a user needs source; names are unique per owner (400215)', async () => {
    const name = u();
    const noSource = await call(d.http, 'POST', '/core/v1/users', [{ name, password: 'pass-123' }], h(adminToken));
    assert.equal(noSource.body.responses[0].code, 400103);
    await asAdmin('POST', '/core/v1/users', [{ name, password: 'pass-123', source: 'Polaris' }]);
    const dup = await call(d.http, 'POST', '/core/v1/users', [{ name, password: 'pass-123', source: 'Polaris' }], h(adminToken));
    assert.equal(dup.body.responses[0].code, 400215);
    const short = await call(d.http, 'POST', '/core/v1/users', [{ name: u(), password: '123', source: 'P' }], h(adminToken));
    assert.equal(short.body.responses[0].code, 400412);
  });

  test('a sub-account sees its own account but cannot touch another user (401001)', async () => {
    const own = await call(d.http, 'GET', `/core/v1/user/token?id=${ids.granted}`, undefined, h(tokens.granted));
    assert.equal(own.body.user.auth_token, tokens.granted);
    const other = await call(d.http, 'GET', `/core/v1/user/token?id=${ids.plain}`, undefined, h(tokens.granted));
    assert.deepEqual([other.status, other.body.code], [401, 401001]);
    const pw = await call(d.http, 'PUT', '/core/v1/user/password', { id: ids.plain, new_password: 'hijack-1' }, h(tokens.granted));
    assert.equal(pw.body.code, 401001);
  });

  test('default strategies cannot be deleted; the main account cannot shrink its own', async () => {
    const mine = (await asAdmin('GET', '/core/v1/auth/strategies?default=true&show_detail=true')).authStrategies.find(
      (s: any) => s.principals.users.some((p: any) => p.name === 'polaris'),
    );
    assert.ok(mine);
    const del = await call(d.http, 'POST', '/core/v1/auth/strategies/delete', [{ id: mine.id }], h(adminToken));
    assert.equal(del.body.responses[0].code, 400000);
    const mod = await call(
      d.http,
      'PUT',
      '/core/v1/auth/strategies',
      [{ id: mine.id, remove_resources: { namespaces: [{ id: '*' }] } }],
      h(adminToken),
    );
    assert.equal(mod.body.responses[0].code, 400509);
  });
});

describe('login and passwords', () => {
  test('login with the printed credentials yields the printed token, which works', async () => {
    const r = await call(d.http, 'POST', '/core/v1/user/login', { name: 'polaris', password: adminPassword });
    assert.equal(r.status, 200);
    assert.equal(r.body.loginResponse.token, adminToken);
    assert.equal(r.body.loginResponse.role, 'main');
    assert.equal(r.body.loginResponse.user_id, '65e4789a6d5b49669adf1e9e8387549c');
    assert.equal((await call(d.http, 'GET', '/naming/v1/services', undefined, h(r.body.loginResponse.token))).status, 200);
  });

  test('wrong password 401001, unknown user 400312, never the old public password', async () => {
    const wrong = await call(d.http, 'POST', '/core/v1/user/login', { name: 'polaris', password: 'polaris' });
    assert.deepEqual([wrong.status, wrong.body.code], [401, 401001]);
    const unknown = await call(d.http, 'POST', '/core/v1/user/login', { name: u(), password: 'x' });
    assert.deepEqual([unknown.status, unknown.body.code], [400, 400312]);
  });

  test('a sub-account logs in with its owner name', async () => {
    const name = u();
    await asAdmin('POST', '/core/v1/users', [{ name, password: 'pass-123', source: 'Polaris' }]);
    const r = await call(d.http, 'POST', '/core/v1/user/login', { owner: 'polaris', name, password: 'pass-123' });
    assert.equal(r.body.code, 200000);
    assert.equal(r.body.loginResponse.role, 'sub');
    assert.equal(r.body.loginResponse.owner_id, '65e4789a6d5b49669adf1e9e8387549c');
  });

  test('changing one’s password: a wrong old password is 400412 (never 500), then the new one works', async () => {
    const name = u();
    const created = await asAdmin('POST', '/core/v1/users', [{ name, password: 'first-pw1', source: 'Polaris' }]);
    const id = created.responses[0].user.id;
    const token = (await asAdmin('GET', `/core/v1/user/token?id=${id}`)).user.auth_token;
    const wrong = await call(d.http, 'PUT', '/core/v1/user/password', { id, old_password: 'nope-123', new_password: 'second-pw2' }, h(token));
    assert.deepEqual([wrong.status, wrong.body.code], [400, 400412]);
    const missing = await call(d.http, 'PUT', '/core/v1/user/password', { id, new_password: 'second-pw2' }, h(token));
    assert.equal(missing.body.code, 400412);
    const right = await call(d.http, 'PUT', '/core/v1/user/password', { id, old_password: 'first-pw1', new_password: 'second-pw2' }, h(token));
    assert.equal(right.body.code, 200000);
    const login = async (password: string) =>
      (await call(d.http, 'POST', '/core/v1/user/login', { owner: 'polaris', name, password })).body.code;
    assert.equal(await login('first-pw1'), 401001);
    assert.equal(await login('second-pw2'), 200000);
    // The main account resets a sub-account's password without the old one.
    const reset = await call(d.http, 'PUT', '/core/v1/user/password', { id, new_password: 'third-pw3' }, h(adminToken));
    assert.equal(reset.body.code, 200000);
    assert.equal(await login('third-pw3'), 200000);
  });
});

describe('first start and migration', () => {
  test('generated credentials are in a file only the owner can read, and in no log', async () => {
    const file = join(d.dir, 'polaris-admin.credentials');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(`password=${adminPassword}`) && text.includes(`token=${adminToken}`));
    const logs = readdirSync(join(d.dir, 'log'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(logs.length > 0);
    for (const log of logs) {
      const content = readFileSync(join(log.parentPath, log.name), 'utf8');
      assert.ok(!content.includes(adminPassword), `${log.name} holds the admin password`);
    }
  });

  test('a restart prints nothing again and keeps the credentials', async () => {
    const yaml = authYaml(`      salt: "${SALT}"`, `      consoleOpen: true\n      consoleStrict: true`);
    const first = await startDaemon({ yaml });
    const password = /password: (\S+)/.exec(first.output())?.[1];
    assert.ok(password);
    await first.stop();
    const again = await startDaemon({ yaml, dir: first.dir });
    try {
      assert.ok(!again.output().includes('password:'));
      const r = await call(again.http, 'POST', '/core/v1/user/login', { name: 'polaris', password });
      assert.equal(r.body.code, 200000);
    } finally {
      await again.stop();
    }
  });

  test('a migrated installation keeps its old admin token and password (config + env)', async () => {
    const m = await startDaemon({
      yaml: authYaml(
        `      salt: polarismesh@2021\n      adminToken: "${WELL_KNOWN_TOKEN}"`,
        `      consoleOpen: true\n      consoleStrict: true`,
      ),
      env: { POLARIS_ADMIN_PASSWORD: 'old-pass-1' },
    });
    try {
      const out = m.output();
      assert.ok(!out.includes('created the main account on first start'), 'nothing generated, nothing printed');
      assert.match(out, /salt is weak/);
      const r = await call(m.http, 'GET', '/core/v1/namespaces', undefined, h(WELL_KNOWN_TOKEN));
      assert.equal(r.status, 200);
      const login = await call(m.http, 'POST', '/core/v1/user/login', { name: 'polaris', password: 'old-pass-1' });
      assert.equal(login.body.loginResponse.token, WELL_KNOWN_TOKEN);
      const none = await call(m.http, 'GET', '/core/v1/namespaces');
      assert.deepEqual([none.status, none.body.code], [401, 401001]);
    } finally {
      await m.stop();
    }
  });

  test('a configured token that is not the admin’s under the salt stops start-up', async () => {
    await assert.rejects(
      startDaemon({
        yaml: authYaml(`      salt: "${SALT}"\n      adminToken: "${WELL_KNOWN_TOKEN}"`, `      consoleOpen: true`),
      }),
      /admin token/,
    );
  });
});

describe('maintain operations', () => {
  test('/maintain/v1 needs the admin or a main account; others are refused and change nothing', async () => {
    const levels = '/maintain/v1/log/outputlevel';
    assert.equal((await call(d.http, 'GET', levels)).status, 401, 'no token');
    assert.equal((await call(d.http, 'GET', levels, undefined, h('garbage'))).status, 401, 'garbage token');
    const sub = await call(d.http, 'PUT', levels, { scope: 'naming', level: 'debug' }, h(tokens.granted));
    assert.ok(sub.status === 401 || sub.status === 403, `a sub-account is refused (${sub.status})`);
    const before = await call(d.http, 'GET', levels, undefined, h(adminToken));
    assert.equal(before.status, 200);
    const naming = (before.body as { Name: string; Level: string }[]).find((l) => l.Name === 'naming');
    assert.notEqual(naming?.Level, 'debug', 'the refused PUT changed nothing');
    assert.equal((await call(d.http, 'GET', '/maintain/v1/report/clients')).status, 401);
    assert.equal((await call(d.http, 'GET', '/maintain/v1/report/clients', undefined, h(adminToken))).status, 200);
  });
});
