import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { once } from 'node:events';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { call, type Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import {
  adsClient,
  byName,
  decodeDiscoveryResponse,
  discoveryRequestFrame,
  node,
  perTypeClient,
  T,
  type AdsClient,
  type SotwResponse,
} from '../helpers/xds-client.js';
import { deleteInstances, putInstances, putRouteRule, startXdsDaemon } from '../helpers/xds-daemon.js';

let d: Daemon;
let ads: AdsClient;
let xdsPort: number;

before(async () => {
  const s = await startXdsDaemon();
  d = s.d;
  xdsPort = s.xdsPort;
  ads = adsClient(s.xdsPort);
});
after(async () => {
  ads?.close();
  await d?.stop();
});

/** The five instances of polaris's test/data/xds/data.json. */
async function oracleService(ns: string): Promise<void> {
  await putInstances(d.http, ns, 'service-a', [
    { host: '172.17.1.2', port: 80, weight: 80, metadata: { 'polarismesh.cn/tls-mode': 'strict' } },
    { host: '172.17.1.3', port: 80, weight: 80, healthy: false },
    { host: '172.17.1.4', port: 80, weight: 80, healthy: false },
    { host: '172.17.1.5', port: 80, weight: 0 },
    { host: '172.17.1.6', port: 80, weight: 80, isolate: true },
  ]);
}

const cluster = (ns: string, svc: string) => `OUTBOUND|${ns}|${svc}`;

describe('xDS state of the world, as Envoy asks', () => {
  it('serves CDS, EDS, LDS and RDS with polaris shapes, ACKed, and resends nothing unchanged', async () => {
    const ns = uniq('xds');
    await oracleService(ns);
    const s = ads.sotw();
    const me = node(`${ns}/7f1c~10.0.0.9`, { 'sidecar.polarismesh.cn/serviceName': 'service-a' });

    s.request(T.CDS, [], { node: me });
    const cds = await s.next();
    assert.equal(cds.type_url, T.CDS);
    assert.equal(cds.nonce, '1');
    const clusters = byName(cds);
    assert.deepEqual([...clusters.keys()].sort(), [`INBOUND|${ns}|service-a`, cluster(ns, 'service-a'), 'PassthroughCluster'].sort());
    const c = clusters.get(cluster(ns, 'service-a'));
    assert.equal(c.type, 'EDS');
    assert.equal(c.connect_timeout, '5s');
    assert.equal(c.eds_cluster_config.service_name, cluster(ns, 'service-a'));
    assert.deepEqual(c.eds_cluster_config.eds_config, { ads: {}, resource_api_version: 'V3' });
    assert.equal(clusters.get('PassthroughCluster').type, 'ORIGINAL_DST');
    s.request(T.CDS, [], { ack: cds });

    s.request(T.EDS, [cluster(ns, 'service-a')]);
    const eds = await s.next();
    assert.equal(eds.type_url, T.EDS);
    const cla = byName(eds).get(cluster(ns, 'service-a'));
    const eps = cla.endpoints.flatMap((l: any) => l.lb_endpoints);
    const byHost = new Map(eps.map((e: any) => [e.endpoint.address.socket_address.address, e]));
    // Isolated and weight-0 instances are no endpoints; unhealthy ones are, marked UNHEALTHY.
    assert.deepEqual([...byHost.keys()].sort(), ['172.17.1.2', '172.17.1.3', '172.17.1.4']);
    const pod1: any = byHost.get('172.17.1.2');
    assert.equal(pod1.health_status, 'HEALTHY');
    assert.equal(pod1.load_balancing_weight, 80);
    assert.equal(pod1.endpoint.address.socket_address.port_value, 80);
    assert.equal(pod1.endpoint.health_check_config.disable_active_health_check, true);
    assert.equal(pod1.metadata.filter_metadata['envoy.lb']['polarismesh.cn/tls-mode'], 'strict');
    assert.deepEqual(pod1.metadata.filter_metadata['envoy.transport_socket_match'], { acceptMTLS: 'true' });
    assert.equal((byHost.get('172.17.1.3') as any).health_status, 'UNHEALTHY');
    s.request(T.EDS, [cluster(ns, 'service-a')], { ack: eds });

    s.request(T.LDS, []);
    const lds = await s.next();
    const listeners = byName(lds);
    assert.deepEqual([...listeners.keys()].sort(), ['OUTBOUND_15001', `service-a.${ns}_INBOUND_15006`]);
    const out = listeners.get('OUTBOUND_15001');
    assert.equal(out.address.socket_address.port_value, 15001);
    assert.equal(out.traffic_direction, 'OUTBOUND');
    const hcm = out.filter_chains[0].filters[0].typed_config;
    assert.equal(hcm['@type'], 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    assert.equal(hcm.rds.route_config_name, 'polaris-outbound-router');
    assert.equal(hcm.stat_prefix, 'OUTBOUND_HTTP');
    assert.equal(hcm.http_filters.at(-1).name, 'envoy.filters.http.router');
    assert.equal(out.default_filter_chain.filters[0].typed_config.cluster, 'PassthroughCluster');
    s.request(T.LDS, [], { ack: lds });

    s.request(T.RDS, ['polaris-outbound-router', `polaris-inbound-cluster|service-a.${ns}`]);
    const rds = await s.next();
    const routes = byName(rds);
    const outbound = routes.get('polaris-outbound-router');
    const vh = outbound.virtual_hosts.find((v: any) => v.name === cluster(ns, 'service-a'));
    assert.deepEqual(vh.domains.slice(0, 5), ['service-a', `service-a.${ns}`, `service-a.${ns}.svc`, `service-a.${ns}.svc.cluster`, `service-a.${ns}.svc.cluster.local`]);
    assert.ok(vh.domains.includes(`service-a.${ns}:80`));
    assert.equal(vh.routes.at(-1).route.cluster, cluster(ns, 'service-a'));
    assert.equal(outbound.virtual_hosts.at(-1).name, 'allow_any');
    assert.equal(routes.get(`polaris-inbound-cluster|service-a.${ns}`).virtual_hosts[0].routes[0].route.cluster, `INBOUND|${ns}|service-a`);
    s.request(T.RDS, ['polaris-outbound-router', `polaris-inbound-cluster|service-a.${ns}`], { ack: rds });

    assert.equal(await s.inbox.quiet(400), true, 'nothing is resent for an unchanged snapshot');
    s.end();
  });

  it('pushes a registration to the subscribed EDS only; a NACK keeps it quiet until the next change', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'echo', [{ host: '10.1.0.1', port: 8080 }]);
    const s = ads.sotw();
    s.request(T.CDS, [], { node: node(`${ns}/a~10.0.0.1`) });
    const cds = await s.next();
    s.request(T.CDS, [], { ack: cds });
    s.request(T.EDS, [cluster(ns, 'echo')]);
    const eds1 = await s.next();
    s.request(T.EDS, [cluster(ns, 'echo')], { ack: eds1 });
    await s.inbox.quiet(100);

    await putInstances(d.http, ns, 'echo', [{ host: '10.1.0.2', port: 8080 }]);
    const eds2 = await s.next(3000);
    assert.equal(eds2.type_url, T.EDS, 'the EDS push comes first; CDS did not change');
    assert.notEqual(eds2.version_info, eds1.version_info);
    const hosts = byName(eds2)
      .get(cluster(ns, 'echo'))
      .endpoints.flatMap((l: any) => l.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address))
      .sort();
    assert.deepEqual(hosts, ['10.1.0.1', '10.1.0.2']);

    // Envoy rejects it: polaris-ts logs the reason and resends nothing.
    s.request(T.EDS, [cluster(ns, 'echo')], { ack: eds2, version: eds1.version_info, nack: 'test: endpoint rejected' });
    assert.equal(await s.inbox.quiet(400), true);
    assert.match(d.output(), /xDS NACK.*test: endpoint rejected|test: endpoint rejected[\s\S]*xDS NACK/);

    // A later change is pushed again.
    await putInstances(d.http, ns, 'echo', [{ host: '10.1.0.3', port: 8080 }]);
    const eds3 = await s.next(3000);
    assert.equal(eds3.type_url, T.EDS);
    s.end();
  });

  it('answers a named EDS/RDS request for one service of many (polaris stays silent) and ignores stale nonces', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'one', [{ host: '10.2.0.1', port: 80 }]);
    await putInstances(d.http, ns, 'two', [{ host: '10.2.0.2', port: 80 }]);
    const s = ads.sotw();
    s.request(T.EDS, [cluster(ns, 'two')], { node: node(`${ns}/b~10.0.0.2`) });
    const eds = await s.next();
    assert.deepEqual([...byName(eds).keys()], [cluster(ns, 'two')]);
    // A request naming an old nonce is stale: ignored.
    s.request(T.EDS, [cluster(ns, 'one'), cluster(ns, 'two')], { ack: { ...eds, nonce: '999' } as SotwResponse });
    assert.equal(await s.inbox.quiet(300), true);
    s.request(T.EDS, [cluster(ns, 'one'), cluster(ns, 'two')], { ack: eds });
    const more = await s.next();
    assert.deepEqual([...byName(more).keys()], [cluster(ns, 'one')], 'only what the client lacks');
    s.end();
  });

  it('sends streams with the same subscription one shared answer per change; no stream sees a nonce twice', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'one', [{ host: '10.2.1.1', port: 80 }]);
    await putInstances(d.http, ns, 'two', [{ host: '10.2.1.2', port: 80 }]);
    const a = ads.sotw();
    const b = ads.sotw();
    const seen = { a: new Set<string>(), b: new Set<string>() };
    const note = (k: 'a' | 'b', r: SotwResponse) => {
      assert.ok(r.nonce !== '' && !seen[k].has(r.nonce), `nonce ${r.nonce} not repeated on stream ${k}`);
      seen[k].add(r.nonce);
      return r;
    };
    a.request(T.EDS, [cluster(ns, 'one')], { node: node(`${ns}/s1~10.0.0.21`) });
    b.request(T.EDS, [cluster(ns, 'one')], { node: node(`${ns}/s2~10.0.0.22`) });
    const [a1, b1] = [note('a', await a.next()), note('b', await b.next())];
    a.request(T.EDS, [cluster(ns, 'one')], { ack: a1 });
    b.request(T.EDS, [cluster(ns, 'one')], { ack: b1 });
    await putInstances(d.http, ns, 'one', [{ host: '10.2.1.3', port: 80 }]);
    const [a2, b2] = [note('a', await a.next()), note('b', await b.next())];
    assert.equal(a2.version_info, b2.version_info);
    assert.equal(a2.nonce, b2.nonce, 'one answer (and nonce) for both streams');
    assert.ok(byName(a2).get(cluster(ns, 'one')).endpoints[0].lb_endpoints.some((e: any) => e.endpoint.address.socket_address.address === '10.2.1.3'));
    a.request(T.EDS, [cluster(ns, 'one')], { ack: a2 });
    // CDS by name, back and forth with no change in between: the third answer has the first's
    // content and version, but a nonce of its own.
    a.request(T.CDS, [cluster(ns, 'one')]);
    const c1 = note('a', await a.next());
    a.request(T.CDS, [cluster(ns, 'one'), cluster(ns, 'two')], { ack: c1 });
    const c2 = note('a', await a.next());
    a.request(T.CDS, [cluster(ns, 'one')], { ack: c2 });
    const c3 = note('a', await a.next());
    assert.equal(c3.version_info, c1.version_info);
    assert.deepEqual([...byName(c3).keys()], [cluster(ns, 'one')]);
    // The late ACK of the first answer is stale now; the third one's is current.
    a.request(T.CDS, [cluster(ns, 'one')], { ack: c1 });
    a.request(T.CDS, [cluster(ns, 'one')], { ack: c3 });
    assert.equal(await a.inbox.quiet(300), true);
    a.end();
    b.end();
  });

  it('turns routing v2 rules into routes with header/path matches, weights and label subsets', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'shop', [
      { host: '10.3.0.1', port: 80, metadata: { version: 'v1' } },
      { host: '10.3.0.2', port: 80, metadata: { version: 'v2' } },
    ]);
    const s = ads.sotw();
    s.request(T.RDS, ['polaris-outbound-router'], { node: node(`${ns}/c~10.0.0.3`) });
    const first = await s.next();
    s.request(T.RDS, ['polaris-outbound-router'], { ack: first });
    await putRouteRule(d.http, uniq('r'), [
      {
        name: 'canary',
        sources: [{ service: '*', namespace: ns, arguments: [{ type: 'HEADER', key: 'x-canary', value: { type: 'EXACT', value: '1' } }, { type: 'PATH', key: '$path', value: { type: 'REGEX', value: '/api/.*' } }] }],
        destinations: [
          { service: 'shop', namespace: ns, labels: { version: { type: 'EXACT', value: 'v2' } }, weight: 80 },
          { service: 'shop', namespace: ns, labels: { version: { type: 'EXACT', value: 'v1' } }, weight: 20 },
        ],
      },
    ]);
    const pushed = await s.next(3000);
    const vh = byName(pushed).get('polaris-outbound-router').virtual_hosts.find((v: any) => v.name === cluster(ns, 'shop'));
    assert.equal(vh.routes.length, 2, 'the rule route, then the default route');
    const r = vh.routes[0];
    assert.equal(r.match.safe_regex.regex, '/api/.*');
    assert.deepEqual(r.match.headers, [{ name: 'x-canary', string_match: { exact: '1' } }]);
    const wc = r.route.weighted_clusters.clusters;
    assert.deepEqual(wc.map((c: any) => [c.name, c.weight]), [[cluster(ns, 'shop'), 80], [cluster(ns, 'shop'), 20]]);
    assert.deepEqual(wc[0].metadata_match.filter_metadata['envoy.lb'], { version: 'v2' });
    assert.deepEqual(vh.routes[1], { match: { prefix: '/' }, route: { cluster: cluster(ns, 'shop') } });
    s.end();
  });

  it('keeps a stream healthy past unknown types; a stream without a node is ended, others go on', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'echo', [{ host: '10.4.0.1', port: 80 }]);
    const bad = ads.sotw();
    bad.request(T.CDS, []);
    const err = await bad.inbox.closed();
    assert.equal(err.code, 3);
    assert.match(err.details, /node/);

    const s = ads.sotw();
    s.request('type.googleapis.com/no.such.Type', [], { node: node(`${ns}/d~10.0.0.4`) });
    s.request('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', ['default']);
    s.request(T.CDS, []);
    const cds = await s.next();
    assert.equal(cds.type_url, T.CDS);
    assert.ok(byName(cds).has(cluster(ns, 'echo')));
    s.end();
  });

  it('pushes a health flip and a rule change to connected streams at once (goal: well under 100 ms)', async () => {
    const ns = uniq('xds');
    const [id] = await putInstances(d.http, ns, 'live', [{ host: '10.5.0.1', port: 80 }]);
    const s = ads.sotw();
    s.request(T.EDS, [cluster(ns, 'live')], { node: node(`${ns}/g~10.0.0.7`) });
    const eds = await s.next();
    s.request(T.EDS, [cluster(ns, 'live')], { ack: eds });
    s.request(T.RDS, ['polaris-outbound-router']);
    const rds = await s.next();
    s.request(T.RDS, ['polaris-outbound-router'], { ack: rds });
    await s.inbox.quiet(100);

    const t0 = performance.now();
    const res = await call(d.http, 'PUT', '/naming/v1/instances', [{ id, service: 'live', namespace: ns, host: '10.5.0.1', port: 80, healthy: false }]);
    assert.equal(res.body?.code, 200000, res.text);
    const flipped = await s.next(3000);
    const healthMs = performance.now() - t0;
    const ep = byName(flipped).get(cluster(ns, 'live')).endpoints[0].lb_endpoints[0];
    assert.equal(ep.health_status, 'UNHEALTHY');
    s.request(T.EDS, [cluster(ns, 'live')], { ack: flipped });

    const t1 = performance.now();
    await putRouteRule(d.http, uniq('r'), [
      { name: 'x', sources: [{ service: '*', namespace: ns, arguments: [{ type: 'HEADER', key: 'x-a', value: { type: 'EXACT', value: '1' } }] }], destinations: [{ service: 'live', namespace: ns, weight: 100 }] },
    ]);
    const routed = await s.next(3000);
    const ruleMs = performance.now() - t1;
    assert.equal(routed.type_url, T.RDS);
    // Measured from the HTTP call (its own round trip included); generous margins for a loaded CI box.
    assert.ok(healthMs < 1500, `health flip pushed after ${healthMs.toFixed(0)} ms`);
    assert.ok(ruleMs < 1500, `rule change pushed after ${ruleMs.toFixed(0)} ms`);
    s.end();
  });

  it('ends a stream sending bytes that are no DiscoveryRequest, or an oversized one; the server goes on', async () => {
    const raw = (b: Buffer) => b;
    const Raw = grpc.makeGenericClientConstructor(
      {
        ads: {
          path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
          requestStream: true,
          responseStream: true,
          requestSerialize: raw,
          requestDeserialize: raw,
          responseSerialize: raw,
          responseDeserialize: raw,
        },
      },
      'Raw',
    );
    const client = new Raw(`127.0.0.1:${xdsPort}`, grpc.credentials.createInsecure()) as any;
    for (const bytes of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), Buffer.alloc(5 * 1024 * 1024, 0x41)]) {
      const stream = client.ads();
      const ended = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      stream.on('data', () => undefined);
      stream.write(bytes);
      const err = await ended;
      assert.ok([grpc.status.INTERNAL, grpc.status.RESOURCE_EXHAUSTED, grpc.status.INVALID_ARGUMENT].includes(err.code), err.message);
    }
    client.close();
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'after', [{ host: '10.6.0.1', port: 80 }]);
    const s = ads.sotw();
    s.request(T.CDS, [], { node: node(`${ns}/h~10.0.0.8`) });
    assert.ok(byName(await s.next()).has(cluster(ns, 'after')));
    s.end();
  });

  it('serves the per-type services: a CDS stream without type URLs, FetchEndpoints, and refuses another type', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'pt', [{ host: '10.7.0.1', port: 80 }]);
    const cds = perTypeClient(xdsPort, 'cluster');
    const eds = perTypeClient(xdsPort, 'endpoint');
    try {
      const s = cds.stream();
      s.send({ node: node(`${ns}/i~10.0.0.9`), resource_names: [] });
      const r = await s.next();
      assert.equal(r.type_url, T.CDS);
      assert.ok(byName(r).has(cluster(ns, 'pt')));
      s.request(T.EDS, []);
      const err = await s.inbox.closed();
      assert.equal(err.code, 3);

      const f = await eds.fetch({ node: node(`${ns}/i~10.0.0.9`), resource_names: [cluster(ns, 'pt')] });
      assert.equal(f.type_url, T.EDS);
      assert.deepEqual([...byName(f).keys()], [cluster(ns, 'pt')]);
      const again = await eds.fetch({ node: node(`${ns}/i~10.0.0.9`), resource_names: [cluster(ns, 'pt')], version_info: f.version_info });
      assert.deepEqual(again.resources, [], 'the held version is current: nothing to send');
    } finally {
      cds.close();
      eds.close();
    }
  });

  it('builds the route configuration a gateway asks for (polaris references it but never builds it)', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'service-a', [{ host: '10.10.0.1', port: 80, metadata: { aa: '222' } }]);
    await putInstances(d.http, ns, 'envoy_gateway', [{ host: '10.10.0.9', port: 80 }]);
    const path = (v: string) => [{ type: 'PATH', key: '$path', value: { type: 'EXACT', value: v } }];
    await putRouteRule(d.http, uniq('gw'), [
      { name: 'a', sources: [{ service: 'envoy_gateway', namespace: ns, arguments: path('/service-a') }], destinations: [{ service: 'service-a', namespace: ns, labels: { aa: { type: 'EXACT', value: '222' } }, weight: 100 }] },
    ]);
    const s = ads.sotw();
    const gw = node(`gateway~${ns}/9b9f5630~172.17.1.1`, { gateway_namespace: ns, gateway_service: 'envoy_gateway' });
    s.request(T.LDS, [], { node: gw });
    const lds = await s.next();
    const hcm = byName(lds).get('OUTBOUND_15001').filter_chains[0].filters[0].typed_config;
    assert.equal(hcm.rds.route_config_name, 'polaris-outbound-router-gateway');
    s.request(T.LDS, [], { ack: lds });
    s.request(T.RDS, ['polaris-outbound-router-gateway']);
    const rds = await s.next();
    const vh = byName(rds).get('polaris-outbound-router-gateway').virtual_hosts[0];
    assert.equal(vh.name, 'gateway-virtualhost');
    assert.deepEqual(vh.domains, ['*']);
    assert.equal(vh.routes[0].match.path, '/service-a');
    const wc = vh.routes[0].route.weighted_clusters.clusters[0];
    assert.equal(wc.name, cluster(ns, 'service-a'));
    assert.deepEqual(wc.metadata_match.filter_metadata['envoy.lb'], { aa: '222' });
    assert.deepEqual(vh.routes.at(-1), { match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } });
    s.end();
  });

  it('keeps every virtual host and PassthroughCluster when one service changes or goes (polaris loses them)', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'keep', [{ host: '10.11.0.1', port: 80 }]);
    await putInstances(d.http, ns, 'churn', [{ host: '10.11.0.2', port: 80 }]);
    const s = ads.sotw();
    s.request(T.CDS, [], { node: node(`${ns}/j~10.0.0.10`) });
    const cds = await s.next();
    s.request(T.CDS, [], { ack: cds });
    s.request(T.RDS, ['polaris-outbound-router']);
    const rds = await s.next();
    s.request(T.RDS, ['polaris-outbound-router'], { ack: rds });
    const vhosts = (r: SotwResponse) => byName(r).get('polaris-outbound-router').virtual_hosts.map((v: any) => v.name);
    assert.deepEqual(vhosts(rds), [cluster(ns, 'churn'), cluster(ns, 'keep'), 'allow_any']);

    // churn gets a new port: its vhost's domains change; keep's vhost stays.
    await putInstances(d.http, ns, 'churn', [{ host: '10.11.0.3', port: 81 }]);
    const r2 = await s.next(3000);
    assert.equal(r2.type_url, T.RDS);
    assert.deepEqual(vhosts(r2), [cluster(ns, 'churn'), cluster(ns, 'keep'), 'allow_any']);
    s.request(T.RDS, ['polaris-outbound-router'], { ack: r2 });

    // churn goes away entirely: CDS keeps PassthroughCluster and keep; RDS keeps keep.
    await deleteInstances(d.http, ns, 'churn', [{ host: '10.11.0.2', port: 80 }, { host: '10.11.0.3', port: 81 }]);
    const del = await call(d.http, 'POST', '/naming/v1/services/delete', [{ name: 'churn', namespace: ns }]);
    assert.equal(del.body?.code, 200000, del.text);
    let lastCds: SotwResponse | undefined;
    let lastRds: SotwResponse | undefined;
    const until = Date.now() + 5000;
    while (Date.now() < until && !(lastCds && !byName(lastCds).has(cluster(ns, 'churn')) && lastRds && vhosts(lastRds).length === 2)) {
      const r = await s.next(3000);
      if (r.type_url === T.CDS) lastCds = r;
      if (r.type_url === T.RDS) lastRds = r;
      s.request(r.type_url, r.type_url === T.RDS ? ['polaris-outbound-router'] : [], { ack: r });
    }
    assert.deepEqual([...byName(lastCds!).keys()].sort(), [cluster(ns, 'keep'), 'PassthroughCluster']);
    assert.deepEqual(vhosts(lastRds!), [cluster(ns, 'keep'), 'allow_any']);
    s.end();
  });

  it('gives nodes in TLS mode the TLS variants of clusters and listeners (permissive and strict)', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'sec', [{ host: '10.12.0.1', port: 80, metadata: { 'polarismesh.cn/tls-mode': 'permissive' } }]);
    for (const mode of ['permissive', 'strict']) {
      const s = ads.sotw();
      s.request(T.CDS, [], { node: node(`${ns}/k-${mode}~10.0.0.11`, { 'polarismesh.cn/tls-mode': mode }) });
      const c = byName(await s.next()).get(cluster(ns, 'sec'));
      const matches = c.transport_socket_matches;
      assert.equal(matches[0].name, 'tls-mode');
      const tls = matches[0].transport_socket.typed_config;
      assert.equal(tls['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
      assert.equal(tls.sni, `outbound_.default_.sec.${ns}.svc.cluster.local`);
      assert.equal(tls.common_tls_context.tls_certificate_sds_secret_configs[0].name, 'default');
      assert.equal(tls.common_tls_context.validation_context_sds_secret_config.name, 'ROOTCA');
      if (mode === 'permissive') {
        assert.deepEqual(matches[0].match, { acceptMTLS: 'true' });
        assert.equal(matches[1].name, 'rawbuffer');
      } else {
        assert.equal(matches.length, 1);
        assert.equal(matches[0].match, undefined);
      }
      s.request(T.LDS, []);
      const out = byName(await s.next()).get('OUTBOUND_15001');
      assert.equal(out.filter_chains.length, 1);
      assert.equal(out.filter_chains[0].name, 'PassthroughFilterChain-TLS');
      assert.equal(out.filter_chains[0].filter_chain_match.transport_protocol, 'tls');
      assert.equal(out.filter_chains[0].transport_socket.typed_config.require_client_certificate, true);
      assert.deepEqual(out.listener_filters.map((f: any) => f.name), ['envoy.filters.listener.http_inspector', 'envoy.filters.listener.tls_inspector', 'envoy.filters.listener.original_dst']);
      assert.equal(out.default_filter_chain === undefined, mode === 'strict');
      s.end();
    }
  });

  it('answers an Envoy in a namespace without services (polaris leaves it waiting)', async () => {
    const s = ads.sotw();
    s.request(T.CDS, [], { node: node(`${uniq('empty')}/l~10.0.0.12`) });
    const cds = await s.next();
    assert.equal(cds.type_url, T.CDS);
    assert.deepEqual(cds.resources, []);
    s.request(T.CDS, [], { ack: cds });
    s.request(T.LDS, []);
    const lds = await s.next();
    assert.deepEqual([...byName(lds).keys()], ['OUTBOUND_15001']);
    s.end();
  });

  it('an alias gets the endpoints of its target and follows its changes', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'real', [{ host: '10.13.0.1', port: 80 }]);
    const a = await call(d.http, 'POST', '/naming/v1/service/alias', { service: 'real', namespace: ns, alias: 'nick', alias_namespace: ns });
    assert.equal(a.body?.code, 200000, a.text);
    const s = ads.sotw();
    s.request(T.EDS, [cluster(ns, 'nick')], { node: node(`${ns}/m~10.0.0.13`) });
    const hosts = (r: SotwResponse) =>
      (byName(r).get(cluster(ns, 'nick'))?.endpoints ?? []).flatMap((l: any) => l.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address)).sort();
    let eds = await s.next();
    const until = Date.now() + 3000;
    while (hosts(eds).length === 0 && Date.now() < until) {
      s.request(T.EDS, [cluster(ns, 'nick')], { ack: eds });
      eds = await s.next(3000);
    }
    assert.deepEqual(hosts(eds), ['10.13.0.1']);
    s.request(T.EDS, [cluster(ns, 'nick')], { ack: eds });
    await putInstances(d.http, ns, 'real', [{ host: '10.13.0.2', port: 80 }]);
    const pushed = await s.next(3000);
    assert.deepEqual(hosts(pushed), ['10.13.0.1', '10.13.0.2']);
    s.end();
  });

  it('serves the on-demand variants to nodes with openOnDemand', async () => {
    const ns = uniq('xds');
    await putInstances(d.http, ns, 'od', [{ host: '10.14.0.1', port: 80 }]);
    const s = ads.sotw();
    s.request(T.LDS, [], { node: node(`${ns}/n~10.0.0.14`, { 'sidecar.polarismesh.cn/openOnDemand': 'true' }) });
    const hcm = byName(await s.next()).get('OUTBOUND_15001').filter_chains[0].filters[0].typed_config;
    assert.deepEqual(hcm.http_filters.map((f: any) => f.name), ['envoy.filters.http.on_demand', 'envoy.filters.http.router']);
    const name = `polaris-outbound-router|${ns}|demand`;
    assert.equal(hcm.rds.route_config_name, name);
    s.request(T.RDS, [name]);
    const rc = byName(await s.next()).get(name);
    const route = rc.virtual_hosts.find((v: any) => v.name === cluster(ns, 'od')).routes[0];
    const odcds = route.typed_per_filter_config['envoy.filters.http.on_demand'].odcds;
    assert.equal(odcds.source.api_config_source.api_type, 'DELTA_GRPC');
    assert.equal(odcds.source.api_config_source.grpc_services[0].envoy_grpc.cluster_name, 'polaris_xds_server');
    s.end();
  });

  it('answers a burst of streams opened at once on one connection; streams reset before their turn are dropped quietly', async () => {
    const ns = uniq('xdsburst');
    await putInstances(d.http, ns, 'svc', [{ host: '10.3.0.1', port: 80 }]);
    // The earlier tests' streams are gone once their half-closes have been read (a moment after they end).
    await waitFor(async () => (await xdsStreams()) === 0, "the earlier tests' streams closed");
    const frame = discoveryRequestFrame({ node: node(`${ns}/burst~10.0.0.9`), type_url: T.CDS, resource_names: [] });
    const session = http2.connect(`http://127.0.0.1:${xdsPort}`);
    session.on('error', () => undefined);
    try {
      await once(session, 'connect');
      // All requests and resets leave in the same writes, so they reach the server together: the
      // resets (with an error code, which node raises as a stream error) land while their streams
      // wait to be set up.
      const kept: Array<Promise<SotwResponse>> = [];
      for (let i = 0; i < 400; i++) {
        const req = session.request({ ':method': 'POST', ':path': ADS_SOTW_PATH, 'content-type': 'application/grpc', te: 'trailers' });
        req.on('error', () => undefined);
        req.write(frame);
        if (i % 2 === 1) req.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        else kept.push(firstResponse(req));
      }
      const answers = await Promise.all(kept);
      for (const a of answers) {
        assert.equal(a.type_url, T.CDS);
        assert.ok(byName(a).has(cluster(ns, 'svc')), 'each kept stream gets the CDS answer');
      }
      assert.equal(await xdsStreams(), 200, 'the reset streams were never opened; the others are');
      const health = await call(d.http, 'GET', '/healthz');
      assert.equal(health.status, 200, 'the daemon is still up');
    } finally {
      session.destroy();
    }
    await waitFor(async () => (await xdsStreams()) === 0, 'the burst streams close with their connection');
  });
});

const ADS_SOTW_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

/** The open ADS streams, from the daemon's polaris_xds_streams gauge. */
async function xdsStreams(): Promise<number> {
  const r = await call(d.http, 'GET', '/metrics');
  let n = 0;
  for (const line of r.text.split('\n')) if (line.startsWith('polaris_xds_streams{')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first gRPC message of a raw HTTP/2 ADS stream, decoded. */
function firstResponse(req: http2.ClientHttp2Stream): Promise<SotwResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    req.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) resolve(decodeDiscoveryResponse(buf.subarray(5, 5 + buf.readUInt32BE(1))));
    });
    req.on('close', () => reject(new Error(`stream closed before its first answer (rst code ${req.rstCode})`)));
  });
}
