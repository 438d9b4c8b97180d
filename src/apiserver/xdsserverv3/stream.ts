import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AdsCall } from './call.js';
import { parseNode, type WireNode, type XdsNode } from './node.js';
import { SERVED_TYPES, SILENT_TYPES } from './protos.js';
import { ORDERED_TYPES, shortType, type ResourceChange } from './resource.js';
import type { StreamCounters } from './metrics.js';
import type { ResponseCache } from './response-cache.js';
import type { LoopSlicer } from './slicer.js';
import type { XdsSnapshot } from './snapshot.js';
import type { Subscription, SubscriptionRegistry } from './subscriptions.js';
import { viewKey } from './view.js';

/** The fields of Discovery / DeltaDiscovery requests every stream reads. */
export interface BaseRequest {
  node?: WireNode | null;
  type_url?: string;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string } | null;
}

export interface StreamDeps {
  snapshot: XdsSnapshot;
  logger: Logger;
  counters: StreamCounters;
  /** Encoded answers shared between streams. */
  responses: ResponseCache;
  /** Answers are computed in slices, so a burst of streams does not stall the event loop. */
  slicer: LoopSlicer;
  /** Subscriptions shared by streams that watch the same. */
  subscriptions: SubscriptionRegistry;
  /** Called once when the stream ends. */
  onClose: (s: XdsStream) => void;
}

/**
 * One ADS stream (state of the world or incremental): node identity from the first request
 * (later requests may omit it), type checks, ordered pushes when the snapshot
 * changes, and a clean end. A broken request ends this stream only, with a status that says why.
 */
export abstract class XdsStream {
  private ident: XdsNode | undefined;
  /** What of the node decides its resources (see `viewKey`): streams with equal keys share subscriptions. */
  private vkey = '';
  protected readonly logger: Logger;
  private closed = false;
  /** Requests are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Requests queued and not yet handled. */
  private pending = 0;

  constructor(
    protected readonly call: AdsCall,
    protected readonly deps: StreamDeps,
    readonly kind: 'sotw' | 'delta',
    /** Set on the per-type services (CDS, EDS, LDS, RDS): the only type the stream serves. */
    private readonly fixedType?: string,
  ) {
    this.logger = deps.logger;
    call.listen({
      request: (req: BaseRequest) => {
        // The common case, an ACK that changes nothing, is settled at once: no queueing, no promise.
        if (this.pending === 0 && this.acknowledged(req)) return;
        this.pending++;
        this.queue = this.queue
          .then(() => this.onRequest(req))
          .catch((err: unknown) => this.fail(status.INTERNAL, 'request failed', err))
          .finally(() => {
            this.pending--;
          });
      },
      // A client that half-closes is done asking: the stream ends with OK, as go-control-plane
      // returns once its receive sees EOF (Envoy itself never half-closes).
      end: () => this.end(),
      gone: () => this.close(),
    });
  }

  /** The node of the stream, once its first request arrived. */
  get node(): XdsNode | undefined {
    return this.ident;
  }

  get nodeId(): string {
    return this.ident?.id ?? '';
  }

  /**
   * The snapshot changed (changes grouped by type once for every stream): answer every subscribed
   * type the change touches, CDS → EDS → LDS → RDS. Synchronous: the server calls it for each
   * stream in slices; a request still waiting its turn sees the new snapshot when it runs.
   */
  push(byType: ReadonlyMap<string, readonly ResourceChange[]>): void {
    if (this.closed || !this.ident) return;
    try {
      for (const t of ORDERED_TYPES) {
        const cs = byType.get(t);
        if (cs && !this.closed) this.onChanges(t, cs);
      }
    } catch (err) {
      this.fail(status.INTERNAL, 'push failed', err);
    }
  }

  /** Ends the stream with OK (server shutdown, or the client half-closed). */
  end(): void {
    if (this.closed) return;
    this.close();
    this.call.end();
  }

