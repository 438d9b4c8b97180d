import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, decodeAny, node, T, type AdsClient, type DeltaResponse } from '../helpers/xds-client.js';
import { deleteInstances, putInstances, startXdsDaemon } from '../helpers/xds-daemon.js';

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
const names = (r: DeltaResponse) => r.resources.map((x) => x.name).sort();

describe('xDS incremental (delta) ADS', () => {
  it('subscribes, unsubscribes, removes, and takes requests without the node after the first', async () => {
    const ns = uniq('delta');
    await putInstances(d.http, ns, 'svc', [{ host: '10.9.0.1', port: 80 }]);
    const s = ads.delta();
    s.request(T.CDS, { node: node(`${ns}/e~10.0.0.5`) });
    const cds = await s.next();
    assert.equal(cds.type_url, T.CDS);
    assert.deepEqual(names(cds), [cluster(ns, 'svc'), 'PassthroughCluster'].sort());
    for (const r of cds.resources) {
      assert.match(r.version, /^[0-9a-f]+$/);
      assert.equal(decodeAny(r.resource).name, r.name);
    }
    // Envoy sends no node after the first request (polaris crashes here).
    s.request(T.CDS, { nonce: cds.nonce });
    s.request(T.EDS, { subscribe: [cluster(ns, 'svc'), cluster(ns, 'ghost')] });
    const eds = await s.next();
    assert.equal(eds.type_url, T.EDS);
    assert.deepEqual(names(eds), [cluster(ns, 'svc')]);
    assert.deepEqual(eds.removed_resources, [cluster(ns, 'ghost')], 'a subscribed name that does not exist is reported removed');
    s.request(T.EDS, { nonce: eds.nonce });

    // The ghost appears: CDS (wildcard) and EDS (named) each get just that resource.
    await putInstances(d.http, ns, 'ghost', [{ host: '10.9.0.2', port: 80 }]);
    // The service row and its instance may land in one refresh or two: read until the endpoint shows.
    const pushed = new Map<string, DeltaResponse>();
    const until = Date.now() + 5000;
    const ghostHosts = () =>
      (pushed.get(T.EDS)?.resources ?? []).flatMap((r) => decodeAny(r.resource).endpoints ?? []).flatMap((l: any) => l.lb_endpoints ?? []);
    while ((!pushed.has(T.CDS) || ghostHosts().length === 0) && Date.now() < until) {
      const r = await s.next(3000);
      pushed.set(r.type_url, r);
      s.request(r.type_url, { nonce: r.nonce });
    }
    assert.deepEqual(names(pushed.get(T.CDS)!), [cluster(ns, 'ghost')]);
    assert.deepEqual(names(pushed.get(T.EDS)!), [cluster(ns, 'ghost')]);
    assert.equal(ghostHosts().length, 1);
    assert.equal(await s.inbox.quiet(300), true, 'nothing else was sent');

    // Unsubscribed: changes of svc's endpoints are no longer sent.
    s.request(T.EDS, { unsubscribe: [cluster(ns, 'svc')] });
    // An unsubscribe is not answered: give the server a moment to have read it before the change.
    assert.equal(await s.inbox.quiet(300), true);
    await putInstances(d.http, ns, 'svc', [{ host: '10.9.0.3', port: 80 }]);
    assert.equal(await s.inbox.quiet(400), true);

    // A NACK is logged; nothing is resent.
    s.request(T.EDS, { nonce: pushed.get(T.EDS)!.nonce, nack: 'delta: rejected for the test' });
    assert.equal(await s.inbox.quiet(300), true);
    assert.match(d.output(), /delta: rejected for the test/);

    // The ghost service goes: CDS and EDS say so in removed_resources.
    await deleteInstances(d.http, ns, 'ghost', [{ host: '10.9.0.2', port: 80 }]);
    const del = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'ghost', namespace: ns }]);
    assert.equal(del.body?.code, 200000, del.text);
    const removed = new Map<string, DeltaResponse>();
    const deadline = Date.now() + 5000;
    while (removed.size < 2 && Date.now() < deadline) {
      const r = await s.next(3000);
      s.request(r.type_url, { nonce: r.nonce });
      if (r.removed_resources.length > 0) removed.set(r.type_url, r);
    }
    assert.deepEqual(removed.get(T.CDS)?.removed_resources, [cluster(ns, 'ghost')]);
    assert.deepEqual(removed.get(T.EDS)?.removed_resources, [cluster(ns, 'ghost')]);
    s.end();
  });

  it('a reconnecting client that reports its versions gets only what changed', async () => {
    const ns = uniq('delta');
    await putInstances(d.http, ns, 'a', [{ host: '10.8.0.1', port: 80 }]);
    await putInstances(d.http, ns, 'b', [{ host: '10.8.0.2', port: 80 }]);
    const first = ads.delta();
    first.request(T.CDS, { node: node(`${ns}/f~10.0.0.6`) });
    const cds = await first.next();
    first.end();
    const held = Object.fromEntries(cds.resources.map((r) => [r.name, r.version]));
    const again = ads.delta();
    again.request(T.CDS, { node: node(`${ns}/f~10.0.0.6`), initial: { ...held, [cluster(ns, 'gone')]: 'x' } });
    const r = await again.next();
    assert.deepEqual(r.resources, [], 'every held version is current');
    assert.deepEqual(r.removed_resources, [cluster(ns, 'gone')]);
    again.end();
  });

  it('like streams share one answer after a change, yet a stream never sees a nonce twice', async () => {
    const ns = uniq('delta');
    const one = cluster(ns, 'one');
    await putInstances(d.http, ns, 'one', [{ host: '10.7.0.1', port: 80 }]);
    const seen = new Map<string, string[]>();
    const recv = async (s: ReturnType<AdsClient['delta']>, who: string) => {
      const r = await s.next();
      const list = seen.get(who) ?? [];
      assert.ok(!list.includes(r.nonce), `${who} got nonce ${r.nonce} twice`);
      list.push(r.nonce);
      seen.set(who, list);
      return r;
    };
    // Two sidecars of one kind; b has had one answer more (CDS), so per-stream counters would differ.
    const a = ads.delta();
    a.request(T.EDS, { node: node(`${ns}/a~10.0.1.1`), subscribe: [one] });
    a.request(T.EDS, { nonce: (await recv(a, 'a')).nonce });
    const b = ads.delta();
    b.request(T.CDS, { node: node(`${ns}/b~10.0.1.2`) });
    b.request(T.CDS, { nonce: (await recv(b, 'b')).nonce });
    b.request(T.EDS, { subscribe: [one] });
    b.request(T.EDS, { nonce: (await recv(b, 'b')).nonce });

    await putInstances(d.http, ns, 'one', [{ host: '10.7.0.2', port: 80 }]);
    const [ra, rb] = [await recv(a, 'a'), await recv(b, 'b')];
    assert.deepEqual([names(ra), names(rb)], [[one], [one]]);
    assert.equal(ra.nonce, rb.nonce, 'one shared answer, nonce included');
    assert.equal(ra.system_version_info, rb.system_version_info);
    assert.equal(ra.resources[0].version, rb.resources[0].version);
    assert.equal(decodeAny(ra.resources[0].resource).endpoints[0].lb_endpoints.length, 2);
    a.request(T.EDS, { nonce: ra.nonce });
    b.request(T.EDS, { nonce: rb.nonce });

    // a leaves and rejoins within the same revision: the same resources again, under a nonce of its own.
    a.request(T.EDS, { unsubscribe: [one] });
    a.request(T.EDS, { subscribe: [one] });
    const again = await recv(a, 'a');
    assert.deepEqual(names(again), [one]);
    assert.equal(again.resources[0].version, ra.resources[0].version);
    assert.notEqual(again.nonce, ra.nonce);
    a.request(T.EDS, { nonce: again.nonce });
    assert.ok(await b.inbox.quiet(300), 'b is not sent anything for a\'s subscription change');
    a.end();
    b.end();
  });
  it('random churn: a client applying every answer holds what a new stream is given', async () => {
    const ns = uniq('dchurn');
    const svcs = ['a', 'b', 'c', 'd'];
    const subscribed = [...svcs.map((x) => cluster(ns, x)), cluster(ns, 'never')];
    const me = (id: string) => node(`${ns}/${id}~10.0.0.8`);
    type View = Map<string, Map<string, string>>;
    const apply = (v: View, r: DeltaResponse) => {
      const m = v.get(r.type_url) ?? new Map<string, string>();
      v.set(r.type_url, m);
      for (const x of r.resources) m.set(x.name, x.version);
      for (const n of r.removed_resources) m.delete(n);
    };
    const show = (v: View) => JSON.stringify([T.CDS, T.EDS].map((t) => [...(v.get(t) ?? new Map())].sort()));
    /** CDS wildcard and EDS of the subscribed names, each answer ACKed and applied to `view`. */
    const open = async (id: string, view: View) => {
      const s = ads.delta();
      s.request(T.CDS, { node: me(id) });
      const cds = await s.next();
      apply(view, cds);
      s.request(T.CDS, { nonce: cds.nonce });
      s.request(T.EDS, { subscribe: subscribed });
      const eds = await s.next();
      apply(view, eds);
      s.request(T.EDS, { nonce: eds.nonce });
      return s;
    };
    await putInstances(d.http, ns, 'a', [{ host: '10.30.0.1', port: 80 }]);
    // Three long-lived streams of one kind: they share what a change means for them.
    const views: View[] = [new Map(), new Map(), new Map()];
    const streams = await Promise.all(views.map((v, i) => open(`long${i}`, v)));
    const hosts = new Map<string, Set<string>>([['a', new Set(['10.30.0.1'])]]);
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let round = 0; round < 12; round++) {
      const svc = svcs[rnd(svcs.length)] as string;
      const held = hosts.get(svc) ?? new Set<string>();
      const op = rnd(3);
      if (op === 0 || held.size === 0) {
        const host = `10.30.${round}.${rnd(200) + 1}`;
        await putInstances(d.http, ns, svc, [{ host, port: 80, weight: 10 + rnd(90) }]);
        hosts.set(svc, held.add(host));
      } else if (op === 1) {
        const host = [...held][0] as string;
        await deleteInstances(d.http, ns, svc, [{ host, port: 80 }]);
        held.delete(host);
      } else {
        // The whole service goes: its cluster and load assignment are removed.
        await deleteInstances(d.http, ns, svc, [...held].map((host) => ({ host, port: 80 })));
        const del = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: svc, namespace: ns }]);
        assert.equal(del.body?.code, 200000, del.text);
        hosts.delete(svc);
      }
      // A new stream is given the full state at the revision it reads; the long-lived ones must
      // reach the same by applying their answers (read until they do, or time out).
      const deadline = Date.now() + 5000;
      for (;;) {
        const fresh: View = new Map();
        const f = await open(`fresh${round}`, fresh);
        f.end();
        const want = show(fresh);
        for (const [i, s] of streams.entries()) {
          while (show(views[i] as View) !== want && !(await s.inbox.quiet(50))) {
            const r = await s.next();
            apply(views[i] as View, r);
            s.request(r.type_url, { nonce: r.nonce });
          }
        }
        if (views.every((v) => show(v) === want)) break;
        assert.ok(Date.now() < deadline, `round ${round}: a long-lived stream holds ${show(views.find((v) => show(v) !== want) as View)}, a new one gets ${want}`);
      }
    }
    for (const s of streams) s.end();
  });
});
