import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodecError, decodeJson, decodeJsonArray, decodeProto, encodeJson, encodeJsonArray, encodeJsonBuffer,
  encodeProto, grpcService, parseJson, parseJsonArray,
} from './codec.js';
import { protoRoot } from './protos.js';

/** Compact JSON of an object literal written in the expected key order. */
const json = (o: unknown): string => JSON.stringify(o);

function responseWith(fields: Record<string, unknown>): Record<string, unknown> {
  const keys = [
    'code', 'info', 'client', 'namespace', 'service', 'instance', 'routing', 'alias', 'rateLimit',
    'circuitBreaker', 'configRelease', 'user', 'userGroup', 'authStrategy', 'relation', 'loginResponse',
    'modifyAuthStrategy', 'modifyUserGroup', 'resources', 'optionSwitch', 'instanceLabels', 'data',
    'serviceContract',
  ];
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = k in fields ? fields[k] : null;
  return out;
}

function expectCodecError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CodecError, `expected CodecError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('encodeJson: jsonpb EmitDefaults shape (http.md §2.6)', () => {
  it('(a) create-namespace BatchWriteResponse: field order, null / [] / {} defaults', () => {
    const wire = {
      code: 200000,
      info: 'execute success',
      size: 1,
      responses: [
        {
          code: 200000,
          info: 'execute success',
          namespace: { name: 'demo-ns', token: '6f0c2b1d8e7a4c39b5d2e1f0a9c8b7d6' },
        },
      ],
    };
    const namespace = {
      name: 'demo-ns', comment: null, owners: null, token: '6f0c2b1d8e7a4c39b5d2e1f0a9c8b7d6', ctime: null, mtime: null,
      total_service_count: null, total_health_instance_count: null, total_instance_count: null,
      user_ids: [], group_ids: [], remove_user_ids: [], remove_group_ids: [],
      id: null, editable: null, service_export_to: [], metadata: {}, deleteable: null,
    };
    const expected = {
      code: 200000,
      info: 'execute success',
      size: 1,
      responses: [responseWith({ code: 200000, info: 'execute success', namespace })],
    };
    assert.equal(encodeJson('v1.BatchWriteResponse', wire), json(expected));
  });

  it('(c) RegisterInstance Response: Instance keys incl. vpc_id, enableHealthCheck, healthCheck', () => {
    const wire = {
      code: 200000,
      info: 'execute success',
      instance: {
        id: 'e13e8a6f25addf6bf752d5f7730c084789d9cd44', service: 'echo-server', namespace: 'demo-ns',
        host: '10.0.0.11', port: 8080,
      },
    };
    const instance = {
      id: 'e13e8a6f25addf6bf752d5f7730c084789d9cd44', service: 'echo-server', namespace: 'demo-ns',
      vpc_id: null, host: '10.0.0.11', port: 8080, protocol: null, version: null, priority: null,
      weight: null, enableHealthCheck: null, healthCheck: null, healthy: null, isolate: null,
      location: null, metadata: {}, logic_set: null, ctime: null, mtime: null, revision: null,
      service_token: null,
    };
    assert.equal(encodeJson('v1.Response', wire), json(responseWith({ code: 200000, info: 'execute success', instance })));
  });

  it('(d) list-instances BatchQueryResponse', () => {
    const inst = {
      id: 'e13e8a6f25addf6bf752d5f7730c084789d9cd44', service: 'echo-server', namespace: 'demo-ns',
      host: '10.0.0.11', port: 8080, protocol: 'http', version: '1.0.0', weight: 100,
      enable_health_check: true, health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } },
      healthy: true, isolate: false, metadata: { env: 'dev' }, ctime: '2025-06-25 11:17:47',
      mtime: '2025-06-25 11:17:47', revision: '0b8c', service_token: '2b7e1516a8d04c5f9e3a6b0c1d2e3f40',
    };
    const expected = {
      code: 200000, info: 'execute success', amount: 1, size: 1,
      namespaces: [], services: [],
      instances: [{
        id: inst.id, service: 'echo-server', namespace: 'demo-ns', vpc_id: null, host: '10.0.0.11',
        port: 8080, protocol: 'http', version: '1.0.0', priority: null, weight: 100,
        enableHealthCheck: true, healthCheck: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } },
        healthy: true, isolate: false, location: null, metadata: { env: 'dev' }, logic_set: null,
        ctime: '2025-06-25 11:17:47', mtime: '2025-06-25 11:17:47', revision: '0b8c',
        service_token: '2b7e1516a8d04c5f9e3a6b0c1d2e3f40',
      }],
      routings: [], aliases: [], rateLimits: [], configWithServices: [], users: [],
      userGroups: [], authStrategies: [], clients: [], data: [], summary: null,
    };
    const wire = { code: 200000, info: 'execute success', amount: 1, size: 1, instances: [inst] };
    assert.equal(encodeJson('v1.BatchQueryResponse', wire), json(expected));
    assert.equal(encodeJsonBuffer('v1.BatchQueryResponse', wire).toString('utf8'), json(expected));
  });

  it('(e) ConfigClientResponse with 64-bit version as a JSON string and snake release_time', () => {
    const wire = {
      code: 200000, info: 'execute success',
      configFile: {
        namespace: 'demo-ns', group: 'app', file_name: 'application.yaml', content: 'a: 1\n',
        version: '1', md5: 'ba0f', tags: [{ key: 'env', value: 'dev' }], encrypted: false,
      },
    };
    assert.equal(
      encodeJson('v1.ConfigClientResponse', wire),
      json({
        code: 200000, info: 'execute success',
        configFile: {
          namespace: 'demo-ns', group: 'app', fileName: 'application.yaml', content: 'a: 1\n',
          version: '1', md5: 'ba0f', tags: [{ key: 'env', value: 'dev' }], encrypted: false,
          publicKey: null, name: null, release_time: null,
        },
      }),
    );
  });

  it('plain scalars default to 0 / "" / false and enums to the name of value 0', () => {
    assert.equal(
      encodeJson('v1.RouteRule', {}),
      json({
        id: '', name: '', namespace: '', enable: false, routing_policy: 'RulePolicy', routing_config: null,
        revision: '', ctime: '', mtime: '', etime: '', priority: 0, description: '', extendInfo: {},
        metadata: {}, editable: false, deleteable: false,
      }),
    );
    assert.equal(encodeJson('v1.HealthCheck', {}), '{"type":"UNKNOWN","heartbeat":null}');
  });

  it('json_name vs lowerCamel (http.md §2.1)', () => {
    const req = decodeJson('v1.DiscoverRequest', { type: 'INSTANCE', service: { name: 's', namespace: 'n' }, Filter: { OnlyHealthyInstance: true } });
    assert.deepEqual(req, { type: 'INSTANCE', service: { name: 's', namespace: 'n' }, Filter: { OnlyHealthyInstance: true } });
    const out = JSON.parse(encodeJson('v1.DiscoverRequest', req)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['type', 'service', 'Filter']);
    assert.deepEqual(out.Filter, { OnlyHealthyInstance: true });
    const inst = JSON.parse(encodeJson('v1.Instance', { enable_health_check: true, health_check: {}, vpc_id: 'v', logic_set: 'l' })) as Record<string, unknown>;
    assert.equal(inst.enableHealthCheck, true);
    assert.deepEqual(inst.healthCheck, { type: 'UNKNOWN', heartbeat: null });
    assert.equal(inst.vpc_id, 'v');
    assert.equal(inst.logic_set, 'l');
    assert.ok(!('enable_health_check' in inst) && !('vpcId' in inst));
    const rel = JSON.parse(encodeJson('v1.ConfigFileRelease', {})) as Record<string, unknown>;
    for (const k of ['fileName', 'createTime', 'createBy', 'modifyTime', 'modifyBy', 'releaseDescription', 'releaseType', 'betaLabels']) assert.ok(k in rel, k);
    const grp = JSON.parse(encodeJson('v1.ConfigFileGroup', {})) as Record<string, unknown>;
    for (const k of ['user_ids', 'group_ids', 'remove_user_ids', 'remove_group_ids', 'fileCount', 'createTime']) assert.ok(k in grp, k);
    const resp = JSON.parse(encodeJson('v1.Response', {})) as Record<string, unknown>;
    for (const k of ['rateLimit', 'circuitBreaker', 'configRelease', 'userGroup', 'authStrategy', 'loginResponse', 'optionSwitch', 'instanceLabels', 'serviceContract']) assert.ok(k in resp, k);
    const ms = JSON.parse(encodeJson('v1.MatchString', {})) as Record<string, unknown>;
    assert.ok('value_type' in ms);
  });

  it('maps are emitted with sorted keys; strings are escaped like Go (HTML-safe)', () => {
    const out = encodeJson('v1.Namespace', { name: 'a<b>&"c"\u2028é', metadata: { zeta: '1', alpha: '2', mid: '3' } });
    const parsed = JSON.parse(out) as { name: string; metadata: Record<string, string> };
    assert.deepEqual(Object.keys(parsed.metadata), ['alpha', 'mid', 'zeta']);
    assert.equal(parsed.name, 'a<b>&"c"\u2028é');
    assert.ok(out.includes('"name":"a\\u003cb\\u003e\\u0026\\"c\\"\\u2028é"'), out);
  });

  it('64-bit integers are JSON strings; Duration is Go text', () => {
    const out = JSON.parse(encodeJson('v1.ConfigFileGroup', { id: '18446744073709551615', fileCount: 3 })) as Record<string, unknown>;
    assert.equal(out.id, '18446744073709551615');
    assert.equal(out.fileCount, '3');
    const slow = JSON.parse(encodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '1.5s' })) as Record<string, unknown>;
    assert.equal(slow.maxRt, '1.500s');
    assert.equal(JSON.parse(encodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '1s' })).maxRt, '1s');
    assert.equal(JSON.parse(encodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '1.000000001s' })).maxRt, '1.000000001s');
    assert.equal(JSON.parse(encodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '0s' })).maxRt, '0s');
  });

  it('Any: "@type" first, then the packed message with its defaults', () => {
    const out = encodeJson('v1.BatchQueryResponse', {
      code: 200000,
      data: [{ '@type': 'type.googleapis.com/v1.RouteRule', id: 'r1', name: 'rule', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig' } }],
    });
    const data = (JSON.parse(out) as { data: Record<string, unknown>[] }).data[0];
    assert.deepEqual(Object.keys(data).slice(0, 4), ['@type', 'id', 'name', 'namespace']);
    assert.equal(data.routing_policy, 'RulePolicy');
    assert.equal((data.routing_config as Record<string, unknown>)['@type'], 'type.googleapis.com/v1.RuleRoutingConfig');
    assert.equal(encodeJson('v1.Response', { data: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'x' } }).includes('"data":{"@type":"type.googleapis.com/google.protobuf.StringValue","value":"x"}'), true);
  });

  it('encodeJsonArray', () => {
    assert.equal(encodeJsonArray('v1.Location', [{ region: 'r' }, {}]), '[{"region":"r","zone":null,"campus":null},{"region":null,"zone":null,"campus":null}]');
  });
});

describe('decodeJson: jsonpb Unmarshaler semantics', () => {
  it('accepts both the proto field name and the json_name', () => {
    assert.deepEqual(decodeJson('v1.ConfigFileRelease', { file_name: 'a' }), { file_name: 'a' });
    assert.deepEqual(decodeJson('v1.ConfigFileRelease', { fileName: 'a' }), { file_name: 'a' });
    assert.deepEqual(decodeJson('v1.Instance', { enable_health_check: true }), { enable_health_check: true });
    assert.deepEqual(decodeJson('v1.Instance', { enableHealthCheck: true, health_check: { type: 'HEARTBEAT' } }), { enable_health_check: true, health_check: { type: 'HEARTBEAT' } });
    // the json_name spelling wins when both are present
    assert.deepEqual(decodeJson('v1.ConfigFileRelease', { fileName: 'json', file_name: 'proto' }), { file_name: 'json' });
  });

  it('null = absent; wrappers take the bare value', () => {
    assert.deepEqual(decodeJson('v1.Instance', { host: '1.2.3.4', port: 80, healthy: false, vpc_id: null, metadata: null }), { host: '1.2.3.4', port: 80, healthy: false });
    expectCodecError(() => decodeJson('v1.Instance', { port: { value: 80 } }), 'json: cannot unmarshal object into Go value of type uint32');
  });

  it('rejects unknown fields like polaris-server v1.18.1', () => {
    expectCodecError(() => decodeJson('v1.Namespace', { name: 'x', x: 1 }), 'unknown field "x" in v1.Namespace');
    expectCodecError(() => decodeJson('v1.Instance', { health_check: { type: 'HEARTBEAT', bogus: true } }), 'unknown field "bogus" in v1.HealthCheck');
    expectCodecError(() => decodeJson('v1.Instance', { enable_healthcheck: true }), 'unknown field "enable_healthcheck" in v1.Instance');
  });

  it('rejects type mismatches', () => {
    expectCodecError(() => decodeJson('v1.Instance', { healthy: 'true' }), 'json: cannot unmarshal string into Go value of type bool');
    expectCodecError(() => decodeJson('v1.Instance', { host: 12 }), 'json: cannot unmarshal number 12 into Go value of type string');
    expectCodecError(() => decodeJson('v1.Instance', { port: 1.5 }), 'json: cannot unmarshal number 1.5 into Go value of type uint32');
    expectCodecError(() => decodeJson('v1.Instance', { port: -1 }), 'json: cannot unmarshal number -1 into Go value of type uint32');
    expectCodecError(() => decodeJson('v1.Instance', { port: 4294967296 }), /cannot unmarshal number 4294967296/);
    expectCodecError(() => decodeJson('v1.Instance', { port: 'abc' }), "invalid character 'a' looking for beginning of value");
    expectCodecError(() => decodeJson('v1.Instance', { metadata: [] }), 'json: cannot unmarshal array into Go value of type map[string]json.RawMessage');
    expectCodecError(() => decodeJson('v1.Instance', { health_check: 'x' }), 'json: cannot unmarshal string into Go value of type map[string]json.RawMessage');
    expectCodecError(() => decodeJson('v1.Namespace', { user_ids: 'a' }), 'json: cannot unmarshal string into Go value of type []json.RawMessage');
    expectCodecError(() => decodeJson('v1.Namespace', []), 'json: cannot unmarshal array into Go value of type map[string]json.RawMessage');
    expectCodecError(() => decodeJson('v1.Instance', { metadata: { a: 1 } }), 'json: cannot unmarshal number 1 into Go value of type string');
  });

  it('32-bit numbers may be quoted; 64-bit accept number or string and decode to strings', () => {
    assert.deepEqual(decodeJson('v1.Instance', { port: '8080', weight: 100 }), { port: 8080, weight: 100 });
    assert.deepEqual(decodeJson('v1.ConfigFileRelease', { id: 3, version: '4' }), { id: '3', version: '4' });
    assert.deepEqual(decodeJson('v1.ConfigFileGroup', { id: '18446744073709551615' }), { id: '18446744073709551615' });
    expectCodecError(() => decodeJson('v1.ConfigFileGroup', { id: '18446744073709551616' }), /cannot unmarshal number 18446744073709551616 into Go value of type uint64/);
    expectCodecError(() => decodeJson('v1.ConfigFileGroup', { id: -1 }), /into Go value of type uint64/);
    expectCodecError(() => decodeJson('v1.ConfigFileGroup', { id: '1.5' }), /number 1.5 into Go value of type uint64/);
    assert.deepEqual(decodeJson('v1.ClientConfigFileInfo', { version: 0 }), { version: '0' });
  });

  it('enums take a name or a number and decode to the name', () => {
    assert.deepEqual(decodeJson('v1.HealthCheck', { type: 'HEARTBEAT' }), { type: 'HEARTBEAT' });
    assert.deepEqual(decodeJson('v1.HealthCheck', { type: 1 }), { type: 'HEARTBEAT' });
    assert.deepEqual(decodeJson('v1.HealthCheck', { type: 0 }), { type: 'UNKNOWN' });
    expectCodecError(() => decodeJson('v1.HealthCheck', { type: 'PING' }), 'unknown value "\\"PING\\"" for enum v1.HealthCheck.HealthCheckType');
    expectCodecError(() => decodeJson('v1.HealthCheck', { type: true }), /cannot unmarshal bool/);
  });

  it('Any is decoded by "@type"; the legacy v2 prefix is read as v1', () => {
    const rule = decodeJson('v1.RouteRule', {
      id: 'r1',
      routing_policy: 'RulePolicy',
      routing_config: { '@type': 'type.googleapis.com/v2.RuleRoutingConfig', rules: [] },
    });
    assert.deepEqual(rule, { id: 'r1', routing_policy: 'RulePolicy', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig', rules: [] } });
    expectCodecError(() => decodeJson('v1.RouteRule', { '@type': 'type.googleapis.com/v1.RouteRule', id: 'x' }), 'unknown field "@type" in v1.RouteRule');
    expectCodecError(() => decodeJson('v1.Response', { data: { id: 'x' } }), "Any JSON doesn't have '@type'");
    expectCodecError(() => decodeJson('v1.Response', { data: { '@type': 'type.googleapis.com/v1.Nope' } }), 'could not resolve Any message type: type.googleapis.com/v1.Nope');
    expectCodecError(
      () => decodeJson('v1.Response', { data: { '@type': 'type.googleapis.com/v1.RouteRule', bogus: 1 } }),
      'can\'t unmarshal Any nested proto type.googleapis.com/v1.RouteRule: unknown field "bogus" in v1.RouteRule',
    );
  });

  it('Duration accepts Go duration text', () => {
    assert.deepEqual(decodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '100ms' }), { maxRt: '0.100s' });
    assert.deepEqual(decodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '1m30s' }), { maxRt: '90s' });
    assert.deepEqual(decodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '1.5s' }), { maxRt: '1.500s' });
    expectCodecError(() => decodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: 5 }), /cannot unmarshal number 5/);
    expectCodecError(() => decodeJson('v1.CbPolicy.SlowRateConfig', { maxRt: '5x' }), /bad Duration/);
  });

  it('decodeJsonArray requires an array; parse helpers report syntax errors', () => {
    expectCodecError(() => decodeJsonArray('v1.Namespace', { name: 'x' }), 'expected a JSON array');
    assert.deepEqual(decodeJsonArray('v1.Namespace', [{ name: 'a' }, null]), [{ name: 'a' }, {}]);
    assert.deepEqual(parseJsonArray('v1.Namespace', '[{"name":"a"}]'), [{ name: 'a' }]);
    assert.deepEqual(parseJson('v1.Namespace', '{"name":"a"}'), { name: 'a' });
    expectCodecError(() => parseJson('v1.Namespace', ''), 'EOF');
    expectCodecError(() => parseJson('v1.Namespace', '{"name":'), /JSON/);
  });

  it('round-trips encodeJson → decodeJson', () => {
    const wire = {
      id: 'i1', service: 's', namespace: 'n', host: 'h', port: 1, weight: 0, healthy: true,
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } }, location: { region: 'r' },
      metadata: { a: 'b' },
    };
    const back = decodeJson('v1.Instance', JSON.parse(encodeJson('v1.Instance', wire)));
    assert.deepEqual(back, {
      ...wire,
      location: { region: 'r' },
      metadata: { a: 'b' },
    });
  });
});

describe('protobuf binary', () => {
  const root = protoRoot();

  it('encodeProto is readable by protobufjs (wrappers wrapped, 64-bit, enums, maps)', () => {
    const wire = {
      id: 'i1', host: '10.0.0.1', port: 8080, weight: 0, healthy: false, enable_health_check: true,
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } }, metadata: { k: 'v' },
    };
    const msg = root.lookupType('v1.Instance').decode(encodeProto('v1.Instance', wire)).toJSON();
    assert.deepEqual(msg, {
      id: { value: 'i1' }, host: { value: '10.0.0.1' }, port: { value: 8080 }, weight: {}, healthy: {},
      enable_health_check: { value: true }, health_check: { type: 'HEARTBEAT', heartbeat: { ttl: { value: 5 } } },
      metadata: { k: 'v' },
    });
    const grp = root.lookupType('v1.ConfigFileGroup').decode(encodeProto('v1.ConfigFileGroup', { id: '18446744073709551615' }));
    assert.equal(String((grp as unknown as { id: { value: { toString(): string } } }).id.value.toString()), '18446744073709551615');
  });

  it('decodeProto reads protobufjs output (unwrap wrappers, 64-bit strings, enum names)', () => {
    const T = root.lookupType('v1.ClientConfigFileInfo');
    const buf = Buffer.from(T.encode(T.fromObject({ file_name: { value: 'a.yaml' }, version: { value: '42' }, encrypted: { value: false }, tags: [{ key: { value: 'k' } }] })).finish());
    assert.deepEqual(decodeProto('v1.ClientConfigFileInfo', buf), { file_name: 'a.yaml', version: '42', encrypted: false, tags: [{ key: 'k' }] });
    const H = root.lookupType('v1.HealthCheck');
    assert.deepEqual(decodeProto('v1.HealthCheck', Buffer.from(H.encode(H.fromObject({ type: 'HEARTBEAT' })).finish())), { type: 'HEARTBEAT' });
  });

  it('round-trips wire objects (Any packing with v2 prefix, Duration, repeated wrappers, negative int64)', () => {
    const resp = {
      code: 200000,
      info: 'ok',
      amount: 2,
      namespaces: [{ name: 'a', user_ids: ['u1', ''], metadata: { x: 'y' } }],
      data: [{ '@type': 'type.googleapis.com/v2.RouteRule', id: 'r', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig', rules: [] } }],
    };
    const back = decodeProto('v1.BatchQueryResponse', encodeProto('v1.BatchQueryResponse', resp));
    assert.deepEqual(back, {
      code: 200000,
      info: 'ok',
      amount: 2,
      namespaces: [{ name: 'a', user_ids: ['u1', ''], metadata: { x: 'y' } }],
      data: [{ '@type': 'type.googleapis.com/v1.RouteRule', id: 'r', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig' } }],
    });
    const cb = decodeProto('v1.CbPolicy.SlowRateConfig', encodeProto('v1.CbPolicy.SlowRateConfig', { maxRt: '1.5s', enable: true }));
    assert.deepEqual(cb, { maxRt: '1.500s', enable: true });
    const codes = decodeProto('v1.DestinationSet', encodeProto('v1.DestinationSet', { errorCodes: ['-1', '500', '9223372036854775807'] }));
    assert.deepEqual(codes, { errorCodes: ['-1', '500', '9223372036854775807'] });
    const big = 'x'.repeat(300);
    assert.deepEqual(decodeProto('v1.Namespace', encodeProto('v1.Namespace', { name: big, comment: 'é' })), { name: big, comment: 'é' });
  });

  it('well-known types packed in an Any use { "@type", value }; bytes are base64 strings', () => {
    const cases = [
      { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'hello' },
      { '@type': 'type.googleapis.com/google.protobuf.UInt64Value', value: '18446744073709551615' },
      { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '2.500s' },
      { '@type': 'type.googleapis.com/google.protobuf.Any', value: { '@type': 'type.googleapis.com/v1.Location', region: 'r' } },
    ];
    for (const data of cases) {
      assert.deepEqual(decodeProto('v1.Response', encodeProto('v1.Response', { data })), { data }, data['@type']);
      const text = encodeJson('v1.Response', { data });
      assert.deepEqual(decodeJson('v1.Response', JSON.parse(text)), { data }, data['@type']);
    }
    assert.ok(encodeJson('v1.Response', { data: cases[3] }).includes('"data":{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/v1.Location","region":"r","zone":null,"campus":null}}'));
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff]).toString('base64');
    assert.deepEqual(decodeProto('v1.ConfigExportResponse', encodeProto('v1.ConfigExportResponse', { data: zip })), { data: zip });
    assert.deepEqual(decodeProto('v1.ConfigExportResponse', encodeProto('v1.ConfigExportResponse', { data: Buffer.from(zip, 'base64') })), { data: zip });
    assert.equal(JSON.parse(encodeJson('v1.ConfigExportResponse', { data: zip })).data, zip);
    assert.deepEqual(decodeJson('v1.ConfigExportResponse', { data: zip }), { data: zip });
    expectCodecError(() => decodeJson('v1.ConfigExportResponse', { data: '***' }), /illegal base64/);
  });

  it('Any packed by protobufjs is unpacked by @type', () => {
    const RR = root.lookupType('v1.RouteRule');
    const inner = RR.encode(RR.fromObject({ id: 'r9', name: 'n' })).finish();
    const B = root.lookupType('v1.BatchQueryResponse');
    const buf = Buffer.from(B.encode(B.fromObject({ data: [{ type_url: 'type.googleapis.com/v1.RouteRule', value: inner }] })).finish());
    assert.deepEqual(decodeProto('v1.BatchQueryResponse', buf), { data: [{ '@type': 'type.googleapis.com/v1.RouteRule', id: 'r9', name: 'n' }] });
  });

  it('rejects malformed bytes', () => {
    const good = encodeProto('v1.Instance', { id: 'abc', host: 'h' });
    expectCodecError(() => decodeProto('v1.Instance', good.subarray(0, good.length - 1)), /invalid wire-format/);
    expectCodecError(() => decodeProto('v1.Instance', Buffer.from([0x0a, 0x05, 0x0a])), /invalid wire-format/);
    expectCodecError(() => decodeProto('v1.Instance', Buffer.from([0x0f])), /invalid wire-format/); // wire type 7
    expectCodecError(() => decodeProto('v1.Instance', Buffer.from([0x08, 0x01])), /invalid wire-format/); // id as varint
    expectCodecError(() => decodeProto('v1.Instance', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), /invalid wire-format/);
    assert.deepEqual(decodeProto('v1.Instance', Buffer.alloc(0)), {});
  });

  it('skips unknown fields in binary input', () => {
    // field 999 (varint) then id
    const buf = Buffer.concat([Buffer.from([0xb8, 0x3e, 0x01]), encodeProto('v1.Instance', { id: 'x' })]);
    assert.deepEqual(decodeProto('v1.Instance', buf), { id: 'x' });
  });
});

describe('grpcService', () => {
  it('builds a grpc-js ServiceDefinition with codec serializers', () => {
    const svc = grpcService('v1.PolarisGRPC');
    assert.deepEqual(Object.keys(svc), ['ReportClient', 'RegisterInstance', 'DeregisterInstance', 'Discover', 'Heartbeat']);
    const reg = svc.RegisterInstance;
    assert.equal(reg.path, '/v1.PolarisGRPC/RegisterInstance');
    assert.equal(reg.requestStream, false);
    assert.equal(reg.responseStream, false);
    assert.equal(reg.originalName, 'registerInstance');
    assert.equal(svc.Discover.requestStream, true);
    assert.equal(svc.Discover.responseStream, true);
    const req = reg.requestSerialize({ host: 'h', port: 1 });
    assert.deepEqual(reg.requestDeserialize(req), { host: 'h', port: 1 });
    const pre = encodeProto('v1.Response', { code: 200000 });
    assert.equal(reg.responseSerialize(pre as never), pre);
    assert.deepEqual(reg.responseDeserialize(reg.responseSerialize({ code: 200000, info: 'x' } as never)), { code: 200000, info: 'x' });
    assert.equal(grpcService('v1.PolarisGRPC'), svc);
    assert.deepEqual(Object.keys(grpcService('v1.PolarisConfigGRPC')).length, 8);
  });
});
