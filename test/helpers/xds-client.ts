import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { XDS_PROTO_FILES, xdsIncludeDirs } from '../../src/apiserver/xdsserverv3/protos.js';

/**
 * An ADS client that talks like Envoy: the real envoy protos loaded by @grpc/proto-loader (no
 * code of the server under test), state-of-the-world and delta streams, ACK/NACK by nonce.
 * Resources are decoded with protobufjs types resolved from the same files.
 */

const require = createRequire(import.meta.url);
// The same files as the server (what Envoy's protos are), decoded by an independent loader.
const INCLUDES = xdsIncludeDirs();
const FILES = XDS_PROTO_FILES;

export const T = {
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
};

let pkg: any;
let root: protobuf.Root | undefined;

function loaded(): any {
  pkg ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(FILES, { keepCase: true, longs: String, enums: String, defaults: false, arrays: true, oneofs: true, includeDirs: INCLUDES }),
  );
  return pkg;
}

function types(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = (_o, t) => {
      for (const inc of INCLUDES) {
        try {
          require('node:fs').accessSync(join(inc, t));
          return join(inc, t);
        } catch {
          // next
        }
      }
      return t;
    };
    r.loadSync(FILES, { keepCase: true });
    root = r;
  }
  return root;
}

/**
 * Decodes an Any (type_url + bytes) to a plain object, as Envoy's JSON config dump reads: nested
 * Anys with `@type`, Structs as plain objects, wrapper values (UInt32Value…) as bare values.
 */
export function decodeAny(any: { type_url: string; value: Buffer | Uint8Array }): any {
  const t = types().lookupType(any.type_url.slice(any.type_url.indexOf('/') + 1));
  return plain(t.toObject(t.decode(any.value), { enums: String, longs: String, json: true, arrays: false }));
}

function plain(x: any): any {
  if (Array.isArray(x)) return x.map(plain);
  if (x === null || typeof x !== 'object') return x;
  const keys = Object.keys(x);
  if (keys.length === 1 && keys[0] === 'value' && typeof x.value !== 'object') return x.value;
  if (keys.length === 1 && keys[0] === 'fields' && typeof x.fields === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries<any>(x.fields)) out[k] = v.stringValue ?? v.numberValue ?? v.boolValue ?? plain(v.structValue);
    return out;
  }
  if (keys.length === 2 && keys.includes('seconds') && keys.includes('nanos')) return `${x.seconds}.${String(x.nanos).padStart(9, '0')}s`;
  if (keys.length === 1 && keys[0] === 'seconds') return `${x.seconds}s`;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = plain(x[k]);
  return out;
}

export function node(id: string, metadata: Record<string, string> = {}): object {
  const fields: Record<string, object> = {};
  for (const [k, v] of Object.entries(metadata)) fields[k] = { stringValue: v };
  return { id, cluster: 'test', metadata: { fields }, user_agent_name: 'envoy' };
}

/** Messages of one stream, awaited in order. */
class Inbox<M> {
  private readonly items: M[] = [];
  private waiters: Array<(m: M) => void> = [];
  error: grpc.ServiceError | undefined;
  private errorWaiters: Array<(e: grpc.ServiceError) => void> = [];

  push(m: M): void {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.items.push(m);
  }
  fail(e: grpc.ServiceError): void {
    this.error = e;
    for (const w of this.errorWaiters) w(e);
  }
  next(timeoutMs = 5000): Promise<M> {
    const m = this.items.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no xDS response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (x: M) => {
        clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push(done);
    });
  }
  /** Resolves true when nothing arrives for `ms`. */
  async quiet(ms: number): Promise<boolean> {
    if (this.items.length > 0) return false;
    try {
      await this.next(ms).then((m) => this.items.unshift(m));
      return false;
    } catch {
      return true;
    }
  }
  closed(timeoutMs = 5000): Promise<grpc.ServiceError> {
    if (this.error) return Promise.resolve(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stream did not close')), timeoutMs);
      this.errorWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }
}

export interface AdsClient {
  close(): void;
  sotw(): SotwSession;
  delta(): DeltaSession;
}

/** `ownConnection`: a channel of its own (grpc-js otherwise shares one connection per target). */
export function adsClient(port: number, opts: { ownConnection?: boolean; channelOptions?: grpc.ChannelOptions } = {}): AdsClient {
  const Ads = loaded().envoy.service.discovery.v3.AggregatedDiscoveryService;
  const channelOptions = { ...opts.channelOptions, ...(opts.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}) };
  const client = new Ads(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), channelOptions);
  return {
    close: () => client.close(),
    sotw: () => new SotwSession(client.StreamAggregatedResources()),
    delta: () => new DeltaSession(client.DeltaAggregatedResources()),
  };
}

