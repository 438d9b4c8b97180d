import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { lazyChildLogger, type RequestContext } from '../../common/lifecycle.js';

/** What is read of a call's metadata: grpc-js' Metadata, or the fast path's view of the headers. */
export interface MetadataReader {
  get(key: string): (string | Buffer)[];
}

/** The first value of a metadata key as text, or undefined when absent or empty. */
export function metadataValue(md: MetadataReader, key: string): string | undefined {
  const values = md.get(key);
  if (values.length === 0) return undefined;
  const v = values[0];
  const s = typeof v === 'string' ? v : v.toString('utf8');
  return s === '' ? undefined : s;
}

/** True when the metadata carries `key` at all (any value, even empty). */
export function hasMetadata(md: MetadataReader, key: string): boolean {
  return md.get(key).length > 0;
}

/**
 * The caller's IP from a grpc-js peer string (`<address>:<port>`, IPv6 unbracketed), without the
 * IPv4-mapped IPv6 prefix.
 */
export function peerIp(peer: string): string {
  let s = peer;
  if (s.startsWith('ipv4:') || s.startsWith('ipv6:')) s = s.slice(5);
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    s = end > 0 ? s.slice(1, end) : s.slice(1);
  } else {
    // grpc-js writes `${remoteAddress}:${remotePort}`; the port is always there for TCP peers.
    const m = /^(.*):(\d+)$/.exec(s);
    if (m && m[1] !== '' && m[1] !== ':') s = m[1];
  }
  if (s.startsWith('::ffff:') && s.includes('.')) s = s.slice('::ffff:'.length);
  return s;
}

/** What a handler needs of a grpc-js call to build the RequestContext. */
export interface CallInfo {
  metadata: MetadataReader;
  getPeer(): string;
}

/** Peer strings seen lately → their IP (a connection sends many calls; parsing each costs). */
const peerIps = new Map<string, string>();
const PEER_IPS_KEPT = 4096;

function peerIpOf(peer: string): string {
  let ip = peerIps.get(peer);
  if (ip === undefined) {
    ip = peerIp(peer);
    if (peerIps.size >= PEER_IPS_KEPT) peerIps.clear();
    peerIps.set(peer, ip);
  }
  return ip;
}

/** Where a call's peer IP is kept once known: a stream's messages share it. */
const PEER_IP = Symbol('peer ip');

/** The caller's IP, worked out once per call (the peer of a call never changes). */
export function callIp(call: CallInfo): string {
  const held = call as CallInfo & { [PEER_IP]?: string };
  return (held[PEER_IP] ??= peerIpOf(call.getPeer()));
}

/** One object per call; the request id and the logger are made on first use only. */
class GrpcRequestContext implements RequestContext {
  readonly protocol = 'grpc';
  principal?: RequestContext['principal'];
  private id: string | undefined;
  private lazy: { readonly logger: Logger } | undefined;

  constructor(
    private readonly call: CallInfo,
    private readonly baseLogger: Logger,
    private readonly method: string,
    readonly clientIp: string,
    readonly token: string | undefined,
  ) {}

  get reqId(): string {
    return (this.id ??= metadataValue(this.call.metadata, 'request-id') ?? randomUUID().replaceAll('-', ''));
  }

  get logger(): Logger {
    this.lazy ??= lazyChildLogger(this.baseLogger, { req: { id: this.reqId, ip: this.clientIp, method: this.method } });
    return this.lazy.logger;
  }
}

/**
 * The RequestContext of one gRPC call: `request-id` from the metadata (else a fresh one),
 * `x-polaris-token`, and the peer IP. `tokenOverride` (a non-empty `service_token` / `service.token`
 * of the request) wins over the header, as in polaris. The request id and the logger are made on
 * first use only: most calls never log.
 */
export function grpcRequestContext(call: CallInfo, logger: Logger, method: string, tokenOverride?: string | null): RequestContext {
  const token = tokenOverride ? tokenOverride : metadataValue(call.metadata, 'x-polaris-token');
  return new GrpcRequestContext(call, logger, method, callIp(call), token);
}