  protected abstract handle(req: BaseRequest, typeUrl: string): void;
  /**
   * Whether a request of a known, served type needs no work beyond bookkeeping (a stale nonce, an
   * ACK with the same subscription and nothing changed since): then it is settled here and now.
   */
  protected quickAck(_req: BaseRequest, _typeUrl: string): boolean {
    return false;
  }
  protected abstract onChanges(typeUrl: string, changes: readonly ResourceChange[]): void;

  /** The shared Subscription for (type, wildcard, names) of this stream's node. */
  protected subscribe(typeUrl: string, wildcard: boolean, names: Iterable<string>): Subscription {
    return this.deps.subscriptions.acquire(this.ident as XdsNode, this.vkey, typeUrl, wildcard, names);
  }

  /** Replaces `old` by the subscription to (wildcard, names); the old one is released after (it may be the same). */
  protected resubscribe(old: Subscription, wildcard: boolean, names: Iterable<string>): Subscription {
    const sub = this.subscribe(old.typeUrl, wildcard, names);
    this.deps.subscriptions.release(old);
    return sub;
  }

  /** Every Subscription the stream holds, released once when it closes. */
  protected abstract subscriptions(): Iterable<Subscription>;

  protected write(msg: object): void {
    if (this.closed) return;
    this.deps.counters.responses++;
    this.call.write(msg);
  }

  /** A NACK: Envoy keeps its last good version; we log its reason and send nothing new. */
  protected logNack(typeUrl: string, version: string, detail: { code?: number; message?: string }): void {
    this.deps.counters.nacks++;
    this.logger.warn(
      { node: this.nodeId, type: shortType(typeUrl), version, code: detail.code, reason: detail.message ?? '' },
      'xDS NACK: the client rejected our resources and keeps its last good version',
    );
  }

  private acknowledged(req: BaseRequest): boolean {
    if (this.closed || !this.ident) return false;
    const typeUrl = req.type_url || this.fixedType || '';
    if ((this.fixedType && typeUrl !== this.fixedType) || !SERVED_TYPES.has(typeUrl)) return false;
    try {
      return this.quickAck(req, typeUrl);
    } catch (err) {
      this.fail(status.INTERNAL, 'request failed', err);
      return true;
    }
  }

  private async onRequest(req: BaseRequest): Promise<void> {
    if (this.closed) return;
    if (!this.ident) {
      if (!req.node) {
        this.fail(status.INVALID_ARGUMENT, 'the first request of an xDS stream must carry the node');
        return;
      }
      const node = parseNode(req.node);
      if (!node.wellFormed) {
        this.logger.info({ node: node.id }, 'xDS node id is not <namespace>/<uuid>~<ip>: only resources asked for by name are served');
      }
      // A new stream sees every change already made (read-your-writes for a fresh Envoy).
      await this.deps.snapshot.settle();
      if (this.closed) return;
      this.ident = node;
      this.vkey = viewKey(node);
    }
    const typeUrl = req.type_url || this.fixedType || '';
    if (this.fixedType && typeUrl !== this.fixedType) {
      this.fail(status.INVALID_ARGUMENT, `this discovery service serves ${this.fixedType} only, not ${typeUrl}`);
      return;
    }
    if (typeUrl === '') {
      this.fail(status.INVALID_ARGUMENT, 'type_url is required on an aggregated xDS stream');
      return;
    }
    if (!SERVED_TYPES.has(typeUrl)) {
      if (SILENT_TYPES.has(typeUrl)) return; // known, but nothing to serve: the watch stays open (polaris)
      this.logger.warn({ node: this.nodeId, type: typeUrl }, 'xDS request for an unknown resource type ignored');
      return;
    }
    await this.deps.slicer.run(() => {
      // A stream closed while this waited its turn must not take a subscription it never releases.
      if (!this.closed) this.handle(req, typeUrl);
    });
  }

  private fail(code: status, message: string, err?: unknown): void {
    if (this.closed) return;
    if (err) this.logger.error({ err, node: this.nodeId }, `xDS stream: ${message}`);
    else this.logger.warn({ node: this.nodeId }, `xDS stream closed: ${message}`);
    this.close();
    this.call.fail(code, message);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subscriptions()) this.deps.subscriptions.release(sub);
    this.deps.onClose(this);
  }
}
