import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNode } from '../../src/apiserver/xdsserverv3/node.js';
import { TypeUrl } from '../../src/apiserver/xdsserverv3/protos.js';
import { ResponseCache } from '../../src/apiserver/xdsserverv3/response-cache.js';
import { XdsSnapshot } from '../../src/apiserver/xdsserverv3/snapshot.js';
import { SubscriptionRegistry } from '../../src/apiserver/xdsserverv3/subscriptions.js';
import { viewKey } from '../../src/apiserver/xdsserverv3/view.js';

describe('xDS subscription matching', () => {
  it('recognises the same names in any order, and nothing else, before and after a request in its order', () => {
    // The snapshot is never activated here: matching reads only the subscription's names.
    const snapshot = new XdsSnapshot({} as ConstructorParameters<typeof XdsSnapshot>[0]);
    const reg = new SubscriptionRegistry(snapshot, new ResponseCache());
    const node = parseNode({ id: 'ns/pod~10.0.0.1' });
    const named = reg.acquire(node, viewKey(node), TypeUrl.Endpoint, false, ['b', 'a']);
    const check = (wildcard: boolean, names: string[], want: boolean) => assert.equal(named.matches(wildcard, names), want, `${wildcard} ${names}`);
    check(false, [], false);
    check(false, ['a'], false);
    check(false, ['a', 'b'], true);
    check(false, ['b', 'a'], true);
    check(false, ['b', 'a'], true); // the order just seen: compared in place
    check(false, ['b', 'c'], false);
    check(false, ['b', 'a', 'c'], false);
    check(true, ['b', 'a'], false);
    check(false, ['a', '*', 'b'], true);
    check(false, [], false);
    const wild = reg.acquire(node, viewKey(node), TypeUrl.Cluster, true, []);
    assert.equal(wild.matches(true, []), true);
    assert.equal(wild.matches(true, ['*']), true);
    assert.equal(wild.matches(false, []), false);
    assert.equal(wild.matches(true, ['x']), false);
    assert.equal(wild.matches(true, []), true);
    // Encoded names: only bytes remembered from a request that matched are recognised.
    const raw = Buffer.from('0a01620a0161', 'hex');
    assert.equal(named.matchesRaw(raw), false);
    named.rememberRaw(raw);
    assert.equal(named.matchesRaw(Buffer.from(raw)), true);
    assert.equal(named.matchesRaw(Buffer.from('0a01610a0162', 'hex')), false);
    raw[2] = 0x7a; // the remembered bytes are a copy, not the request's buffer
    assert.equal(named.matchesRaw(Buffer.from('0a01620a0161', 'hex')), true);
  });
});
