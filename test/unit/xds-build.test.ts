import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passthroughCluster } from '../../src/apiserver/xdsserverv3/cds.js';
import { toEndpoints, toHealthChecks, toOutlier, toRateLimits, toRoutes, type XdsGatewayRoute } from '../../src/apiserver/xdsserverv3/convert.js';
import { nodeListeners } from '../../src/apiserver/xdsserverv3/lds.js';
import { parseNode } from '../../src/apiserver/xdsserverv3/node.js';
import { TypeUrl } from '../../src/apiserver/xdsserverv3/protos.js';
import { outboundRouteConfig } from '../../src/apiserver/xdsserverv3/rds.js';
import { makeResource } from '../../src/apiserver/xdsserverv3/resource.js';
import { buildService } from '../../src/apiserver/xdsserverv3/service-build.js';
import { decodeAny } from '../helpers/xds-client.js';

const meta = (m: Record<string, string>) => ({ fields: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { stringValue: v }])) });

describe('xDS node identity', () => {
  it('parses the id forms and metadata polaris accepts', () => {
    const a = parseNode({ id: 'default/9b9f~10.0.0.1', metadata: meta({ 'sidecar.polarismesh.cn/serviceName': 'echo', 'polarismesh.cn/tls-mode': 'strict' }) });
    assert.deepEqual([a.runType, a.idNamespace, a.ip, a.selfNamespace, a.selfService, a.tlsMode, a.gateway, a.wellFormed], ['sidecar', 'default', '10.0.0.1', 'default', 'echo', 'strict', false, true]);
    const g = parseNode({ id: 'gateway~prod/9b9f~10.0.0.2', metadata: meta({ gateway_namespace: 'prod', gateway_service: 'gw' }) });
    assert.deepEqual([g.runType, g.idNamespace, g.gateway, g.selfService], ['gateway', 'prod', true, 'gw']);
    const ns = parseNode({ id: 'default/x~1.2.3.4', metadata: meta({ 'sidecar.polarismesh.cn/serviceNamespace': 'other' }) });
    assert.equal(ns.selfNamespace, 'other');
    const bad = parseNode({ id: 'grpc-client-1' });
    assert.deepEqual([bad.wellFormed, bad.selfNamespace, bad.runType], [false, '', '']);
    assert.deepEqual(nodeListeners(bad), [], 'no listeners for an unknown run type');
  });
});

