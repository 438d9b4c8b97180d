import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toEndpoints, type ServiceInfo, type XdsEndpoint } from '../../src/apiserver/xdsserverv3/convert.js';
import { encodeLoadAssignment, LbEndpointCache, loadAssignment } from '../../src/apiserver/xdsserverv3/eds.js';
import { decodeMessage, encodeMessage, TypeUrl } from '../../src/apiserver/xdsserverv3/protos.js';
import { encodedResource, makeResource } from '../../src/apiserver/xdsserverv3/resource.js';
import { buildService } from '../../src/apiserver/xdsserverv3/service-build.js';

/** A small deterministic PRNG (mulberry32): failures repeat with the seed printed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const REGIONS = ['', 'ap-guangzhou', 'ap-shanghai', 'eu-frankfurt', 'région-ü'];
const ZONES = ['', 'z1', 'z2', 'zone-三'];
const CAMPUSES = ['', 'c1', 'c2'];
const KEYS = ['version', 'env', 'app', 'polarismesh.cn/tls-mode', 'idx', 'ключ', 'a.b/c', ''];
const TLS = ['strict', 'permissive', 'none', 'STRICT', ''];
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.1.2.3', 'fe80::1', 'host-a.example', 'h'];

function randomEndpoint(r: () => number): XdsEndpoint {
  const metadata: Record<string, string> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const k = pick(r, KEYS);
    metadata[k] = k === 'polarismesh.cn/tls-mode' ? pick(r, TLS) : pick(r, ['v1', 'v2', 'prod', '', 'x'.repeat(200), String(Math.floor(r() * 1e6))]);
  }
  return {
    host: pick(r, HOSTS) + (r() < 0.5 ? '' : String(Math.floor(r() * 100))),
    port: 1 + Math.floor(r() * 65535),
    weight: pick(r, [1, 100, 10000, Math.floor(r() * 1000) + 1, 4294967295, 3000000000]),
    healthy: r() < 0.7,
    region: pick(r, REGIONS),
    zone: pick(r, ZONES),
    campus: pick(r, CAMPUSES),
    metadata,
  };
}

function randomEndpoints(r: () => number, max: number): XdsEndpoint[] {
  return Array.from({ length: Math.floor(r() * max) }, () => randomEndpoint(r));
}

/** What the builder produced before endpoints were cached: protobufjs over the whole assignment. */
const reference = (cluster: string, endpoints: readonly XdsEndpoint[]) => encodeMessage(TypeUrl.Endpoint, loadAssignment(cluster, endpoints));

