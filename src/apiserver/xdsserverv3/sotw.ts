import type { ServerDuplexStream } from '@grpc/grpc-js';
import { TypeUrl } from './protos.js';
import { DISCOVERY_RESPONSE } from './response-cache.js';
import { setVersion, type ResourceChange, type XdsResource } from './resource.js';
import { XdsStream, type BaseRequest, type StreamDeps } from './stream.js';

interface SotwRequest extends BaseRequest {
  version_info?: string;
  resource_names?: string[];
}

/** Per type: what the client subscribed to and what it was sent. */
interface TypeState {
  wildcard: boolean;
  names: Set<string>;
  /**
   * What the client holds: the resources of the last answer (shared, immutable objects; an array
   * of references, not a per-stream map). Only RDS/EDS answers are filtered by it.
   */
  sent: readonly XdsResource[];
  /** version_info of the last response ('' = none yet). */
  version: string;
  nonce: string;
  /** Sequence number of `nonce` (nonces are process-wide and increasing; 0 = none yet). */
  seq: number;
  acked: string;
  /** Snapshot generation of the last answer computed. */
  gen: number;
}

/** LDS and CDS responses carry the full set; RDS and EDS only what changed (xDS protocol). */
const FULL_STATE: ReadonlySet<string> = new Set([TypeUrl.Listener, TypeUrl.Cluster]);

/**
 * StreamAggregatedResources (state of the world). Subscriptions: `*` or a legacy empty first
 * request is a wildcard; other names are answered by name whatever the type (polaris answers
 * named RDS/EDS only when they list every resource of the namespace). A request with a stale nonce
 * is ignored (a newer response is on its way); a NACK is logged and nothing is resent until the
 * resources change; a set the client already has (same version) is never sent again.
 */
export class SotwStream extends XdsStream {
  private readonly types = new Map<string, TypeState>();

  constructor(call: ServerDuplexStream<object, object>, deps: StreamDeps, fixedType?: string) {
    super(call, deps, 'sotw', fixedType);
  }

  protected handle(req: SotwRequest, typeUrl: string): void {
    const names = req.resource_names ?? [];
    let st = this.types.get(typeUrl);
    if (st && req.response_nonce && req.response_nonce !== st.nonce) return; // stale
    if (!st) {
      st = { wildcard: names.length === 0, names: new Set(), sent: [], version: '', nonce: '', seq: 0, acked: '', gen: -1 };
      this.types.set(typeUrl, st);
      // A reconnecting client that already holds exactly the current set gets nothing resent.
      if (req.version_info) st.version = req.version_info;
    } else if (req.error_detail) {
      this.logNack(typeUrl, req.version_info ?? '', req.error_detail);
    } else if (req.response_nonce) {
      st.acked = req.version_info ?? '';
    }
    const wildcard = names.includes('*') || (st.wildcard && names.length === 0 && st.names.size === 0);
    const named = new Set(names.filter((n) => n !== '*'));
    // A plain ACK: same subscription, no change since our last answer → nothing to compute.
    const same = wildcard === st.wildcard && named.size === st.names.size && [...named].every((n) => st.names.has(n));
    if (same && st.gen === this.deps.snapshot.generation) return;
    st.wildcard = wildcard;
    st.names = named;
    if (!wildcard && st.sent.length > 0) st.sent = st.sent.filter((r) => named.has(r.name));
    this.respond(typeUrl, st);
  }

  protected override quickAck(req: SotwRequest, typeUrl: string): boolean {
    const st = this.types.get(typeUrl);
    if (!st || req.error_detail) return false;
    if (req.response_nonce && req.response_nonce !== st.nonce) return true; // stale, as in handle()
    if (st.gen !== this.deps.snapshot.generation) return false;
    // The same subscription as `handle` computes it, without building sets.
    const names = req.resource_names ?? [];
    let named = 0;
    let star = false;
    for (const n of names) {
      if (n === '*') star = true;
      else if (st.names.has(n)) named++;
      else return false;
    }
    const wildcard = star || (st.wildcard && names.length === 0 && st.names.size === 0);
    if (wildcard !== st.wildcard || named !== st.names.size) return false;
    if (req.response_nonce) st.acked = req.version_info ?? '';
    return true;
  }

  protected onChanges(typeUrl: string, changes: readonly ResourceChange[]): void {
    const st = this.types.get(typeUrl);
    const view = this.view;
    if (!st || !view) return;
    if (!changes.some((c) => (st.wildcard && view.inWildcard(c)) || st.names.has(c.name))) return;
    this.respond(typeUrl, st);
  }

  private current(typeUrl: string, st: TypeState): XdsResource[] {
    return this.view ? [...this.view.select(typeUrl, st.wildcard, st.names).values()] : [];
  }

  /**
   * Sends what the client lacks. The first answer of a type is always sent (even empty: Envoy
   * waits for it to finish starting), unless the client reconnected holding this very version.
   */
  private respond(typeUrl: string, st: TypeState): void {
    st.gen = this.deps.snapshot.generation;
    const all = this.current(typeUrl, st);
    const version = setVersion(all);
    const first = st.nonce === '';
    if (version === st.version) {
      if (first && !FULL_STATE.has(typeUrl)) st.sent = all;
      return;
    }
    let send = all;
    if (!FULL_STATE.has(typeUrl) && !first) {
      const had = new Map<string, string>();
      for (const r of st.sent) had.set(r.name, r.version);
      send = all.filter((r) => had.get(r.name) !== r.version);
    }
    st.sent = FULL_STATE.has(typeUrl) ? [] : all;
    st.version = version;
    // Only removals of RDS/EDS: state of the world cannot say so. (LDS/CDS answers are the full
    // set, empty included; a first answer is always sent.)
    if (send.length === 0 && !first && !FULL_STATE.has(typeUrl)) return;
    // The resources sent (all, or what this client lacks) are encoded once for every stream that
    // gets that same set; streams that also share the version get one answer, nonce included, in
    // one framed Buffer (see SharedResponse). Nonces are process-wide and increasing, and an
    // answer of this generation is reused on this stream only if its nonce is newer than the last
    // one the stream got for this type: so no stream sees a nonce twice (a subscription going
    // back and forth within one generation gets a private answer with a fresh nonce).
    const key = `${typeUrl}\u0000${send === all ? version : setVersion(send)}`;
    const common = () => ({ resources: send.map((r) => r.any), type_url: typeUrl });
    const responses = this.deps.responses;
    const shared = responses.encodeShared(DISCOVERY_RESPONSE, key, version, this.deps.snapshot.generation, common, (nonce) => ({ version_info: version, nonce }));
    if (shared.seq > st.seq) {
      st.seq = shared.seq;
      st.nonce = shared.nonce;
      this.write(shared);
      return;
    }
    const own = responses.nextNonce();
    st.seq = own.seq;
    st.nonce = own.nonce;
    this.write(responses.encode(DISCOVERY_RESPONSE, key, common, { version_info: version, nonce: own.nonce }));
  }
}