describe('xDS resource builders encode with the real Envoy protos', () => {
  it('builds every resource of a service with routes and subsets', () => {
    const { endpoints, ports } = toEndpoints([
      { host: '10.0.0.1', port: 80, weight: 100, healthy: true, metadata: { version: 'v1' }, location: { region: 'r', zone: 'z', campus: 'c' } },
      { host: '10.0.0.2', port: 80, weight: 50, healthy: false, metadata: { version: 'v2' } },
      { host: '10.0.0.3', port: 81, weight: 0 },
      { host: '10.0.0.4', port: 80, isolate: true },
    ]);
    assert.deepEqual(ports, [80, 81]);
    assert.equal(endpoints.length, 2);
    const routes = toRoutes([
      {
        sources: [{ service: '*', namespace: 'ns', metadata: { '$header.X-User': { type: 'NOT_EQUALS', value: 'bot' }, $method: { type: 'IN', value: 'GET,HEAD' }, '$query.q': { type: 'EXACT', value: '1' } } }],
        destinations: [{ service: 'svc', namespace: 'ns', metadata: { version: { type: 'EXACT', value: 'v2' } }, weight: 100 }],
      },
      { sources: [{ service: '*', namespace: 'ns', metadata: { uid: { type: 'EXACT', value: '1' } } }], destinations: [{ weight: 100 }] },
      { sources: [{ service: '*', namespace: 'ns', metadata: {} }], destinations: [{ weight: 10, metadata: { version: { type: 'EXACT', value: 'v1' } } }] },
    ]);
    assert.equal(routes.length, 2, 'the custom-label route cannot be matched on HTTP and is dropped');
    const rateLimits = toRateLimits([
      { method: { type: 'EXACT', value: '/api/pay' }, amounts: [{ maxAmount: 100, validDuration: '1s' }, { maxAmount: 10, validDuration: '1s' }], arguments: [{ type: 'HEADER', key: 'x-user', value: { type: 'EXACT', value: 'a' } }] },
      { amounts: [{ maxAmount: 1000, validDuration: '1m' }] },
      { disable: true, amounts: [{ maxAmount: 1, validDuration: '1s' }] },
      { amounts: [{ maxAmount: 1, validDuration: '1s' }], arguments: [{ type: 'CALLER_IP', value: { type: 'EXACT', value: '1.1.1.1' } }] },
    ]);
    assert.equal(rateLimits.length, 2, 'disabled rules and caller-IP rules are not local limits');
    const outlier = toOutlier([
      { enable: true, level: 'SERVICE', trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 1 }] },
      { enable: true, level: 'INSTANCE', trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 5, interval: 30 }, { trigger_type: 'ERROR_RATE', error_percent: 40, minimum_request: 20 }], recoverCondition: { sleep_window: 60 } },
    ]);
    const healthChecks = toHealthChecks([
      { protocol: 'HTTP', interval: 5, timeout: 2, http_config: { method: 'post', url: '/health', headers: [{ key: 'x-probe', value: '1' }] } },
      { protocol: 'TCP', tcp_config: { send: 'ping', receive: ['pong'] } },
      { protocol: 'UDP' },
    ]);
    const built = buildService({ namespace: 'ns', name: 'svc', endpoints, ports, routes, rateLimits, outlier, healthChecks, revision: 'x/y' });
    const all = [...built.shared, ...built.named];
    const names = all.map((r) => r.name).sort();
    assert.deepEqual(names, [
      'INBOUND|ns|svc',
      'INBOUND|ns|svc',
      'OUTBOUND|ns|svc',
      'OUTBOUND|ns|svc',
      'OUTBOUND|ns|svc|version=v1',
      'OUTBOUND|ns|svc|version=v1',
      'OUTBOUND|ns|svc|version=v2',
      'OUTBOUND|ns|svc|version=v2',
      'polaris-inbound-cluster|svc.ns',
      'svc.ns',
      'svc.ns',
    ]);
    const cla = decodeAny(built.shared[1].any);
    assert.equal(cla.endpoints.length, 2, 'one locality group per (region, zone, campus)');
    const v2 = decodeAny(all.find((r) => r.name === 'OUTBOUND|ns|svc|version=v2' && r.typeUrl === TypeUrl.Endpoint)!.any);
    assert.equal(v2.endpoints[0].lb_endpoints.length, 1);
    const proxyless = decodeAny(all.find((r) => r.name === 'svc.ns' && r.typeUrl === TypeUrl.Route)!.any);
    const r0 = proxyless.virtual_hosts[0].routes[0];
    assert.deepEqual(r0.match.headers, [
      { name: 'x-user', string_match: { exact: 'bot' }, invert_match: true },
      { name: ':method', string_match: { safe_regex: { regex: '^(GET|HEAD)$' } } },
    ]);
    assert.deepEqual(r0.match.query_parameters, [{ name: 'q', string_match: { exact: '1' } }]);
    assert.equal(r0.route.weighted_clusters.clusters[0].name, 'OUTBOUND|ns|svc|version=v2');
    const last = proxyless.virtual_hosts[0].routes.at(-1);
    assert.equal(last.route.weighted_clusters.clusters[0].name, 'OUTBOUND|ns|svc|version=v1', 'a match-all rule replaces the default route');
    const cluster = decodeAny(built.shared[0].any);
    assert.deepEqual(cluster.outlier_detection, {
      interval: '30s',
      consecutive_5xx: 5,
      failure_percentage_threshold: 40,
      failure_percentage_request_volume: 20,
      base_ejection_time: '60s',
    });
    assert.deepEqual(cluster.health_checks, [
      {
        timeout: '2s',
        interval: '5s',
        unhealthy_threshold: 3,
        healthy_threshold: 1,
        http_health_check: { path: '/health', method: 'POST', request_headers_to_add: [{ header: { key: 'x-probe', value: '1' } }] },
      },
      { timeout: '1s', interval: '10s', unhealthy_threshold: 3, healthy_threshold: 1, tcp_health_check: { send: { text: '70696e67' }, receive: [{ text: '706f6e67' }] } },
    ]);
    const inbound = decodeAny(all.find((r) => r.name === 'polaris-inbound-cluster|svc.ns')!.any);
    const [limited, catchAll] = inbound.virtual_hosts[0].routes;
    assert.equal(limited.match.path, '/api/pay');
    assert.deepEqual(limited.match.headers, [{ name: 'x-user', string_match: { exact: 'a' } }]);
    const bucket = limited.typed_per_filter_config['envoy.filters.http.local_ratelimit'].token_bucket;
    assert.deepEqual(bucket, { max_tokens: 10, tokens_per_fill: 10, fill_interval: '1s' }, 'the strictest amount');
    assert.equal(catchAll.typed_per_filter_config['envoy.filters.http.local_ratelimit'].token_bucket.fill_interval, '60s');
    assert.deepEqual(cluster.lb_subset_config.subset_selectors, [{ keys: ['version'], fallback_policy: 'ANY_ENDPOINT' }]);
    const listener = decodeAny(all.find((r) => r.name === 'svc.ns' && r.typeUrl === TypeUrl.Listener)!.any);
    assert.equal(listener.api_listener.api_listener.rds.route_config_name, 'svc.ns');
    decodeAny(makeResource(TypeUrl.Route, 'polaris-outbound-router', outboundRouteConfig('polaris-outbound-router', [built.vhost])).any);
    decodeAny(makeResource(TypeUrl.Cluster, 'PassthroughCluster', passthroughCluster('PassthroughCluster')).any);
    const sidecar = parseNode({ id: 'ns/a~1.1.1.1', metadata: meta({ 'sidecar.polarismesh.cn/serviceName': 'svc' }) });
    for (const l of nodeListeners(sidecar)) decodeAny(makeResource(TypeUrl.Listener, (l as { name: string }).name, l).any);
    const gw = parseNode({ id: 'gateway~ns/a~1.1.1.1', metadata: meta({ 'gateway.polarismesh.cn/serviceNamespace': 'ns', 'gateway.polarismesh.cn/serviceName': 'gw' }) });
    assert.equal(nodeListeners(gw).length, 1);
  });

  it('takes over from the previous build exactly the resources whose inputs did not change', () => {
    const instances = (weight: number, extraPort?: number) =>
      toEndpoints([
        { host: '10.0.0.1', port: 80, weight, healthy: true, metadata: { version: 'v1' } },
        { host: '10.0.0.2', port: 80, weight: 100, healthy: true, metadata: { version: 'v2' } },
        ...(extraPort ? [{ host: '10.0.0.3', port: extraPort, weight: 100, healthy: true, metadata: { version: 'v2' } }] : []),
      ]);
    const routes = toRoutes([{ sources: [{ service: '*', namespace: 'ns', metadata: {} }], destinations: [{ service: 'svc', namespace: 'ns', metadata: { version: { type: 'EXACT', value: 'v2' } }, weight: 100 }] }]);
    const rateLimits = toRateLimits([{ amounts: [{ maxAmount: 10, validDuration: '1s' }] }]);
    const outlier = toOutlier([{ enable: true, level: 'INSTANCE', trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 5 }] }]);
    const base = { namespace: 'ns', name: 'svc', ...instances(100), routes, rateLimits, outlier, healthChecks: toHealthChecks([]), gatewayRoutes: [] as XdsGatewayRoute[], revision: 'a' };
    const first = buildService(base);
    const versions = (b: ReturnType<typeof buildService>) =>
      Object.fromEntries([...b.shared, ...b.named, b.gateway].map((r) => [`${r.typeUrl} ${r.name}`, r.version]).concat([['tls', `${b.tls.strict.version}/${b.tls.permissive.version}`]]));
    /** The build from `prev` must equal a build from nothing; returns it. */
    const same = (info: typeof base, prev: ReturnType<typeof buildService>, what: string) => {
      const reused = buildService(info, prev);
      const fresh = buildService(info);
      assert.deepEqual(versions(reused), versions(fresh), what);
      assert.deepEqual(reused.vhost, fresh.vhost, what);
      return reused;
    };
    // An endpoint's weight: the load assignments are new, everything else is taken over.
    const weight = same({ ...base, ...instances(50) }, first, 'weight change');
    assert.notEqual(weight.parts.eds.version, first.parts.eds.version);
    assert.equal(weight.parts.cluster, first.parts.cluster, 'the cluster is not rebuilt for an endpoint change');
    assert.equal(weight.tls, first.tls);
    assert.equal(weight.parts.proxylessRoute, first.parts.proxylessRoute);
    assert.equal(weight.parts.inRoute, first.parts.inRoute);
    assert.equal(weight.parts.inEds, first.parts.inEds, 'same ports: same inbound endpoints');
    assert.equal(weight.vhost, first.vhost);
    // Discover answers rule kinds without a revision afresh on every read: equal lists, new objects.
    const reread = same(
      {
        ...base,
        ...instances(60),
        rateLimits: toRateLimits([{ amounts: [{ maxAmount: 10, validDuration: '1s' }] }]),
        outlier: toOutlier([{ enable: true, level: 'INSTANCE', trigger_condition: [{ trigger_type: 'CONSECUTIVE_ERROR', error_count: 5 }] }]),
        healthChecks: toHealthChecks([]),
        gatewayRoutes: [],
      },
      weight,
      'endpoint change with rules read again',
    );
    assert.equal(reread.parts.cluster, first.parts.cluster, 'equal rules read again do not rebuild the cluster');
    assert.equal(reread.tls, first.tls);
    assert.equal(reread.parts.inRoute, first.parts.inRoute);
    assert.equal(reread.gateway, first.gateway);
    // A new port changes the inbound endpoints and the virtual host's domains.
    const port = same({ ...base, ...instances(100, 81) }, weight, 'new port');
    assert.notEqual(port.parts.inEds.version, weight.parts.inEds.version);
    assert.notDeepEqual(port.vhost, weight.vhost);
    // New routes, rate limits or rules rebuild what depends on them.
    same({ ...base, routes: toRoutes([]) }, first, 'routes removed');
    same({ ...base, rateLimits: [] }, first, 'rate limits removed');
    same({ ...base, outlier: undefined }, first, 'outlier removed');
    // Another service is never taken over.
    same({ ...base, name: 'other' }, first, 'another service');
  });
});