/** The per-type services (ClusterDiscoveryService, …): a SotW stream of one type and a unary fetch. */
export function perTypeClient(port: number, kind: 'cluster' | 'endpoint' | 'listener' | 'route') {
  const v3 = loaded().envoy.service[kind].v3;
  const [Svc, suffix] =
    kind === 'cluster' ? [v3.ClusterDiscoveryService, 'Clusters'] : kind === 'endpoint' ? [v3.EndpointDiscoveryService, 'Endpoints'] : kind === 'listener' ? [v3.ListenerDiscoveryService, 'Listeners'] : [v3.RouteDiscoveryService, 'Routes'];
  const client = new Svc(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    stream: () => new SotwSession(client[`Stream${suffix}`]()),
    fetch: (req: object): Promise<SotwResponse> =>
      new Promise((resolve, reject) => client[`Fetch${suffix}`](req, (e: Error | null, r: SotwResponse) => (e ? reject(e) : resolve(r)))),
    close: () => client.close(),
  };
}

/** envoy.service.health.v3.HealthDiscoveryService: the HDS stream a sidecar opens. */
export function hdsClient(port: number) {
  const Hds = loaded().envoy.service.health.v3.HealthDiscoveryService;
  const client = new Hds(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { stream: () => new HdsSession(client.StreamHealthCheck()), close: () => client.close() };
}

abstract class Session<Res> {
  readonly inbox = new Inbox<Res>();
  constructor(readonly call: grpc.ClientDuplexStream<object, Res>) {
    call.on('data', (m: Res) => this.inbox.push(m));
    call.on('error', (e: grpc.ServiceError) => this.inbox.fail(e));
  }
  send(req: object): void {
    this.call.write(req);
  }
  next(timeoutMs?: number): Promise<Res> {
    return this.inbox.next(timeoutMs);
  }
  end(): void {
    this.call.cancel();
  }
}

export interface SotwResponse {
  version_info: string;
  resources: Array<{ type_url: string; value: Buffer }>;
  type_url: string;
  nonce: string;
}

export class SotwSession extends Session<SotwResponse> {
  /** The request Envoy sends; `ack` = the response being acknowledged. */
  request(typeUrl: string, names: string[], opts: { node?: object; ack?: SotwResponse; version?: string; nack?: string } = {}): void {
    this.send({
      ...(opts.node ? { node: opts.node } : {}),
      type_url: typeUrl,
      resource_names: names,
      version_info: opts.version ?? (opts.ack && !opts.nack ? opts.ack.version_info : ''),
      response_nonce: opts.ack?.nonce ?? '',
      ...(opts.nack ? { error_detail: { code: 3, message: opts.nack } } : {}),
    });
  }
}

export interface DeltaResponse {
  system_version_info: string;
  resources: Array<{ name: string; version: string; resource: { type_url: string; value: Buffer } }>;
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

export class DeltaSession extends Session<DeltaResponse> {
  request(
    typeUrl: string,
    opts: { node?: object; subscribe?: string[]; unsubscribe?: string[]; nonce?: string; nack?: string; initial?: Record<string, string> } = {},
  ): void {
    this.send({
      ...(opts.node ? { node: opts.node } : {}),
      type_url: typeUrl,
      resource_names_subscribe: opts.subscribe ?? [],
      resource_names_unsubscribe: opts.unsubscribe ?? [],
      initial_resource_versions: opts.initial ?? {},
      response_nonce: opts.nonce ?? '',
      ...(opts.nack ? { error_detail: { code: 3, message: opts.nack } } : {}),
    });
  }
}

/** Resources of a SotW response by name, decoded. */
export function byName(res: SotwResponse): Map<string, any> {
  const out = new Map<string, any>();
  for (const a of res.resources) {
    const obj = decodeAny(a);
    out.set(obj.name ?? obj.cluster_name, obj);
  }
  return out;
}

export class HdsSession extends Session<any> {}

/**
 * A DiscoveryRequest as gRPC message bytes (length-prefixed, uncompressed), for tests that speak
 * HTTP/2 themselves; `req` uses the proto field names (as `SotwSession.request` sends them).
 */
export function discoveryRequestFrame(req: object): Buffer {
  const t = types().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const payload = t.encode(t.fromObject(req)).finish();
  const framed = Buffer.alloc(payload.length + 5);
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed;
}

/** A DiscoveryResponse from its message bytes (no gRPC prefix). */
export function decodeDiscoveryResponse(bytes: Uint8Array): SotwResponse {
  const t = types().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  return t.toObject(t.decode(bytes), { longs: String, defaults: true, arrays: true }) as SotwResponse;
}
