import { accessSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/**
 * The real Envoy / xds / udpa / validate / googleapis protos, as @grpc/grpc-js-xds ships them
 * (its deps/ folder), loaded once into one protobufjs Root with proto field names (snake_case).
 * Every xDS message this adapter writes or reads goes through it: builders produce plain objects in the
 * protos' shape and `packAny` checks and encodes them; nothing is hand-encoded.
 */

const require = createRequire(import.meta.url);

export const TYPE_PREFIX = 'type.googleapis.com/';

/** The resource types of ADS this server knows, by type URL. */
export const TypeUrl = {
  Listener: `${TYPE_PREFIX}envoy.config.listener.v3.Listener`,
  Route: `${TYPE_PREFIX}envoy.config.route.v3.RouteConfiguration`,
  Cluster: `${TYPE_PREFIX}envoy.config.cluster.v3.Cluster`,
  Endpoint: `${TYPE_PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  VirtualHost: `${TYPE_PREFIX}envoy.config.route.v3.VirtualHost`,
  ScopedRoute: `${TYPE_PREFIX}envoy.config.route.v3.ScopedRouteConfiguration`,
  Secret: `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
  Runtime: `${TYPE_PREFIX}envoy.service.runtime.v3.Runtime`,
  ExtensionConfig: `${TYPE_PREFIX}envoy.config.core.v3.TypedExtensionConfig`,
} as const;

/** Types that get resources. */
export const SERVED_TYPES: ReadonlySet<string> = new Set([TypeUrl.Listener, TypeUrl.Route, TypeUrl.Cluster, TypeUrl.Endpoint]);
/** Types Envoy may ask for that have no resources here (polaris: the watch stays open, nothing is sent). */
export const SILENT_TYPES: ReadonlySet<string> = new Set([
  TypeUrl.VirtualHost,
  TypeUrl.ScopedRoute,
  TypeUrl.Secret,
  TypeUrl.Runtime,
  TypeUrl.ExtensionConfig,
  `${TYPE_PREFIX}envoy.service.ratelimit.v3.RateLimitConfig`,
]);

/** The proto files loaded (with their imports). */
export const XDS_PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/health/v3/hds.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/on_demand/v3/on_demand.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
];

/**
 * Where those files and their imports are found: the deps/ folder of the @grpc/grpc-js-xds package
 * (a runtime dependency for exactly this reason), plus protobufjs's own copy of
 * google/protobuf/descriptor.proto, which the validate annotations import.
 */
export function xdsIncludeDirs(): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  if (!existsSync(join(deps, 'envoy-api'))) throw new Error(`the xDS protos are missing under ${deps}`);
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
    dirname(require.resolve('protobufjs/package.json')),
  ];
}

let root: protobuf.Root | undefined;

/** The loaded Root (first call parses the protos, ~1 s). */
export function xdsRoot(): protobuf.Root {
  if (root) return root;
  const dirs = xdsIncludeDirs();
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of dirs) {
      const p = join(dir, target);
      try {
        accessSync(p);
        return p;
      } catch {
        // next include dir
      }
    }
    return target;
  };
  r.loadSync(XDS_PROTO_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

const types = new Map<string, protobuf.Type>();

/** A message type by full name (`envoy.config.cluster.v3.Cluster`) or type URL. */
export function messageType(name: string): protobuf.Type {
  const full = name.startsWith(TYPE_PREFIX) ? name.slice(TYPE_PREFIX.length) : name;
  let t = types.get(full);
  if (!t) {
    t = xdsRoot().lookupType(full);
    types.set(full, t);
  }
  return t;
}

/** An encoded google.protobuf.Any. */
export interface PackedAny {
  type_url: string;
  value: Uint8Array;
}

/**
 * Encodes a plain object as the message of `typeUrl` (enums by name; nested `typed_config`s may be
 * written as `{ '@type': url, ...fields }`). Throws when the converted message does not verify, so
 * a builder bug fails the build of that resource instead of reaching Envoy.
 */
export function encodeMessage(typeUrl: string, obj: object): Uint8Array {
  const t = messageType(typeUrl);
  const msg = t.fromObject(obj);
  const err = t.verify(msg);
  if (err) throw new Error(`${typeUrl}: ${err}`);
  return t.encode(msg).finish();
}

export function packAny(typeUrl: string, obj: object): PackedAny {
  return { type_url: typeUrl, value: encodeMessage(typeUrl, obj) };
}

/** Decodes bytes of `typeUrl` to a plain object (enums as names, 64-bit as strings). */
export function decodeMessage<T = Record<string, unknown>>(typeUrl: string, bytes: Uint8Array): T {
  const t = messageType(typeUrl);
  return t.toObject(t.decode(bytes), { enums: String, longs: String, arrays: true }) as T;
}

/** Marks a response already encoded (ResponseCache): the serializer takes its bytes as they are. */
export const PRE_ENCODED: unique symbol = Symbol('xds.preEncoded');

export interface PreEncoded {
  readonly [PRE_ENCODED]: true;
  /** The message bytes; grpc-js copies them into its framed buffer at once. */
  serialize(): Buffer;
}

function isPreEncoded(v: object): v is PreEncoded {
  return (v as Partial<PreEncoded>)[PRE_ENCODED] === true;
}

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, arrays: true };

