import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, byName, node, T, type AdsClient, type SotwResponse, type SotwSession } from '../helpers/xds-client.js';
import { putInstances, startXdsDaemon } from '../helpers/xds-daemon.js';

let d: Daemon;
let ads: AdsClient;

before(async () => {
  const s = await startXdsDaemon();
  d = s.d;
  ads = adsClient(s.xdsPort);
});
after(async () => {
  ads?.close();
  await d?.stop();
});

const cluster = (ns: string, svc: string) => `OUTBOUND|${ns}|${svc}`;

/** Hosts of one cluster's assignment in an EDS answer (undefined: the cluster is not in it). */
function hosts(res: SotwResponse, name: string): string[] | undefined {
  const cla = byName(res).get(name);
  return cla?.endpoints.flatMap((l: any) => l.lb_endpoints).map((e: any) => e.endpoint.address.socket_address.address).sort();
}

/** A stream that records every nonce it is sent, to prove none repeats. */
class Watched {
  readonly nonces: string[] = [];
  constructor(readonly s: SotwSession) {}
  async next(): Promise<SotwResponse> {
    const r = await this.s.next();
    this.nonces.push(r.nonce);
    return r;
  }
  quiet(ms = 400): Promise<boolean> {
    return this.s.inbox.quiet(ms);
  }
}

/** Opens a stream of a sidecar of `ns` (distinct id and IP, same kind) with EDS for `names`. */
async function openEds(ns: string, i: number, names: string[]): Promise<{ w: Watched; eds: SotwResponse }> {
  const w = new Watched(ads.sotw());
  w.s.request(T.EDS, names, { node: node(`${ns}/pod-${i}~10.9.0.${i}`) });
  const eds = await w.next();
  assert.equal(eds.type_url, T.EDS);
  return { w, eds };
}

