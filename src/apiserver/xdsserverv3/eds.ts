import protobuf from 'protobufjs';
import type { XdsEndpoint } from './convert.js';
import { encodeMessage, messageType, TypeUrl } from './protos.js';

/**
 * ClusterLoadAssignment (EDS): one LocalityLbEndpoints per (region, zone, campus), endpoints with
 * weight and health, instance metadata under `envoy.lb` (polaris eds.go). Localities carry the sum
 * of their endpoints' weights: gRPC ignores localities without a weight (Envoy ignores the field
 * unless locality-weighted balancing is on).
 *
 * This is the assignment as a plain object in the protos' shape; the builder encodes the same
 * message with `encodeLoadAssignment`, byte for byte, from endpoints encoded once each.
 */
export function loadAssignment(clusterName: string, endpoints: readonly XdsEndpoint[]): object {
  return {
    cluster_name: clusterName,
    endpoints: localityGroups(endpoints).map((g) => ({
      locality: locality(g.first),
      lb_endpoints: g.members.map(lbEndpoint),
      load_balancing_weight: { value: Math.min(g.weight, 4294967295) },
    })),
  };
}

interface LocalityGroup {
  /** The group's first endpoint: its region, zone and campus are the group's. */
  first: XdsEndpoint;
  members: XdsEndpoint[];
  weight: number;
}