/** Discovery requests: one per ACK, a thousand per change with a thousand streams. */
const LEAN_REQUESTS: ReadonlySet<string> = new Set(['envoy.service.discovery.v3.DiscoveryRequest', 'envoy.service.discovery.v3.DeltaDiscoveryRequest']);

/** Repeated fields a request does not carry: one frozen empty array for all of them. */
const NONE: readonly never[] = Object.freeze([]);

type FieldPlan =
  | { kind: 'string' | 'strings' | 'map' | 'names'; name: string }
  | { kind: 'message' | 'lazy'; name: string; type: protobuf.Type };

/** Where a lean-decoded request keeps the encoded bytes of its resource_names, and of its node. */
const RAW_NAMES = Symbol('xds.rawResourceNames');
const RAW_NODE = Symbol('xds.rawNode');
const NAMES = Symbol('xds.resourceNames');
const NODE = Symbol('xds.node');

/**
 * The wire bytes of a request's resource_names (every occurrence of the field, tags included), when
 * it came through the lean decoder and had any. Equal bytes, equal names in the same order: an
 * ACK can be recognised without reading its names into strings.
 */
export function rawResourceNames(req: object): Uint8Array | undefined {
  return (req as { [RAW_NAMES]?: Uint8Array })[RAW_NAMES];
}

/** The strings of a run of length-delimited fields (tag, length, bytes, …). */
function readStrings(raw: Uint8Array): string[] {
  const r = protobuf.Reader.create(raw);
  const out: string[] = [];
  while (r.pos < r.len) {
    r.uint32();
    out.push(r.string());
  }
  return out;
}

/**
 * A decoder of `t` to an object with the same fields as `toObject(decode(b), TO_OBJECT)`, for the
 * fields requests use (strings, repeated strings, map<string, string>, single messages), written
 * straight into one object: no message instance to copy from. Two fields are read only when
 * asked for, through getters of the objects' shared prototype: the node (a message Envoy repeats
 * on every request unless told otherwise, with its metadata and extension list; the server reads it
 * on a stream's first request only) and resource_names (which an ACK repeats unchanged:
 * rawResourceNames compares their bytes). Repeated fields absent from the request are one frozen
 * empty array on that prototype. A request with anything else (resource locators, a node sent
 * twice, names split by other fields) is decoded the general way, to a plain object.
 */
