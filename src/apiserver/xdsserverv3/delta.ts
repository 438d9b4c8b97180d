import type { AdsCall } from './call.js';
import type { ResourceChange, XdsResource } from './resource.js';
import { DELTA_DISCOVERY_RESPONSE } from './response-cache.js';
import { XdsStream, type BaseRequest, type StreamDeps } from './stream.js';
import { deltaKey, type DeltaDiff, type Subscription } from './subscriptions.js';

interface DeltaRequest extends BaseRequest {
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
}

interface DeltaTypeState {
  /** What the stream watches (wildcard, names) and what that gets now: shared with like streams. */
  sub: Subscription;
  /** name → version the client holds. */
  has: Map<string, string>;
  /** Subscribed names already reported as missing (removed_resources), until they appear. */
  missing: Set<string>;
  answered: boolean;
  /** Snapshot revision of the last answer computed (-1 = none). */
  rev: number;
  /** Sequence number of the last nonce sent for this type (nonces are process-wide and increasing). */
  seq: number;
  /**
   * The version of the subscription's set `has` equals since the last answer computed ('' before
   * the first): after every answer the client holds exactly what the subscription gets, and the
   * subscribed names outside it are in `missing`.
   */
  held: string;
}

/**
 * DeltaAggregatedResources (incremental). The first request of a type with no names (or `*`)
 * subscribes to the wildcard; `initial_resource_versions` says what a reconnecting client holds.
 * Each answer carries only resources whose version the client lacks, plus removed_resources for
 * names it holds that are gone, and for subscribed names that do not exist (so a proxyless
 * client fails fast instead of waiting out its timer). Requests after the first may omit the
 * node (Envoy does; polaris crashes on it).
 */
export class DeltaStream extends XdsStream {
  private readonly types = new Map<string, DeltaTypeState>();

  constructor(call: AdsCall, deps: StreamDeps, fixedType?: string) {
    super(call, deps, 'delta', fixedType);
  }

  protected *subscriptions(): Iterable<Subscription> {
    for (const st of this.types.values()) yield st.sub;
  }

  protected handle(req: DeltaRequest, typeUrl: string): void {
    const subscribe = req.resource_names_subscribe ?? [];
    const unsubscribe = req.resource_names_unsubscribe ?? [];
    let st = this.types.get(typeUrl);
    let wildcard: boolean;
    let names: Set<string>;
    if (!st) {
      wildcard = subscribe.length === 0;
      names = new Set();
    } else {
      wildcard = st.sub.wildcard;
      names = new Set(st.sub.names);
    }
    if (req.error_detail) this.logNack(typeUrl, '', req.error_detail);
    for (const n of subscribe) {
      if (n === '*') wildcard = true;
      else names.add(n);
    }
    for (const n of unsubscribe) {
      if (n === '*') wildcard = false;
      else {
        names.delete(n);
        st?.missing.delete(n);
      }
    }
    if (!st) {
      st = { sub: this.subscribe(typeUrl, wildcard, names), has: new Map(), missing: new Set(), answered: false, rev: -1, seq: 0, held: '' };
      for (const [n, v] of Object.entries(req.initial_resource_versions ?? {})) st.has.set(n, v);
      this.types.set(typeUrl, st);
    } else if (subscribe.length > 0 || unsubscribe.length > 0) {
      st.sub = this.resubscribe(st.sub, wildcard, names);
    }
    // What the client no longer subscribes to is forgotten: re-subscribing sends it again.
    if (unsubscribe.length > 0) {
      const keep = st.sub.resources();
      for (const n of [...st.has.keys()]) if (!keep.has(n)) st.has.delete(n);
    }
    this.respond(typeUrl, st, subscribe.length > 0);
  }

  /**
   * A plain ACK (no NACK, no (un)subscription) after an answer computed at the current snapshot
   * revision changes nothing: settled in the data callback, like SotW's.
   */
  protected override quickAck(req: DeltaRequest, typeUrl: string): boolean {
    const st = this.types.get(typeUrl);
    if (!st || req.error_detail || st.rev !== this.deps.snapshot.revision) return false;
    return (req.resource_names_subscribe?.length ?? 0) === 0 && (req.resource_names_unsubscribe?.length ?? 0) === 0;
  }