/** Endpoints by (region, zone, campus), in their order within a group, groups ordered by that key. */
function localityGroups(endpoints: readonly XdsEndpoint[]): LocalityGroup[] {
  const groups = new Map<string, LocalityGroup>();
  for (const e of endpoints) {
    const key = `${e.region}\u0000${e.zone}\u0000${e.campus}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { first: e, members: [], weight: 0 }));
    g.weight += e.weight;
    g.members.push(e);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

function locality(e: XdsEndpoint): Record<string, string> {
  const out: Record<string, string> = {};
  if (e.region) out.region = e.region;
  if (e.zone) out.zone = e.zone;
  if (e.campus) out.sub_zone = e.campus;
  return out;
}

function lbEndpoint(e: XdsEndpoint): object {
  const lb: Record<string, { stringValue: string }> = {};
  for (const k of Object.keys(e.metadata).sort()) lb[k] = { stringValue: e.metadata[k] };
  const filter: Record<string, object> = { 'envoy.lb': { fields: lb } };
  const tls = e.metadata['polarismesh.cn/tls-mode'];
  if (tls === 'strict' || tls === 'permissive') {
    filter['envoy.transport_socket_match'] = { fields: { acceptMTLS: { stringValue: 'true' } } };
  }
  return {
    endpoint: {
      address: { socket_address: { protocol: 'TCP', address: e.host, port_value: e.port } },
      health_check_config: { disable_active_health_check: true },
    },
    health_status: e.healthy ? 'HEALTHY' : 'UNHEALTHY',
    load_balancing_weight: { value: e.weight },
    metadata: { filter_metadata: filter },
  };
}

/** Whether two endpoints have the same LbEndpoint (everything but the locality, which is its group's). */
function sameEncoding(a: XdsEndpoint, b: XdsEndpoint): boolean {
  if (a === b) return true;
  if (a.host !== b.host || a.port !== b.port || a.weight !== b.weight || a.healthy !== b.healthy) return false;
  const am = a.metadata;
  const bm = b.metadata;
  if (am === bm) return true;
  let n = 0;
  for (const k in am) {
    if (!Object.hasOwn(am, k)) continue;
    if (!Object.hasOwn(bm, k) || am[k] !== bm[k]) return false;
    n++;
  }
  for (const k in bm) if (Object.hasOwn(bm, k)) n--;
  return n === 0;
}

interface CachedEndpoint {
  /** The endpoint last encoded or matched: compared field by field with the next one asked for. */
  e: XdsEndpoint;
  bytes: Uint8Array;
  /** The build that last used it. */
  gen: number;
}

/**
 * The encoded LbEndpoint of each endpoint of one service, kept from one build of the service to the
 * next (see BuiltService.parts): when one instance changes, the others' bytes are reused instead of
 * going through protobufjs again. The endpoints are new objects on every read of the service
 * (Discover answers fresh wire instances), so an entry is found by port and host and taken when its
 * endpoint has the same fields (`sameEncoding`); it then keeps the newer endpoint object, so nothing
 * but the bytes outlives a build. A build that encoded the whole service drops the entries it did
 * not use (`sweep`), so the cache holds about one build's endpoints.
 */
export class LbEndpointCache {
  /** By port, then host: a list only for several instances on the same address. */
  private readonly entries = new Map<number, Map<string, CachedEndpoint | CachedEndpoint[]>>();
  private count = 0;
  private gen = 0;
  private used = 0;

  /** Starts a build. */
  begin(): void {
    this.gen++;
    this.used = 0;
  }

  bytes(e: XdsEndpoint): Uint8Array {
    let byHost = this.entries.get(e.port);
    if (!byHost) this.entries.set(e.port, (byHost = new Map()));
    const at = byHost.get(e.host);
    let entry = at === undefined ? undefined : Array.isArray(at) ? at.find((c) => sameEncoding(c.e, e)) : sameEncoding(at.e, e) ? at : undefined;
    if (entry) {
      entry.e = e;
    } else {
      entry = { e, bytes: encodeMessage(wire().lbEndpointType, lbEndpoint(e)), gen: 0 };
      if (at === undefined) byHost.set(e.host, entry);
      else if (Array.isArray(at)) at.push(entry);
      else byHost.set(e.host, [at, entry]);
      this.count++;
    }
    if (entry.gen !== this.gen) {
      entry.gen = this.gen;
      this.used++;
    }
    return entry.bytes;
  }

  /** Forgets the endpoints not used since `begin`, unless none was used. */
  sweep(): void {
    if (this.used === 0 || this.used === this.count) return;
    for (const [port, byHost] of this.entries) {
      for (const [host, at] of byHost) {
        const kept = Array.isArray(at) ? at.filter((c) => c.gen === this.gen) : at.gen === this.gen ? [at] : [];
        if (kept.length === 0) byHost.delete(host);
        else if (kept.length === 1) byHost.set(host, kept[0]);
        else if (kept.length !== (at as CachedEndpoint[]).length) byHost.set(host, kept);
      }
      if (byHost.size === 0) this.entries.delete(port);
    }
    this.count = this.used;
  }

  get size(): number {
    return this.count;
  }
}

/** Tag of a length-delimited field. */
const ld = (id: number) => ((id << 3) | 2) >>> 0;

interface EdsWire {
  lbEndpointType: string;
  clusterName: number;
  endpoints: number;
  locality: number;
  region: number;
  zone: number;
  subZone: number;
  lbEndpoints: number;
  groupWeight: number;
  weightValue: number;
}

let wireIds: EdsWire | undefined;

/**
 * Field numbers of the fields `encodeLoadAssignment` writes, read from the loaded protos and checked
 * for the shape it assumes: the types, and the order protobufjs writes fields in (by number), so
 * hand-written bytes stay those of `encodeMessage(loadAssignment(…))`.
 */
function wire(): EdsWire {
  if (wireIds) return wireIds;
  const field = (typeName: string, name: string, type: string, repeated: boolean): protobuf.Field => {
    const f = messageType(typeName).fields[name];
    if (!f) throw new Error(`${typeName}.${name} is missing from the loaded protos`);
    f.resolve();
    const actual = f.resolvedType ? f.resolvedType.fullName.replace(/^\./, '') : f.type;
    if (actual !== type || f.repeated !== repeated || f.map) throw new Error(`${typeName}.${name} is not ${repeated ? 'repeated ' : ''}${type}`);
    return f;
  };
  const ascending = (typeName: string, ...ids: number[]) => {
    for (let i = 1; i < ids.length; i++) if (ids[i - 1] >= ids[i]) throw new Error(`${typeName}: fields not in the order encodeLoadAssignment writes them`);
  };
  const cla = TypeUrl.Endpoint;
  const lle = 'envoy.config.endpoint.v3.LocalityLbEndpoints';
  const loc = 'envoy.config.core.v3.Locality';
  const u32 = 'google.protobuf.UInt32Value';
  const lbEndpoints = field(lle, 'lb_endpoints', 'envoy.config.endpoint.v3.LbEndpoint', true);
  const ids: EdsWire = {
    lbEndpointType: (lbEndpoints.resolvedType as protobuf.Type).fullName.replace(/^\./, ''),
    clusterName: field(cla, 'cluster_name', 'string', false).id,
    endpoints: field(cla, 'endpoints', lle, true).id,
    locality: field(lle, 'locality', loc, false).id,
    region: field(loc, 'region', 'string', false).id,
    zone: field(loc, 'zone', 'string', false).id,
    subZone: field(loc, 'sub_zone', 'string', false).id,
    lbEndpoints: lbEndpoints.id,
    groupWeight: field(lle, 'load_balancing_weight', u32, false).id,
    weightValue: field(u32, 'value', 'uint32', false).id,
  };
  ascending(cla, ids.clusterName, ids.endpoints);
  ascending(lle, ids.locality, ids.lbEndpoints, ids.groupWeight);
  ascending(loc, ids.region, ids.zone, ids.subZone);
  wireIds = ids;
  return ids;
}

/**
 * The encoded ClusterLoadAssignment of `loadAssignment(clusterName, endpoints)`, the same bytes
 * protobufjs writes for it, with each LbEndpoint taken from `cache` (encoded there once) and only
 * the cluster name, the localities and their weights written here.
 */
export function encodeLoadAssignment(clusterName: string, endpoints: readonly XdsEndpoint[], cache: LbEndpointCache): Uint8Array {
  const f = wire();
  const w = protobuf.Writer.create();
  w.uint32(ld(f.clusterName)).string(clusterName);
  for (const g of localityGroups(endpoints)) {
    w.uint32(ld(f.endpoints)).fork();
    const e = g.first;
    w.uint32(ld(f.locality)).fork();
    if (e.region) w.uint32(ld(f.region)).string(e.region);
    if (e.zone) w.uint32(ld(f.zone)).string(e.zone);
    if (e.campus) w.uint32(ld(f.subZone)).string(e.campus);
    w.ldelim();
    for (const m of g.members) w.uint32(ld(f.lbEndpoints)).bytes(cache.bytes(m));
    w.uint32(ld(f.groupWeight)).fork().uint32((f.weightValue << 3) >>> 0).uint32(Math.min(g.weight, 4294967295) >>> 0).ldelim();
    w.ldelim();
  }
  return w.finish();
}
