import type { XdsNode } from './node.js';
import { TypeUrl } from './protos.js';
import { DISCOVERY_RESPONSE, type ResponseCache, type SharedResponse } from './response-cache.js';
import { setVersion, type ResourceChange, type XdsResource } from './resource.js';
import type { XdsSnapshot } from './snapshot.js';
import { NodeView, viewKey } from './view.js';

/** LDS and CDS responses carry the full set; RDS and EDS only what changed (xDS protocol). */
export const FULL_STATE: ReadonlySet<string> = new Set([TypeUrl.Listener, TypeUrl.Cluster]);

/** Resource sets remembered by version, so a stream holding one can be sent only what it lacks. */
const MAX_HELD_SETS = 4096;

/** No answer: nothing to send (only RDS/EDS removals, which state of the world cannot say). */
const NOTHING = null;

/** What a delta stream in a known position lacks (see Subscription.deltaFrom). */
export interface DeltaDiff {
  readonly resources: readonly XdsResource[];
  readonly removed: readonly string[];
  /** The key of the encoded answer body (equal differences, equal key). */
  readonly key: string;
  /** The answer shared by the streams sent this difference at this revision, once encoded. */
  answer?: SharedResponse;
}

/** The body key of a delta answer sending `resources` and removing `removed`. */
export function deltaKey(typeUrl: string, resources: readonly XdsResource[], removed: readonly string[]): string {
  return `${typeUrl}\u0000${setVersion(resources)}\u0000-${removed.join('\u0000')}`;
}

/**
 * What one kind of node subscribed to for one type: wildcard or not, and the names. Every stream
 * with the same (node kind, type, wildcard, names) holds the same Subscription, so what a change
 * means for it (is it touched, which resources, which set version, what to send to a client that
 * held the previous set, the encoded answer) is worked out once per Subscription and snapshot
 * revision, not once per stream. Streams keep only their nonces and the version they hold.
 * Immutable as to what it subscribes to; a stream that changes its subscription moves to another.
 */
export class Subscription {
  /** Streams holding it (see SubscriptionRegistry.release). */
  refs = 0;
  private rev = -1;
  private byName: Map<string, XdsResource> = new Map();
  private list: readonly XdsResource[] | undefined;
  private ver = '';
  /** The set before the last recompute that changed it: what most streams of this subscription hold after a change. */
  private prevVer = '';
  private prevByName: ReadonlyMap<string, XdsResource> = new Map();
  /** The change list last asked about (one per type and push, shared by all streams) and the verdict. */
  private touchedBy: readonly ResourceChange[] | undefined;
  private touchedVal = false;
  /** This revision's answers, by the version the client held ('' key: the full set). */
  private readonly answers = new Map<string, SharedResponse | null>();
  /** This revision's incremental differences, by the version of the set the client held. */
  private readonly deltas = new Map<string, DeltaDiff>();

  constructor(
    readonly key: string,
    readonly viewKey: string,
    readonly typeUrl: string,
    readonly wildcard: boolean,
    readonly names: ReadonlySet<string>,
    readonly view: NodeView,
    private readonly registry: SubscriptionRegistry,
  ) {
    // Always a list that matches: to begin with, the names themselves.
    this.lastOrder = [...names];
  }

  /**
   * The names of the last request found to match, in its order: the streams of one subscription
   * (Envoys of one kind) send their names in the same order, ACK after ACK, so most requests are
   * recognised by comparing strings in place, without hashing each into the set.
   */
  private lastOrder: readonly string[];

  /** Whether a request's (wildcard, names) is this subscription, without building a set. */
  matches(wildcard: boolean, names: readonly string[]): boolean {
    if (wildcard !== this.wildcard) return false;
    const last = this.lastOrder;
    if (names.length === last.length) {
      let i = 0;
      while (i < names.length && names[i] === last[i]) i++;
      if (i === names.length) return true;
    }
    let named = 0;
    for (const n of names) {
      if (n === '*') continue;
      if (!this.names.has(n)) return false;
      named++;
    }
    if (named !== this.names.size) return false;
    this.lastOrder = names;
    return true;
  }

  /** The encoded resource_names of the last request found to match (see rawResourceNames). */
  private lastRaw: Uint8Array | undefined;

  /** Whether a request whose resource_names are encoded as `raw` is one already found to match. */
  matchesRaw(raw: Uint8Array): boolean {
    const last = this.lastRaw;
    return last !== undefined && last.length === raw.length && Buffer.compare(last, raw) === 0;
  }

  /** `raw` belongs to a request found to match: later requests with the same bytes match at once. */
  rememberRaw(raw: Uint8Array): void {
    // A copy (Buffer's own slice() would be a view of the request's buffer).
    if (!this.matchesRaw(raw)) this.lastRaw = Uint8Array.prototype.slice.call(raw);
  }

  /** Whether any of `changes` (of this type) can alter what this subscription gets. */
  touches(changes: readonly ResourceChange[]): boolean {
    if (this.touchedBy === changes) return this.touchedVal;
    const view = this.view;
    let hit = false;
    for (const c of changes) {
      if ((this.wildcard && view.inWildcard(c)) || this.names.has(c.name)) {
        hit = true;
        break;
      }
    }
    this.touchedBy = changes;
    this.touchedVal = hit;
    return hit;
  }

  /** What the subscription gets now, by name. */
  resources(): ReadonlyMap<string, XdsResource> {
    this.refresh();
    return this.byName;
  }

  /** The version of the set it gets now. */
  version(): string {
    this.refresh();
    return this.ver;
  }