describe('EDS from cached endpoint encodings', () => {
  it('writes the bytes protobufjs writes for the whole assignment, over random endpoints', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const cache = new LbEndpointCache();
      const cluster = pick(r, ['outbound|svc', 'c', '', 'outbound|ns|名前']);
      let endpoints = randomEndpoints(r, 60);
      for (let round = 0; round < 4; round++) {
        cache.begin();
        const got = encodeLoadAssignment(cluster, endpoints, cache);
        assert.deepEqual(Buffer.from(got), Buffer.from(reference(cluster, endpoints)), `seed ${seed}, round ${round}`);
        cache.sweep();
        // Change a few endpoints, drop some, add some: the next round reuses the rest.
        endpoints = endpoints.filter(() => r() < 0.9).map((e) => (r() < 0.1 ? { ...e, healthy: !e.healthy, metadata: { ...e.metadata, idx: String(round) } } : e));
        endpoints.push(...randomEndpoints(r, 5));
      }
    }
  });

  it('gives equal content equal bytes and versions, cached or not', () => {
    const r = rng(7);
    const endpoints = randomEndpoints(r, 80);
    const copy = endpoints.map((e) => ({ ...e, metadata: Object.fromEntries(Object.entries(e.metadata).reverse()) }));
    const warm = new LbEndpointCache();
    warm.begin();
    encodeLoadAssignment('c', endpoints, warm);
    const a = makeResource(TypeUrl.Endpoint, 'c', loadAssignment('c', endpoints));
    warm.begin();
    const b = encodeLoadAssignment('c', copy, warm);
    assert.equal(encodedResource('c', { type_url: TypeUrl.Endpoint, value: b }).version, a.version);
    assert.deepEqual(decodeMessage(TypeUrl.Endpoint, b), decodeMessage(TypeUrl.Endpoint, a.any.value));
    assert.deepEqual(Buffer.from(b), Buffer.from(a.any.value));
  });

  it('keeps one entry per endpoint still there, across rebuilds', () => {
    const r = rng(11);
    const endpoints = randomEndpoints(r, 1).concat(Array.from({ length: 50 }, (_, i) => ({ ...randomEndpoint(r), host: `10.9.0.${i}` })));
    const cache = new LbEndpointCache();
    cache.begin();
    encodeLoadAssignment('c', endpoints, cache);
    cache.sweep();
    const size = cache.size;
    const changed = endpoints.slice(1).map((e, i) => (i === 3 ? { ...e, weight: e.weight + 1 } : e));
    cache.begin();
    encodeLoadAssignment('c', changed, cache);
    cache.sweep();
    assert.equal(cache.size, size - (endpoints.length - changed.length), 'the dropped endpoint and the old form of the changed one are forgotten');
  });

  it('tells apart instances on the same address with different fields', () => {
    const base: XdsEndpoint = { host: '10.0.0.1', port: 80, weight: 100, healthy: true, region: '', zone: '', campus: '', metadata: { version: 'v1' } };
    const variants = [base, { ...base, metadata: { version: 'v2' } }, { ...base, metadata: {} }, { ...base, metadata: { version: 'v1', x: '' } }, { ...base, weight: 5 }, { ...base, healthy: false }];
    const cache = new LbEndpointCache();
    for (let round = 0; round < 3; round++) {
      const list = round === 1 ? variants.slice(2) : variants.map((v) => ({ ...v, metadata: { ...v.metadata } }));
      cache.begin();
      assert.deepEqual(Buffer.from(encodeLoadAssignment('c', list, cache)), Buffer.from(reference('c', list)), `round ${round}`);
      cache.sweep();
      assert.equal(cache.size, list.length);
    }
  });

  it('builds services whose load assignments (whole, subsets, inbound) equal the protobufjs encoding, before and after a change', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(1000 + seed);
      const instances = Array.from({ length: 1 + Math.floor(r() * 40) }, (_, i) => {
        const e = randomEndpoint(r);
        return {
          host: `10.0.${seed}.${i}`,
          port: pick(r, [80, 81, 8080]),
          weight: pick(r, [0, 50, 100]),
          healthy: e.healthy,
          isolate: r() < 0.05,
          location: { region: e.region, zone: e.zone, campus: e.campus },
          metadata: { ...e.metadata, version: pick(r, ['v1', 'v2']) },
        };
      });
      const info = (list: typeof instances): ServiceInfo => ({
        namespace: 'ns',
        name: 'svc',
        ...toEndpoints(list),
        rateLimits: [],
        routes: [{ matches: [], matchAll: true, destinations: [{ labels: { version: 'v1' }, weight: 1 }, { labels: { version: 'v2' }, weight: 1 }] }],
        revision: String(seed),
      });
      const first = info(instances);
      const a = buildService(first);
      const changed = instances.map((x, i) => (i === 0 ? { ...x, healthy: !x.healthy } : x));
      const second = { ...info(changed), routes: first.routes };
      const b = buildService(second, a);
      for (const [built, si] of [
        [a, first],
        [b, second],
      ] as const) {
        const ref = makeResource(TypeUrl.Endpoint, built.parts.eds.name, loadAssignment(built.parts.eds.name, si.endpoints));
        assert.equal(built.parts.eds.version, ref.version, `seed ${seed}`);
        assert.deepEqual(Buffer.from(built.parts.eds.any.value), Buffer.from(ref.any.value));
        for (const [key, part] of built.parts.subsets) {
          const [k, v] = key.split('=');
          const sub = reference(part.eds.name, si.endpoints.filter((e) => e.metadata[k] === v));
          assert.deepEqual(Buffer.from(part.eds.any.value), Buffer.from(sub), `seed ${seed}, subset ${key}`);
        }
        const inbound = si.ports.map((port) => ({ host: '127.0.0.1', port, weight: 100, healthy: true, region: '', zone: '', campus: '', metadata: {} }));
        assert.deepEqual(Buffer.from(built.parts.inEds.any.value), Buffer.from(reference(built.parts.inEds.name, inbound)));
      }
      assert.equal(a.parts.lbEndpoints, b.parts.lbEndpoints, 'the cache is handed to the next build');
    }
  });
});
