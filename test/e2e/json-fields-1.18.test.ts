import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configYaml } from '../helpers/config-daemon.js';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { messagesIn, v142Violations } from '../helpers/strict-json.js';

/**
 * Every route family polaris-server 1.18.1 serves, driven through the running daemon, each answer
 * decoded as Go's jsonpb / protojson decode it by default: strictly, against specification v1.4.2
 * (what 1.18.1 is built on). A field only v1.5 has (`deleteable` on a Namespace, ...) anywhere in
 * an answer fails, as it fails polaris' own integration suite.
 */

const SALT = 'k3y-0f-16-bytes!';
const u = () => `j${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

function authOnYaml(): string {
  const off = 'auth:\n  strategy:\n    option:\n      consoleOpen: false\n      clientOpen: false';
  const yaml = configYaml();
  assert.ok(yaml.includes(off), 'the test daemon config has changed');
  const on = `auth:\n  user:\n    option:\n      salt: "${SALT}"\n  strategy:\n    option:\n      consoleOpen: true\n      consoleStrict: true\n      clientOpen: false`;
  return yaml.replace(off, on);
}

let d: Daemon;
let token = '';
let password = '';
/** Every message type the checked answers contained, to prove the test reached what it claims. */
const covered = new Set<string>();

/** Calls a route as the admin and decodes the answer strictly as `type`; returns the body. */
async function strict(type: string, method: string, path: string, body?: unknown, okCodes = [200000]): Promise<any> {
  const r = await call(d.http, method, path, body, { 'X-Polaris-Token': token });
  assert.ok(r.body && typeof r.body === 'object', `${method} ${path}: not JSON: ${r.status} ${r.text}`);
  assert.ok(okCodes.includes(r.body.code), `${method} ${path}: ${r.text}`);
  assert.deepEqual(v142Violations(type, r.body, `${method} ${path}`), []);
  messagesIn(type, r.body, covered);
  return r.body;
}

const BW = 'v1.BatchWriteResponse';
const BQ = 'v1.BatchQueryResponse';
const R = 'v1.Response';
const CR = 'v1.ConfigResponse';
const CQ = 'v1.ConfigBatchQueryResponse';

const ns = u();
const svc = 'echo';

before(async () => {
  d = await startDaemon({ yaml: authOnYaml() });
  const out = d.output();
  password = /password: (\S+)/.exec(out)?.[1] ?? '';
  token = /token: {4}(\S+)/.exec(out)?.[1] ?? '';
  assert.ok(password && token, `first start must print the generated credentials:\n${out}`);
});
after(async () => {
  await d?.stop();
});

describe('answers decode strictly as specification v1.4.2 (polaris-server 1.18.1)', () => {
  it('namespaces, services, aliases, instances', async () => {
    await strict(BW, 'POST', '/naming/v1/namespaces', [{ name: ns, comment: 'strict', metadata: { team: 'a' } }]);
    await strict(BQ, 'GET', `/naming/v1/namespaces?name=${ns}`);
    await strict(BQ, 'GET', `/core/v1/namespaces?name=${ns}`);
    await strict(R, 'GET', `/naming/v1/namespace/token?name=${ns}`);
    await strict(BW, 'PUT', '/naming/v1/namespaces', [{ name: ns, comment: 'again' }]);

    await strict(BW, 'POST', '/naming/v1/services', [{ name: svc, namespace: ns, metadata: { k: 'v' } }, { name: 'other', namespace: ns }]);
    await strict(BW, 'PUT', '/naming/v1/services', [{ name: svc, namespace: ns, comment: 'c' }]);
    await strict(BQ, 'GET', `/naming/v1/services?namespace=${ns}`);
    await strict(BQ, 'GET', `/naming/v1/services/all?namespace=${ns}`);
    await strict(BQ, 'GET', `/naming/v1/services/count`);
    await strict(R, 'GET', `/naming/v1/service/token?name=${svc}&namespace=${ns}`);
    await strict(R, 'POST', '/naming/v1/service/alias', { service: svc, namespace: ns, alias: 'echo-alias', alias_namespace: ns });
    await strict(BQ, 'GET', `/naming/v1/service/aliases?namespace=${ns}`);

    const inst = { service: svc, namespace: ns, host: '10.0.0.1', port: 8080, metadata: { env: 'gray' }, enable_health_check: true, health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } } };
    await strict(BW, 'POST', '/naming/v1/instances', [inst, { ...inst, port: 8081 }]);
    await strict(BQ, 'GET', `/naming/v1/instances?service=${svc}&namespace=${ns}`);
    await strict(BQ, 'GET', `/naming/v1/instances/count?service=${svc}&namespace=${ns}`);
    await strict(R, 'GET', `/naming/v1/instances/labels?service=${svc}&namespace=${ns}`);
  });

  it('route rules v1 and v2, rate limits, circuit breakers, fault detectors, contracts', async () => {
    const rule = {
      name: 'r1',
      enable: true,
      routing_policy: 'RulePolicy',
      routing_config: {
        '@type': 'type.googleapis.com/v1.RuleRoutingConfig',
        rules: [{ name: 's', sources: [{ service: 'other', namespace: ns }], destinations: [{ service: svc, namespace: ns, weight: 100, name: 'g' }] }],
      },
    };
    const created = await strict(BW, 'POST', '/naming/v2/routings', [rule]);
    await strict(BQ, 'GET', `/naming/v2/routings?id=${created.responses[0].data.id}`);
    await strict(BW, 'PUT', '/naming/v2/routings/enable', [{ id: created.responses[0].data.id, enable: false }]);
    const inbound = { sources: [{ service: '*', namespace: '*' }], destinations: [{ service: svc, namespace: ns, weight: 100 }] };
    await strict(BW, 'POST', '/naming/v1/routings', [{ service: 'other', namespace: ns, inbounds: [inbound] }]);
    await strict(BQ, 'GET', `/naming/v1/routings?service=other&namespace=${ns}`);

    const limit = { name: 'l1', service: svc, namespace: ns, type: 'LOCAL', resource: 'QPS', amounts: [{ maxAmount: 10, validDuration: '1s' }] };
    await strict(BW, 'POST', '/naming/v1/ratelimits', [limit]);
    await strict(BQ, 'GET', `/naming/v1/ratelimits?namespace=${ns}`);

    const target = { service: svc, namespace: ns };
    const cb = {
      name: 'cb1',
      namespace: ns,
      enable: true,
      level: 'SERVICE',
      rule_matcher: { source: { service: '*', namespace: '*' }, destination: target },
      error_conditions: [{ input_type: 'RET_CODE', condition: { type: 'EXACT', value: '500' } }],
      trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 10 }],
      recoverCondition: { sleep_window: 60, consecutiveSuccess: 3 },
    };
    await strict(BW, 'POST', '/naming/v1/circuitbreaker/rules', [cb]);
    await strict(BQ, 'GET', `/naming/v1/circuitbreaker/rules?namespace=${ns}`);
    const fd = { name: 'fd1', namespace: ns, target_service: target, interval: 10, timeout: 1000, port: 8080, protocol: 'HTTP', http_config: { method: 'GET', url: '/health' } };
    await strict(BW, 'POST', '/naming/v1/faultdetectors', [fd]);
    await strict(BQ, 'GET', `/naming/v1/faultdetectors?namespace=${ns}`);

    const contract = { name: 'spec', namespace: ns, service: svc, protocol: 'http', version: '1.0.0', content: '{}', interfaces: [{ method: 'GET', path: '/x', name: 'x' }] };
    await strict(BW, 'POST', '/naming/v1/service/contracts', [contract]);
    const listed = await strict(BQ, 'GET', `/naming/v1/service/contracts?namespace=${ns}&service=${svc}`);
    const more = { id: listed.data[0].id, interfaces: [{ method: 'POST', path: '/y', name: 'y' }] };
    await strict(R, 'PUT', '/naming/v1/service/contract/methods/append', more);
    await strict(BQ, 'GET', `/naming/v1/service/contracts?namespace=${ns}&service=${svc}`);
    await strict(BQ, 'GET', `/naming/v1/service/contract/versions?namespace=${ns}&service=${svc}&name=spec`);
  });

  it('client Discover over HTTP: every 1.18.1 resource type', async () => {
    await strict(R, 'POST', '/v1/RegisterInstance', { service: svc, namespace: ns, host: '10.0.0.9', port: 9 });
    const service = { name: svc, namespace: ns };
    for (const type of ['INSTANCE', 'ROUTING', 'RATE_LIMIT', 'CIRCUIT_BREAKER', 'FAULT_DETECTOR', 'SERVICES']) {
      await strict('v1.DiscoverResponse', 'POST', '/v1/Discover', { type, service }, [200000, 200001]);
    }
  });

  it('config groups, files, releases, history, templates and the client routes', async () => {
    await strict(CR, 'POST', '/config/v1/configfilegroups', { namespace: ns, name: 'app', comment: 'c' });
    await strict(CQ, 'GET', `/config/v1/configfilegroups?namespace=${ns}&offset=0&limit=10`);
    await strict(CR, 'PUT', '/config/v1/configfilegroups', { namespace: ns, name: 'app', comment: 'c2' });
    const file = { namespace: ns, group: 'app', name: 'a.yaml', content: 'a: 1', format: 'yaml', tags: [{ key: 'k', value: 'v' }] };
    await strict(CR, 'POST', '/config/v1/configfiles', file);
    await strict(CR, 'GET', `/config/v1/configfiles?namespace=${ns}&group=app&name=a.yaml`);
    await strict(CQ, 'GET', `/config/v1/configfiles/search?namespace=${ns}&offset=0&limit=10`);
    await strict(CQ, 'GET', `/config/v1/configfiles/by-group?namespace=${ns}&group=app&offset=0&limit=10`);
    await strict(CR, 'POST', '/config/v1/configfiles/release', { namespace: ns, group: 'app', fileName: 'a.yaml', name: 'v1' });
    await strict(CR, 'GET', `/config/v1/configfiles/release?namespace=${ns}&group=app&file_name=a.yaml&release_name=v1`);
    await strict(CQ, 'GET', `/config/v1/configfiles/releases?namespace=${ns}&offset=0&limit=10`);
    await strict(CQ, 'GET', `/config/v1/configfiles/release/versions?namespace=${ns}&group=app&file_name=a.yaml`);
    await strict(CQ, 'GET', `/config/v1/configfiles/releasehistory?namespace=${ns}&group=app&name=a.yaml&offset=0&limit=10`);
    await strict(CR, 'POST', '/config/v1/configfiletemplates', { name: u(), content: 'x: 1', format: 'yaml' });
    await strict(CQ, 'GET', '/config/v1/configfiletemplates');
    await strict('v1.ConfigClientResponse', 'GET', `/v1/GetConfigFile?namespace=${ns}&group=app&fileName=a.yaml&version=0`);
    await strict('v1.ConfigClientListResponse', 'POST', '/v1/GetConfigFileMetadataList', { config_file_group: { namespace: ns, name: 'app' } });
  });

  it('auth users, groups, strategies, principal resources and login', async () => {
    const users = await strict(BW, 'POST', '/core/v1/users', [{ name: u(), password: 'pass-123', source: 'Polaris' }]);
    const uid = users.responses[0].user.id;
    await strict(BQ, 'GET', '/core/v1/users?offset=0&limit=10');
    await strict(R, 'GET', `/core/v1/user/token?id=${uid}`);
    await strict(R, 'PUT', '/core/v1/user', { id: uid, comment: 'c' }, [200000, 200001]);
    const group = await strict(R, 'POST', '/core/v1/usergroup', { name: u(), relation: { users: [{ id: uid }] } });
    const gid = group.userGroup.id;
    await strict(BQ, 'GET', '/core/v1/usergroups?offset=0&limit=10');
    await strict(R, 'GET', `/core/v1/usergroup/detail?id=${gid}`);
    await strict(R, 'GET', `/core/v1/usergroup/token?id=${gid}`);
    const policy = await strict(R, 'POST', '/core/v1/auth/strategy', {
      name: u(),
      principals: { users: [{ id: uid }], groups: [{ id: gid }] },
      resources: { namespaces: [{ id: ns }], services: [{ id: '*' }], config_groups: [{ id: '*' }] },
      action: 'READ_WRITE',
    });
    await strict(BQ, 'GET', '/core/v1/auth/strategies?offset=0&limit=10');
    await strict(R, 'GET', `/core/v1/auth/strategy/detail?id=${policy.authStrategy.id}`);
    await strict(R, 'GET', `/core/v1/auth/principal/resources?principal_id=${uid}&principal_type=user`);
    await strict(R, 'POST', '/core/v1/user/login', { name: 'polaris', password });
  });

  it('lanes, which 1.18.1 does not have, keep the v1.5 shapes (route and Discover LANE)', async () => {
    const lane = {
      name: u(),
      entries: [{ type: 'polarismesh.cn/service', selector: { '@type': 'type.googleapis.com/v1.ServiceSelector', namespace: ns, service: 'other' } }],
      destinations: [{ service: svc, namespace: ns, labels: { lane: { type: 'EXACT', value: 'gray' } }, weight: 100, name: 'gray' }],
      rules: [{ name: 'r', enable: true, match_mode: 'STRICT', default_label_value: 'gray', traffic_match_rule: { arguments: [], matchMode: 'AND' } }],
    };
    const h = { 'X-Polaris-Token': token };
    const created = await call(d.http, 'POST', '/naming/v1/lane/groups', [lane], h);
    assert.equal(created.body.code, 200000, created.text);
    const listed = await call(d.http, 'GET', `/naming/v1/lane/groups?name=${lane.name}`, undefined, h);
    assert.equal(listed.body.data[0]['@type'], 'type.googleapis.com/v1.LaneGroup');
    const found = await call(d.http, 'POST', '/v1/Discover', { type: 'LANE', service: { name: svc, namespace: ns } }, h);
    assert.equal(found.body.code, 200000, found.text);
    assert.deepEqual(found.body.lanes.map((l: { name: string }) => l.name), [lane.name], 'Discover LANE over HTTP carries its lanes');
  });

  it('a failure answer decodes strictly too', async () => {
    await strict(BW, 'POST', '/naming/v1/namespaces', [{ name: ns }], [400201]);
    await strict(BQ, 'GET', '/naming/v2/routings?color=blue', undefined, [400103]);
  });

  it('the answers covered the messages 1.18.1 answers with fewer fields', () => {
    const expected = [
      'v1.Namespace', 'v1.Service', 'v1.ServiceAlias', 'v1.InstanceLabels', 'v1.RouteRule', 'v1.Rule', 'v1.CircuitBreakerRule',
      'v1.FaultDetectRule', 'v1.FaultDetectRule.DestinationService', 'v1.ServiceContract', 'v1.InterfaceDescriptor',
      'v1.DiscoverResponse', 'v1.ConfigFileGroup', 'v1.User', 'v1.UserGroup', 'v1.AuthStrategy', 'v1.Principals',
      'v1.StrategyResources', 'v1.LoginResponse',
    ];
    assert.deepEqual(expected.filter((m) => !covered.has(m)), []);
  });
});

describe('jsonFieldSet: v1.5', () => {
  let full: Daemon;
  before(async () => {
    full = await startDaemon({ yaml: configYaml().replace('      listenPort: {{HTTP}}\n', '      listenPort: {{HTTP}}\n      jsonFieldSet: v1.5\n') });
  });
  after(async () => {
    await full?.stop();
  });

  it('answers with every v1.5 field when asked to', async () => {
    const name = u();
    const r = await call(full.http, 'POST', '/naming/v1/namespaces', [{ name, metadata: { a: 'b' } }]);
    assert.equal(r.body.code, 200000, r.text);
    const list = await call(full.http, 'GET', `/naming/v1/namespaces?name=${name}`);
    assert.deepEqual(list.body.namespaces[0].metadata, { a: 'b' });
    assert.equal(typeof list.body.namespaces[0].deleteable, 'boolean');
    assert.deepEqual(v142Violations(BQ, list.body).map((v) => v.replace(/^.*: /, '')).sort(), [
      'unknown field "deleteable" in v1.Namespace',
      'unknown field "metadata" in v1.Namespace',
    ]);
  });
});