  protected onChanges(typeUrl: string, changes: readonly ResourceChange[]): void {
    const st = this.types.get(typeUrl);
    if (!st) return;
    if (!st.sub.touches(changes) && !changes.some((c) => st.has.has(c.name))) return;
    // Streams of one subscription that hold the same set lack the same: worked out once for all.
    const d = st.answered && st.held !== '' ? st.sub.deltaFrom(st.held) : undefined;
    if (!d) this.respond(typeUrl, st, false);
    else if (d.resources.length > 0 || d.removed.length > 0) this.send(typeUrl, st, d.resources, d.removed, d.key, d);
    else this.settled(st);
  }

  /** The answer worked out from this stream's own record of what its client holds. */
  private respond(typeUrl: string, st: DeltaTypeState, subscribed: boolean): void {
    const now = st.sub.resources();
    const names = st.sub.names;
    const resources: XdsResource[] = [];
    for (const r of now.values()) if (st.has.get(r.name) !== r.version) resources.push(r);
    const removed: string[] = [];
    for (const n of st.has.keys()) if (!now.has(n)) removed.push(n);
    for (const n of names) {
      if (now.has(n)) st.missing.delete(n);
      else if (!st.has.has(n) && !st.missing.has(n)) {
        st.missing.add(n);
        removed.push(n);
      }
    }
    // The first answer of a wildcard subscription is sent even when empty.
    const firstWildcard = !st.answered && st.sub.wildcard;
    if (resources.length === 0 && removed.length === 0 && !firstWildcard && !(subscribed && !st.answered)) this.settled(st);
    else this.send(typeUrl, st, resources, removed, deltaKey(typeUrl, resources, removed));
  }

  /** Nothing to send: the client holds what the subscription gets now. */
  private settled(st: DeltaTypeState): void {
    st.rev = this.deps.snapshot.revision;
    st.held = st.sub.version();
  }

  /** Records what the client will hold and sends it, sharing the answer where another stream got the same. */
  private send(typeUrl: string, st: DeltaTypeState, resources: readonly XdsResource[], removed: readonly string[], key: string, diff?: DeltaDiff): void {
    const names = st.sub.names;
    const rev = this.deps.snapshot.revision;
    this.settled(st);
    for (const r of resources) {
      st.has.set(r.name, r.version);
      st.missing.delete(r.name);
    }
    for (const n of removed) {
      st.has.delete(n);
      // Still subscribed but gone: said once, not again until it comes back.
      if (names.has(n)) st.missing.add(n);
    }
    st.answered = true;
    // Streams that lack the same resources and hold the same removed names at this revision (after
    // a change, every stream of a subscription) get one answer: one encoding, one nonce, one framed
    // Buffer written to all of them. system_version_info is the snapshot revision. As in state of
    // the world, a shared answer is taken only if its nonce is newer than the last this stream got
    // for the type, so no stream sees a nonce twice; otherwise the same body gets a private nonce.
    const sysVersion = String(rev);
    const responses = this.deps.responses;
    // A difference worked out for a subscription keeps its answer: the streams after the first
    // take it without building the key and looking it up again.
    const shared =
      diff?.answer ??
      responses.encodeShared(
        DELTA_DISCOVERY_RESPONSE,
        key,
        sysVersion,
        rev,
        () => ({ resources: resources.map((r) => ({ name: r.name, version: r.version, resource: r.any })), type_url: typeUrl, removed_resources: removed }),
        (nonce) => ({ system_version_info: sysVersion, nonce }),
      );
    if (diff) diff.answer = shared;
    if (shared.seq > st.seq) {
      st.seq = shared.seq;
      this.write(shared);
      return;
    }
    const own = responses.nextNonce();
    st.seq = own.seq;
    this.write(responses.retail(DELTA_DISCOVERY_RESPONSE, shared, { system_version_info: sysVersion, nonce: own.nonce }));
  }
}
