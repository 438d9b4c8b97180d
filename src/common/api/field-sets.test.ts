import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_FIELDS, POLARIS_1_18_FIELDS, decodeJson, encodeJson, encodeJsonArray, encodeJsonBuffer } from './codec.js';
import { ABSENT_IN_V1_4_2, MESSAGES_ABSENT_IN_V1_4_2 } from './gen/fields-v1.4.2.js';
import { K, messageDesc } from './schema.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/json-fields-1.18.1.json'), 'utf8')) as {
  absentFields: Record<string, string[]>;
  absentMessages: string[];
};

describe('JSON field sets', () => {
  it('the encoder table is the contract table (regenerate with scripts/gen-field-sets.ts)', () => {
    assert.deepEqual(ABSENT_IN_V1_4_2, fixture.absentFields);
    assert.deepEqual(MESSAGES_ABSENT_IN_V1_4_2, fixture.absentMessages);
    for (const [msg, fields] of Object.entries(ABSENT_IN_V1_4_2)) {
      const names = messageDesc(msg).fields.map((f) => f.name);
      for (const f of fields) assert.ok(names.includes(f), `${msg}.${f} is in the schema`);
    }
  });

  it('with the v1.4.2 set, no field leads to a message v1.4.2 lacks', () => {
    const absent = new Set(MESSAGES_ABSENT_IN_V1_4_2);
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name) || absent.has(name)) return;
      seen.add(name);
      const omit = POLARIS_1_18_FIELDS.omit.get(name);
      for (const f of messageDesc(name).fields) {
        if (omit?.has(f.name) || f.kind !== K.MESSAGE) continue;
        assert.ok(!absent.has(f.msgName), `${name}.${f.name} is a ${f.msgName}`);
        visit(f.msgName);
      }
    };
    for (const root of ['v1.Response', 'v1.BatchWriteResponse', 'v1.BatchQueryResponse', 'v1.DiscoverResponse', 'v1.ConfigResponse', 'v1.ConfigBatchQueryResponse']) visit(root);
    assert.ok(seen.has('v1.Namespace') && seen.has('v1.Rule'));
  });

  it('leaves the fields out wherever the message appears: nested, listed, mapped, in an Any', () => {
    const ns = { name: 'a', deleteable: true, metadata: { k: 'v' }, editable: true };
    const answer = {
      code: 200000,
      namespaces: [ns],
      data: [{ '@type': 'type.googleapis.com/v1.RouteRule', id: 'r', deleteable: true, editable: true, metadata: { a: 'b' } }],
    };
    const old = JSON.parse(encodeJson('v1.BatchQueryResponse', answer, POLARIS_1_18_FIELDS));
    assert.equal(old.namespaces[0].name, 'a');
    assert.equal(old.namespaces[0].editable, true, 'editable is a v1.4.2 field of Namespace');
    assert.ok(!('deleteable' in old.namespaces[0]) && !('metadata' in old.namespaces[0]));
    assert.equal(old.data[0].id, 'r');
    assert.ok(!('deleteable' in old.data[0]) && !('editable' in old.data[0]) && !('metadata' in old.data[0]));
    assert.ok(!('namespace' in JSON.parse(encodeJson('v1.Response', { code: 200000, instanceLabels: { namespace: 'n' } }, POLARIS_1_18_FIELDS)).instanceLabels));
    const discover = JSON.parse(encodeJsonBuffer('v1.DiscoverResponse', { code: 200000 }, POLARIS_1_18_FIELDS).toString());
    for (const k of ['lanes', 'customRouteRules', 'nearbyRouteRules', 'losslessRules']) assert.ok(!(k in discover), k);
    assert.ok('faultDetector' in discover && 'aliasFor' in discover);
    const list = JSON.parse(encodeJsonArray('v1.Namespace', [ns, ns], POLARIS_1_18_FIELDS));
    assert.ok(list.every((n: object) => !('deleteable' in n)));

    const all = JSON.parse(encodeJson('v1.BatchQueryResponse', answer, ALL_FIELDS));
    assert.equal(all.namespaces[0].deleteable, true);
    assert.deepEqual(all.data[0].metadata, { a: 'b' });
    assert.equal(encodeJson('v1.BatchQueryResponse', answer), encodeJson('v1.BatchQueryResponse', answer, ALL_FIELDS), 'default: every field');
  });

  it('input still accepts the v1.5 fields', () => {
    const ns = decodeJson<Record<string, unknown>>('v1.Namespace', { name: 'a', deleteable: false, metadata: { k: 'v' } });
    assert.deepEqual(ns, { name: 'a', deleteable: false, metadata: { k: 'v' } });
  });
});
