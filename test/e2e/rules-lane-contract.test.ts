import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { call, startDaemon, type Daemon } from '../helpers/daemon.js';
import { polarisClient, unary } from '../helpers/grpc-client.js';
import { code, createServices, discoverRules, uniq } from '../helpers/rules.js';

let d: Daemon;
let client: any;
let contracts: any;

function contractClient(port: number): any {
  const root = resolve(import.meta.dirname, '..', '..', 'proto');
  const def = protoLoader.loadSync(join(root, 'api/v1/service_manage/grpcapi.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: [root],
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  return new pkg.v1.PolarisServiceContractGRPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

before(async () => {
  d = await startDaemon();
  client = polarisClient(d.ports.grpc);
  contracts = contractClient(d.ports.grpc);
});
after(async () => {
  client?.close();
  contracts?.close();
  await d?.stop();
});

function laneGroup(name: string, ns: string, services: string[]) {
  return {
    name,
    description: 'gray lane',
    entries: [
      {
        type: 'polarismesh.cn/service',
        selector: { '@type': 'type.googleapis.com/v1.ServiceSelector', namespace: ns, service: 'gateway', labels: {} },
      },
    ],
    destinations: services.map((service) => ({ service, namespace: ns, labels: { lane: { type: 'EXACT', value: name } }, weight: 100, name: 'gray' })),
    rules: [
      {
        name: 'gray-rule',
        enable: true,
        match_mode: 'STRICT',
        default_label_value: 'gray',
        traffic_match_rule: { arguments: [{ type: 'HEADER', key: 'x-lane', value: { type: 'EXACT', value: 'gray' } }], matchMode: 'AND' },
      },
    ],
  };
}

describe('lane groups through Discover LANE', () => {
  it('create, see (entry and destination services), update, delete', async () => {
    const ns = uniq('lane');
    const name = uniq('gray').replace(/-/g, '_');
    const created = await call(d.http, 'POST', '/naming/v1/lane/groups', [laneGroup(name, ns, ['order'])]);
    assert.equal(created.body.code, 200000, created.text);
    const id = created.body.responses[0].data.id;
    assert.equal(created.body.responses[0].data['@type'], 'type.googleapis.com/v1.LaneGroup');

    const order = await discoverRules(client, 'LANE', ns, 'order');
    assert.equal(code(order), 200000);
    assert.equal(order.type, 'LANE');
    assert.equal(order.lanes.length, 1);
    assert.equal(order.lanes[0].name, name);
    assert.equal(order.lanes[0].rules[0].name, 'gray-rule');
    assert.match(order.lanes[0].rules[0].id, /^[0-9a-f]{32}$/);
    assert.equal(order.lanes[0].rules[0].group_name, name);
    const rev = order.service.revision.value;
    const gateway = await discoverRules(client, 'LANE', ns, 'gateway');
    assert.equal(gateway.lanes.length, 1, 'the entry service sees its lanes too');
    assert.equal(code(await discoverRules(client, 'LANE', ns, 'order', rev)), 200001);
    const none = await discoverRules(client, 'LANE', ns, 'unrelated');
    assert.equal(code(none), 200000);
    assert.equal((none.lanes ?? []).length, 0);

    const dup = await call(d.http, 'POST', '/naming/v1/lane/groups', [laneGroup(name, ns, ['order'])]);
    assert.equal(dup.body.code, 400201);
    const upd = await call(d.http, 'PUT', '/naming/v1/lane/groups', [{ ...laneGroup(name, ns, ['order', 'stock']), id }]);
    assert.equal(upd.body.code, 200000, upd.text);
    const changed = await discoverRules(client, 'LANE', ns, 'order', rev);
    assert.equal(code(changed), 200000);
    assert.equal(changed.lanes[0].destinations.length, 2);
    const stock = await discoverRules(client, 'LANE', ns, 'stock');
    assert.equal(stock.lanes.length, 1);

    const listed = await call(d.http, 'GET', `/naming/v1/lane/groups?name=${name}`);
    assert.equal(listed.body.amount, 1);
    assert.equal(listed.body.data[0]['@type'], 'type.googleapis.com/v1.LaneGroup');
    assert.equal(listed.body.data[0].rules[0].enable, true);

    assert.equal((await call(d.http, 'PUT', '/naming/v1/lane/groups', [laneGroup(name, ns, [])])).body.code, 400103, 'update needs an id');
    assert.equal((await call(d.http, 'POST', '/naming/v1/lane/groups', [laneGroup('bad name', ns, [])])).body.code, 400103);
    assert.equal((await call(d.http, 'GET', '/naming/v1/lane/groups?bogus=1')).body.code, 400103);

    const del = await call(d.http, 'POST', '/naming/v1/lane/groups/delete', [{ name }]);
    assert.equal(del.body.code, 200000);
    const gone = await discoverRules(client, 'LANE', ns, 'order', changed.service.revision.value);
    assert.equal(code(gone), 200000);
    assert.equal((gone.lanes ?? []).length, 0);
  });
});

describe('service contracts: console routes and PolarisServiceContractGRPC', () => {
  it('an SDK reports a contract, reads it back, the console lists and edits it', async () => {
    const ns = uniq('ct');
    await createServices(d.http, ns, ['api']);
    const contract = {
      name: 'api-spec',
      namespace: ns,
      service: 'api',
      protocol: 'http',
      version: '1.0.0',
      content: '{"openapi":"3.0.0"}',
      interfaces: [
        { method: 'GET', path: '/users', name: 'listUsers', content: '{}' },
        { method: 'POST', path: '/users', name: 'createUser', content: '{}' },
      ],
    };
    const reported = await unary(contracts, 'ReportServiceContract', contract);
    assert.equal(reported.code.value, 200000, JSON.stringify(reported));

    const get = await unary(contracts, 'GetServiceContract', { name: 'api-spec', namespace: ns, service: 'api', protocol: 'http', version: '1.0.0' });
    assert.equal(get.code.value, 200000);
    assert.equal(get.serviceContract.content, contract.content);
    assert.equal(get.serviceContract.interfaces.length, 2);
    assert.equal(get.serviceContract.interfaces[0].source, 'Client');
    const rev = get.service.revision.value;
    const again = await unary(contracts, 'GetServiceContract', { name: 'api-spec', namespace: ns, service: 'api', protocol: 'http', version: '1.0.0', revision: rev });
    assert.equal(again.code.value, 200001);
    const missing = await unary(contracts, 'GetServiceContract', { name: 'nope', namespace: ns, service: 'api', protocol: 'http' });
    assert.equal(missing.code.value, 400202);
    assert.equal(missing.service.name.value, 'api');
    const noProtocol = await unary(contracts, 'GetServiceContract', { name: 'x', namespace: ns, service: 'api' });
    assert.equal(noProtocol.code.value, 400103);

    const listed = await call(d.http, 'GET', `/naming/v1/service/contracts?namespace=${ns}&service=api`);
    assert.equal(listed.body.code, 200000);
    assert.equal(listed.body.amount, 1);
    const item = listed.body.data[0];
    assert.equal(item['@type'], 'type.googleapis.com/v1.ServiceContract');
    assert.equal(item.status, 'Offline', 'no healthy instance of version 1.0.0');
    const id = item.id;
    assert.match(id, /^[0-9a-f]{40}$/, 'the id is the SHA-1 of the contract key');

    const append = await call(d.http, 'PUT', '/naming/v1/service/contract/methods/append', {
      id,
      interfaces: [{ method: 'DELETE', path: '/users/{id}', name: 'deleteUser' }],
    });
    assert.equal(append.body.code, 200000, append.text);
    const afterAppend = await unary(contracts, 'GetServiceContract', { name: 'api-spec', namespace: ns, service: 'api', protocol: 'http', version: '1.0.0', revision: rev });
    assert.equal(afterAppend.code.value, 200000, 'a change gives a new revision');
    assert.equal(afterAppend.serviceContract.interfaces.length, 3);

    const delMethods = await call(d.http, 'POST', '/naming/v1/service/contract/methods/delete', {
      id,
      interfaces: [{ method: 'DELETE', path: '/users/{id}', name: 'deleteUser' }],
    });
    assert.equal(delMethods.body.code, 200000);
    const noPath = await call(d.http, 'POST', '/naming/v1/service/contract/methods', { id, interfaces: [{ method: 'GET' }] });
    assert.equal(noPath.body.code, 400000);

    const versions = await call(d.http, 'GET', `/naming/v1/service/contract/versions?namespace=${ns}&service=api`);
    assert.equal(versions.body.amount, 1);
    assert.equal(versions.body.data[0].version, '1.0.0');
    assert.equal((await call(d.http, 'GET', '/naming/v1/service/contract/versions?service=api')).body.code, 400103);

    const created = await call(d.http, 'POST', '/naming/v1/service/contracts', [{ ...contract, version: '2.0.0', interfaces: [] }]);
    assert.equal(created.body.code, 200000, created.text);
    const same = await call(d.http, 'POST', '/naming/v1/service/contracts', [{ ...contract, version: '2.0.0', interfaces: [] }]);
    assert.equal(same.body.responses[0].code, 200002, 'same content: no need to update');
    const bad = await call(d.http, 'POST', '/naming/v1/service/contracts', [{ ...contract, protocol: '' }]);
    assert.equal(bad.body.code, 400000);

    const removed = await call(d.http, 'POST', '/naming/v1/service/contracts/delete', [{ id }]);
    assert.equal(removed.body.code, 200000);
    const gone = await unary(contracts, 'GetServiceContract', { name: 'api-spec', namespace: ns, service: 'api', protocol: 'http', version: '1.0.0' });
    assert.equal(gone.code.value, 400202);
  });
});

