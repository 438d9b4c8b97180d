import type { AdsCall } from './call.js';
import { rawResourceNames } from './protos.js';
import { DISCOVERY_RESPONSE } from './response-cache.js';
import type { ResourceChange } from './resource.js';
import { XdsStream, type BaseRequest, type StreamDeps } from './stream.js';
import type { Subscription } from './subscriptions.js';

interface SotwRequest extends BaseRequest {
  version_info?: string;
  resource_names?: string[];
}

/**
 * Per type, what this stream alone knows: the shared Subscription (what it watches, its resources
 * and answers), the version of the set the client holds, and the nonce bookkeeping.
 */
interface TypeState {
  sub: Subscription;
  /**
   * version_info of the last response ('' = none yet): the set the client holds. RDS/EDS answers
   * send only what it lacks, found through this version (see SubscriptionRegistry.heldSet).
   */
  version: string;
  nonce: string;
  /** Sequence number of `nonce` (nonces are process-wide and increasing; 0 = none yet). */
  seq: number;
  /** Snapshot revision of the last answer computed. */
  rev: number;
}

/**
 * StreamAggregatedResources (state of the world). Subscriptions: `*` or a legacy empty first
 * request is a wildcard; other names are answered by name whatever the type (polaris answers
 * named RDS/EDS only when they list every resource of the namespace). A request with a stale nonce
 * is ignored (a newer response is on its way); a NACK is logged and nothing is resent until the
 * resources change; a set the client already has (same version) is never sent again.
 */
export class SotwStream extends XdsStream {
  private readonly types = new Map<string, TypeState>();

  constructor(call: AdsCall, deps: StreamDeps, fixedType?: string) {
    super(call, deps, 'sotw', fixedType);
  }

  protected *subscriptions(): Iterable<Subscription> {
    for (const st of this.types.values()) yield st.sub;
  }

  protected handle(req: SotwRequest, typeUrl: string): void {
    const names = req.resource_names ?? [];
    let st = this.types.get(typeUrl);
    if (st && req.response_nonce && req.response_nonce !== st.nonce) return; // stale
    if (!st) {
      const wildcard = names.length === 0 || names.includes('*');
      // A reconnecting client that already holds exactly the current set gets nothing resent.
      st = { sub: this.subscribe(typeUrl, wildcard, names), version: req.version_info ?? '', nonce: '', seq: 0, rev: -1 };
      this.types.set(typeUrl, st);
    } else {
      if (req.error_detail) this.logNack(typeUrl, req.version_info ?? '', req.error_detail);
      const old = st.sub;
      const wildcard = names.includes('*') || (old.wildcard && names.length === 0 && old.names.size === 0);
      if (old.matches(wildcard, names)) {
        // A plain ACK: same subscription, no change since our last answer → nothing to compute.
        if (st.rev === this.deps.snapshot.revision) return;
      } else {
        st.sub = this.resubscribe(old, wildcard, names);
      }
    }
    this.respond(typeUrl, st);
  }

  protected override quickAck(req: SotwRequest, typeUrl: string): boolean {
    const st = this.types.get(typeUrl);
    if (!st || req.error_detail) return false;
    if (req.response_nonce && req.response_nonce !== st.nonce) return true; // stale, as in handle()
    if (st.rev !== this.deps.snapshot.revision) return false;
    const sub = st.sub;
    // The same encoded names as a request that matched: the same subscription, no strings read.
    const raw = rawResourceNames(req);
    if (raw !== undefined && sub.matchesRaw(raw)) return true;
    const names = req.resource_names ?? [];
    const wildcard = names.includes('*') || (sub.wildcard && names.length === 0 && sub.names.size === 0);
    if (!sub.matches(wildcard, names)) return false;
    if (raw !== undefined) sub.rememberRaw(raw);
    return true;
  }

  protected onChanges(typeUrl: string, changes: readonly ResourceChange[]): void {
    const st = this.types.get(typeUrl);
    if (st && st.sub.touches(changes)) this.respond(typeUrl, st);
  }

  /**
   * Sends what the client lacks. The first answer of a type is always sent (even empty: Envoy
   * waits for it to finish starting), unless the client reconnected holding this very version.
   * The answer itself is the Subscription's, shared with every stream holding the same version.
   */
  private respond(typeUrl: string, st: TypeState): void {
    st.rev = this.deps.snapshot.revision;
    const sub = st.sub;
    const version = sub.version();
    if (version === st.version) return;
    const held = st.version;
    const first = st.nonce === '';
    st.version = version;
    // null: only removals of RDS/EDS, which state of the world cannot say.
    const shared = sub.answer(held, first);
    if (!shared) return;
    // Nonces are process-wide and increasing; a shared answer is taken only if its nonce is newer
    // than the last one this stream got for this type, so no stream sees a nonce twice (a
    // subscription going back and forth within one revision gets a private nonce).
    if (shared.seq > st.seq) {
      st.seq = shared.seq;
      st.nonce = shared.nonce;
      this.write(shared);
      return;
    }
    const own = this.deps.responses.nextNonce();
    st.seq = own.seq;
    st.nonce = own.nonce;
    this.write(this.deps.responses.retail(DISCOVERY_RESPONSE, shared, { version_info: version, nonce: own.nonce }));
  }
}