describe('xDS streams sharing a subscription stay independent', () => {
  it('shares answers between like streams, yet NACKs, subscription changes, nonces and leaving stay per stream', async () => {
    const ns = uniq('xshare');
    const one = cluster(ns, 'one');
    const two = cluster(ns, 'two');
    await putInstances(d.http, ns, 'one', [{ host: '10.1.0.1', port: 80 }]);
    await putInstances(d.http, ns, 'two', [{ host: '10.2.0.1', port: 80 }]);

    // Two sidecars of the same kind, same EDS subscription: same set, same version.
    const { w: a, eds: a1 } = await openEds(ns, 1, [one]);
    const { w: b, eds: b1 } = await openEds(ns, 2, [one]);
    assert.deepEqual(hosts(a1, one), ['10.1.0.1']);
    assert.deepEqual(hosts(b1, one), ['10.1.0.1']);
    assert.equal(a1.version_info, b1.version_info);

    // A rejects its answer, B accepts: neither gets anything resent.
    a.s.request(T.EDS, [one], { ack: a1, version: '', nack: 'test: rejected by A only' });
    b.s.request(T.EDS, [one], { ack: b1 });
    assert.equal(await a.quiet(), true, 'a NACK is not answered with the same set');
    assert.equal(await b.quiet(1), true);

    // A change reaches both, each as a new nonce for that stream.
    await putInstances(d.http, ns, 'one', [{ host: '10.1.0.2', port: 80 }]);
    const [a2, b2] = await Promise.all([a.next(), b.next()]);
    assert.deepEqual(hosts(a2, one), ['10.1.0.1', '10.1.0.2']);
    assert.deepEqual(hosts(b2, one), ['10.1.0.1', '10.1.0.2']);
    assert.equal(a2.version_info, b2.version_info);
    assert.notEqual(a2.nonce, a1.nonce);
    assert.notEqual(b2.nonce, b1.nonce);
    a.s.request(T.EDS, [one], { ack: a2 });
    b.s.request(T.EDS, [one], { ack: b2 });

    // A widens its subscription: A gets only what it lacks (two), B nothing.
    a.s.request(T.EDS, [one, two], { ack: a2 });
    const a3 = await a.next();
    assert.deepEqual([...byName(a3).keys()], [two], 'the unchanged assignment of one is not resent');
    assert.deepEqual(hosts(a3, two), ['10.2.0.1']);
    assert.notEqual(a3.version_info, b2.version_info);
    a.s.request(T.EDS, [one, two], { ack: a3 });
    assert.equal(await b.quiet(), true, "A's subscription change is not B's");

    // B answering with A's nonce is a stale request for B: ignored, even though it names two.
    b.s.request(T.EDS, [one, two], { ack: a3 });
    assert.equal(await b.quiet(), true, "A's nonce means nothing on B's stream");

    // A change of one reaches both subscriptions, each with its own set version.
    await putInstances(d.http, ns, 'one', [{ host: '10.1.0.3', port: 80 }]);
    const [a4, b4] = await Promise.all([a.next(), b.next()]);
    assert.deepEqual([...byName(a4).keys()], [one]);
    assert.deepEqual(hosts(a4, one), ['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    assert.deepEqual(hosts(b4, one), ['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    assert.notEqual(a4.version_info, b4.version_info, 'different sets, different versions');
    a.s.request(T.EDS, [one, two], { ack: a4 });
    b.s.request(T.EDS, [one], { ack: b4 });

    // A goes back to B's subscription and out again within one revision: whatever it is sent
    // carries a nonce it has not seen, and it holds what it asked for.
    a.s.request(T.EDS, [one], { ack: a4 });
    assert.equal(await a.quiet(), true, 'narrowing sends nothing (state of the world cannot remove EDS)');
    a.s.request(T.EDS, [one, two], { ack: a4 });
    const a5 = await a.next();
    assert.deepEqual([...byName(a5).keys()], [two], 'two is sent again after it was dropped');
    assert.equal(a5.version_info, a4.version_info);
    a.s.request(T.EDS, [one, two], { ack: a5 });

    // A leaves: B keeps getting changes; a newcomer like B gets B's set and version.
    a.s.end();
    await new Promise((r) => setTimeout(r, 100));
    await putInstances(d.http, ns, 'one', [{ host: '10.1.0.4', port: 80 }]);
    const b5 = await b.next();
    assert.deepEqual(hosts(b5, one), ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']);
    b.s.request(T.EDS, [one], { ack: b5 });
    const { w: c, eds: c1 } = await openEds(ns, 3, [one]);
    assert.equal(c1.version_info, b5.version_info);
    assert.deepEqual(hosts(c1, one), hosts(b5, one));

    // No stream ever saw a nonce twice.
    for (const w of [a, b, c]) assert.equal(new Set(w.nonces).size, w.nonces.length, `nonces repeated: ${w.nonces.join(',')}`);
    b.s.end();
    c.s.end();
  });

  it('a stream returning to a shared subscription in the same revision gets a nonce it has not seen', async () => {
    const ns = uniq('xshare');
    const one = cluster(ns, 'one');
    const two = cluster(ns, 'two');
    await putInstances(d.http, ns, 'one', [{ host: '10.4.0.1', port: 80 }]);
    await putInstances(d.http, ns, 'two', [{ host: '10.4.0.2', port: 80 }]);
    const open = async (i: number) => {
      const w = new Watched(ads.sotw());
      w.s.request(T.CDS, [one], { node: node(`${ns}/pod-${i}~10.9.1.${i}`) });
      const cds = await w.next();
      w.s.request(T.CDS, [one], { ack: cds });
      return { w, cds };
    };
    const { w: a, cds: a1 } = await open(1);
    const { w: b, cds: b1 } = await open(2);
    // The same shared answer (CDS answers are the full set): same version and nonce on both.
    assert.equal(a1.version_info, b1.version_info);
    assert.deepEqual([...byName(a1).keys()], [one]);
    // A moves away and back: CDS answers the whole set each time, and the second answer for
    // [one] must not reuse the nonce A was first sent for that very answer.
    a.s.request(T.CDS, [one, two], { ack: a1 });
    const a2 = await a.next();
    assert.deepEqual([...byName(a2).keys()].sort(), [one, two].sort());
    a.s.request(T.CDS, [one], { ack: a2 });
    const a3 = await a.next();
    assert.deepEqual([...byName(a3).keys()], [one]);
    assert.equal(a3.version_info, a1.version_info);
    assert.equal(new Set(a.nonces).size, 3, `nonces repeated on A: ${a.nonces.join(',')}`);
    // B, still holding the shared answer, is told nothing and still accepts its own nonce.
    assert.equal(await b.quiet(), true);
    a.s.request(T.CDS, [one], { ack: a3 });
    await putInstances(d.http, ns, 'one', [{ host: '10.4.0.3', port: 80 }]);
    // An endpoint change does not change CDS: both stay quiet; B's next subscription change is answered.
    b.s.request(T.CDS, [one, two], { ack: b1 });
    const b2 = await b.next();
    assert.equal(b2.version_info, a2.version_info);
    assert.equal(new Set(b.nonces).size, b.nonces.length);
    a.s.end();
    b.s.end();
  });

  it('a stream leaving does not end the subscription of the others, nor does a broken stream', async () => {
    const ns = uniq('xshare');
    const one = cluster(ns, 'one');
    await putInstances(d.http, ns, 'one', [{ host: '10.3.0.1', port: 80 }]);
    const streams = await Promise.all([1, 2, 3].map((i) => openEds(ns, 10 + i, [one])));
    for (const { w, eds } of streams) w.s.request(T.EDS, [one], { ack: eds });
    // One stream breaks the protocol (an aggregated request without type_url): only it ends.
    const [broken, ...rest] = streams;
    broken.w.s.send({ resource_names: [one], response_nonce: broken.eds.nonce });
    const err = await broken.w.s.inbox.closed();
    assert.equal(err.code, 3);
    // Another leaves cleanly.
    rest[0].w.s.end();
    await new Promise((r) => setTimeout(r, 100));
    await putInstances(d.http, ns, 'one', [{ host: '10.3.0.2', port: 80 }]);
    const got = await rest[1].w.next();
    assert.deepEqual(hosts(got, one), ['10.3.0.1', '10.3.0.2']);
    rest[1].w.s.end();
  });
});