export function leanRequestDecoder(t: protobuf.Type): (b: Uint8Array) => object {
  const plans = new Map<number, FieldPlan>();
  const repeated: string[] = [];
  for (const f of t.fieldsArray) {
    f.resolve();
    if (f.repeated && !f.map) repeated.push(f.name); // an absent map stays undefined, as toObject leaves it
    if (f.map) {
      if ((f as unknown as protobuf.MapField).keyType === 'string' && f.type === 'string') plans.set(f.id, { kind: 'map', name: f.name });
    } else if (f.resolvedType instanceof protobuf.Type) {
      if (!f.repeated) plans.set(f.id, { kind: f.name === 'node' ? 'lazy' : 'message', name: f.name, type: f.resolvedType });
    } else if (f.type === 'string') {
      plans.set(f.id, { kind: f.repeated ? (f.name === 'resource_names' ? 'names' : 'strings') : 'string', name: f.name });
    }
  }
  // The requests' prototype: shared defaults and the two lazy fields.
  class LeanRequest {}
  const proto = LeanRequest.prototype as unknown as Record<string | symbol, unknown>;
  for (const name of repeated) proto[name] = NONE;
  for (const plan of plans.values()) {
    if (plan.kind === 'names') {
      Object.defineProperty(proto, plan.name, {
        get(this: Record<symbol, unknown>) {
          const raw = this[RAW_NAMES] as Uint8Array | undefined;
          return raw === undefined ? NONE : ((this[NAMES] as string[] | undefined) ?? (this[NAMES] = readStrings(raw)));
        },
      });
    } else if (plan.kind === 'lazy') {
      const type = plan.type;
      Object.defineProperty(proto, plan.name, {
        get(this: Record<symbol, unknown>) {
          const raw = this[RAW_NODE] as Uint8Array | undefined;
          return raw === undefined ? undefined : (this[NODE] ?? (this[NODE] = type.toObject(type.decode(raw), TO_OBJECT)));
        },
      });
    }
  }
  const known = new Set(t.fieldsArray.map((f) => f.id));
  const full = (b: Uint8Array) => t.toObject(t.decode(b), TO_OBJECT);
  return (b: Uint8Array) => {
    const r = protobuf.Reader.create(b);
    const out = new LeanRequest() as Record<string | symbol, unknown>;
    let namesStart = -1;
    let namesEnd = -1;
    while (r.pos < r.len) {
      const at = r.pos;
      const tag = r.uint32();
      const id = tag >>> 3;
      const plan = plans.get(id);
      if (!plan || (tag & 7) !== 2) {
        if (known.has(id)) return full(b);
        r.skipType(tag & 7);
        continue;
      }
      switch (plan.kind) {
        case 'string':
          out[plan.name] = r.string();
          break;
        case 'strings': {
          const list = Object.hasOwn(out, plan.name) ? (out[plan.name] as string[]) : undefined;
          if (list) list.push(r.string());
          else out[plan.name] = [r.string()];
          break;
        }
        case 'names':
          if (namesStart >= 0 && namesEnd !== at) return full(b); // not one run of fields: rare, done the general way
          if (namesStart < 0) namesStart = at;
          r.skip(r.uint32());
          namesEnd = r.pos;
          break;
        case 'map': {
          const end = r.uint32() + r.pos;
          let key = '';
          let value = '';
          while (r.pos < end) {
            const t2 = r.uint32();
            if (t2 >>> 3 === 1 && (t2 & 7) === 2) key = r.string();
            else if (t2 >>> 3 === 2 && (t2 & 7) === 2) value = r.string();
            else r.skipType(t2 & 7);
          }
          const m = (out[plan.name] ??= {}) as Record<string, string>;
          m[key] = value;
          break;
        }
        case 'message':
          if (out[plan.name] !== undefined) return full(b); // a message repeated on the wire merges: rare, done the general way
          out[plan.name] = plan.type.toObject(plan.type.decode(r, r.uint32()), TO_OBJECT);
          break;
        case 'lazy': {
          if (out[RAW_NODE] !== undefined) return full(b);
          const len = r.uint32();
          out[RAW_NODE] = b.subarray(r.pos, r.pos + len);
          r.skip(len);
          break;
        }
      }
    }
    if (namesStart >= 0) out[RAW_NAMES] = b.subarray(namesStart, namesEnd);
    return out;
  };
}

/**
 * A gRPC service of the loaded protos (e.g. `envoy.service.discovery.v3.AggregatedDiscoveryService`)
 * for @grpc/grpc-js, with (de)serializers from the same Root: requests decode to plain objects in
 * proto field names; responses are plain objects, or answers already encoded (ResponseCache).
 */
export function serviceDefinition(fullName: string): ServiceDefinition {
  const svc = xdsRoot().lookupService(fullName);
  const def: Record<string, unknown> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType as protobuf.Type;
    const res = m.resolvedResponseType as protobuf.Type;
    def[m.name] = {
      path: `/${fullName}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (v: object) => Buffer.from(req.encode(req.fromObject(v)).finish()),
      requestDeserialize: LEAN_REQUESTS.has(req.fullName.replace(/^\./, '')) ? leanRequestDecoder(req) : (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
      responseSerialize: (v: object) => (isPreEncoded(v) ? v.serialize() : Buffer.isBuffer(v) ? v : Buffer.from(res.encode(res.fromObject(v)).finish())),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), { enums: String, longs: String, arrays: true }),
      originalName: m.name.charAt(0).toLowerCase() + m.name.slice(1),
    };
  }
  return def as ServiceDefinition;
}

export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
export const HDS_SERVICE = 'envoy.service.health.v3.HealthDiscoveryService';

/** The per-type discovery services polaris also registers: service, method suffix, resource type. */
export const PER_TYPE_SERVICES = [
  { service: 'envoy.service.cluster.v3.ClusterDiscoveryService', suffix: 'Clusters', typeUrl: TypeUrl.Cluster },
  { service: 'envoy.service.endpoint.v3.EndpointDiscoveryService', suffix: 'Endpoints', typeUrl: TypeUrl.Endpoint },
  { service: 'envoy.service.listener.v3.ListenerDiscoveryService', suffix: 'Listeners', typeUrl: TypeUrl.Listener },
  { service: 'envoy.service.route.v3.RouteDiscoveryService', suffix: 'Routes', typeUrl: TypeUrl.Route },
] as const;