  /**
   * The state-of-the-world answer at the current revision for a client holding the set `held`
   * (a version; '' or `full`: none, send everything), shared by every stream in the same
   * position: one computation, one encoding, one nonce. null: nothing to send.
   */
  answer(held: string, full: boolean): SharedResponse | null {
    this.refresh();
    const whole = full || FULL_STATE.has(this.typeUrl);
    const k = whole ? '' : held;
    const memo = this.answers.get(k);
    if (memo !== undefined) return memo;
    const all = this.all();
    let send = all;
    if (!whole) {
      // Most streams hold the set before the last change; others are looked up by version.
      const had = held !== '' && held === this.prevVer ? this.prevByName : this.registry.heldSet(this.typeUrl, held);
      if (had) send = all.filter((r) => had.get(r.name)?.version !== r.version);
      if (send.length === 0) {
        this.answers.set(k, NOTHING);
        return NOTHING;
      }
    }
    const typeUrl = this.typeUrl;
    const version = this.ver;
    const bodyKey = `${typeUrl}\u0000${send === all ? version : setVersion(send)}`;
    const r = this.registry.responses.encodeShared(
      DISCOVERY_RESPONSE,
      bodyKey,
      version,
      this.rev,
      () => ({ resources: send.map((x) => x.any), type_url: typeUrl }),
      (nonce) => ({ version_info: version, nonce }),
    );
    this.answers.set(k, r);
    return r;
  }

  /**
   * What a delta stream holding exactly the set `held` (by version, with the subscribed names
   * outside it already reported missing) lacks at the current revision: the resources to send and
   * the names to remove, worked out once per revision for every stream in the same position.
   * undefined: that set is no longer known (the stream then diffs its own copy).
   */
  deltaFrom(held: string): DeltaDiff | undefined {
    this.refresh();
    const memo = this.deltas.get(held);
    if (memo) return memo;
    const had = held === this.ver ? this.byName : held === this.prevVer ? this.prevByName : this.registry.heldSet(this.typeUrl, held);
    if (!had) return undefined;
    const resources: XdsResource[] = [];
    for (const r of this.byName.values()) if (had.get(r.name)?.version !== r.version) resources.push(r);
    const removed: string[] = [];
    for (const n of had.keys()) if (!this.byName.has(n)) removed.push(n);
    const d: DeltaDiff = { resources, removed, key: deltaKey(this.typeUrl, resources, removed) };
    this.deltas.set(held, d);
    return d;
  }

  private all(): readonly XdsResource[] {
    this.list ??= [...this.byName.values()];
    return this.list;
  }

  /** Recomputed at most once per snapshot revision. */
  private refresh(): void {
    const rev = this.registry.snapshot.revision;
    if (rev === this.rev) return;
    this.rev = rev;
    const byName = this.view.select(this.typeUrl, this.wildcard, this.names);
    const ver = setVersion(byName.values());
    this.answers.clear();
    this.deltas.clear();
    if (ver !== this.ver) {
      // Kept for every type: delta streams of CDS and LDS diff from it too.
      this.prevVer = this.ver;
      this.prevByName = this.byName;
      this.ver = ver;
    }
    this.byName = byName;
    this.list = undefined;
    // Streams hold this set by its version: kept findable while the subscription lives on.
    if (!FULL_STATE.has(this.typeUrl)) this.registry.remember(this.typeUrl, this.ver, this.byName);
  }
}

/**
 * The Subscriptions (and node views) in use, reference counted: a stream acquires one per type
 * it watches and releases it when it leaves or changes what it watches; the last release drops
 * it. Also remembers recent resource sets by version, so a stream that holds a set (by version)
 * needs no copy of it.
 */
export class SubscriptionRegistry {
  private readonly subs = new Map<string, Subscription>();
  private readonly views = new Map<string, { view: NodeView; refs: number }>();
  private readonly sets = new Map<string, ReadonlyMap<string, XdsResource>>();

  constructor(
    readonly snapshot: XdsSnapshot,
    readonly responses: ResponseCache,
  ) {}

  /** Subscriptions in use (distinct ones: many streams may share each). */
  get size(): number {
    return this.subs.size;
  }

  /** The Subscription of `node` (whose `viewKey` is `vkey`) to (typeUrl, wildcard, names), one more reference. */
  acquire(node: XdsNode, vkey: string, typeUrl: string, wildcard: boolean, names: Iterable<string>): Subscription {
    const sorted = [...new Set(names)].filter((n) => n !== '*').sort();
    const key = `${vkey}\u0001${typeUrl}\u0001${wildcard ? '*' : ''}\u0001${sorted.join('\u0000')}`;
    let sub = this.subs.get(key);
    if (!sub) {
      let v = this.views.get(vkey);
      if (!v) this.views.set(vkey, (v = { view: new NodeView(node, this.snapshot, vkey), refs: 0 }));
      v.refs++;
      sub = new Subscription(key, vkey, typeUrl, wildcard, new Set(sorted), v.view, this);
      this.subs.set(key, sub);
    }
    sub.refs++;
    return sub;
  }

  release(sub: Subscription): void {
    if (--sub.refs > 0 || this.subs.get(sub.key) !== sub) return;
    this.subs.delete(sub.key);
    const v = this.views.get(sub.viewKey);
    if (v && --v.refs <= 0) this.views.delete(sub.viewKey);
  }

  /** The resources of the set with this version, if still remembered. */
  heldSet(typeUrl: string, version: string): ReadonlyMap<string, XdsResource> | undefined {
    return version === '' ? undefined : this.sets.get(`${typeUrl}\u0000${version}`);
  }

  remember(typeUrl: string, version: string, resources: ReadonlyMap<string, XdsResource>): void {
    const k = `${typeUrl}\u0000${version}`;
    this.sets.delete(k);
    if (this.sets.size >= MAX_HELD_SETS) this.sets.delete(this.sets.keys().next().value as string);
    this.sets.set(k, resources);
  }
}
