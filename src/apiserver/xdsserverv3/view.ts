import { nodeListeners } from './lds.js';
import { tlsListener } from './mtls.js';
import { GATEWAY_ROUTE, inboundCluster, inboundRoute } from './names.js';
import type { XdsNode } from './node.js';
import { TypeUrl } from './protos.js';
import { makeResource, type ResourceChange, type XdsResource } from './resource.js';
import type { XdsSnapshot } from './snapshot.js';

/** Nodes of the same kind get the same listeners: built once per kind, not per stream. */
const listenerMemo = new Map<string, Map<string, XdsResource>>();

/**
 * The parts of a node's identity that decide which resources it gets (listeners, wildcard
 * namespace, own INBOUND names, TLS variant): nodes with equal keys see exactly the same
 * resources, whatever their ids and IPs.
 */
export function viewKey(node: XdsNode): string {
  return JSON.stringify([node.runType, node.gateway, node.selfNamespace, node.selfService, node.tlsMode, node.openOnDemand]);
}

function listenersOf(node: XdsNode, key = viewKey(node)): Map<string, XdsResource> {
  let m = listenerMemo.get(key);
  if (!m) {
    const mode = node.tlsMode;
    m = new Map(nodeListeners(node).map((plain) => {
      const l = mode === 'none' ? plain : tlsListener(plain as Record<string, unknown>, mode);
      const r = makeResource(TypeUrl.Listener, (l as { name: string }).name, l);
      return [r.name, r] as const;
    }));
    if (listenerMemo.size > 10_000) listenerMemo.clear();
    listenerMemo.set(key, m);
  }
  return m;
}

/**
 * What one kind of node sees: the wildcard view of its own namespace, its own listeners (built
 * once per kind, see `viewKey`), its INBOUND cluster and route when it names its own service, and
 * any resource by name (a proxyless gRPC client names `svc.ns` of any namespace). Only the fields
 * of `viewKey` are read from `node`, so one view serves every node with that key.
 */
export class NodeView {
  private readonly listeners: Map<string, XdsResource>;
  private readonly selfNamed: Map<string, string>;

  constructor(
    readonly node: XdsNode,
    private readonly snapshot: XdsSnapshot,
    key?: string,
  ) {
    this.listeners = listenersOf(node, key);
    this.selfNamed = new Map();
    if (node.gateway) this.selfNamed.set(TypeUrl.Route, GATEWAY_ROUTE);
    else if (node.runType === 'sidecar' && node.selfService && node.selfNamespace) {
      this.selfNamed.set(TypeUrl.Cluster, inboundCluster(node.selfNamespace, node.selfService));
      this.selfNamed.set(TypeUrl.Endpoint, inboundCluster(node.selfNamespace, node.selfService));
      this.selfNamed.set(TypeUrl.Route, inboundRoute(node.selfNamespace, node.selfService));
    }
  }

  get namespace(): string {
    return this.node.selfNamespace;
  }

  /** A node in TLS mode sees the TLS variant of service clusters. */
  private variant(r: XdsResource): XdsResource {
    const mode = this.node.tlsMode;
    if (mode === 'none' || r.typeUrl !== TypeUrl.Cluster) return r;
    return this.snapshot.tlsCluster(r.name, mode) ?? r;
  }

  /** Every resource a wildcard subscription of this type gets. */
  wildcard(typeUrl: string): XdsResource[] {
    if (typeUrl === TypeUrl.Listener) return [...this.listeners.values()];
    const out = this.namespace ? [...this.snapshot.wildcard(typeUrl, this.namespace)].map((r) => this.variant(r)) : [];
    const own = this.selfNamed.get(typeUrl);
    const r = own ? this.named(typeUrl, own) : undefined;
    if (r) out.push(r);
    return out;
  }

  named(typeUrl: string, name: string): XdsResource | undefined {
    if (typeUrl === TypeUrl.Listener) {
      const own = this.listeners.get(name);
      if (own) return own;
    }
    if (typeUrl === TypeUrl.Route && name === GATEWAY_ROUTE) {
      return this.node.gateway ? this.snapshot.gatewayRoute(this.node.selfNamespace, this.node.selfService) : undefined;
    }
    const r = this.snapshot.lookup(typeUrl, name, this.namespace);
    return r && this.variant(r);
  }

  /** What a subscription (wildcard and/or names) of one type currently gets, by name. */
  select(typeUrl: string, wildcard: boolean, names: Iterable<string>): Map<string, XdsResource> {
    const out = new Map<string, XdsResource>();
    if (wildcard) for (const r of this.wildcard(typeUrl)) out.set(r.name, r);
    for (const n of names) {
      if (out.has(n)) continue;
      const r = this.named(typeUrl, n);
      if (r) out.set(n, r);
    }
    return out;
  }

  /** Whether a change can alter what a wildcard subscription of its type returns. */
  inWildcard(c: ResourceChange): boolean {
    return (c.namespace !== '' && c.namespace === this.namespace) || this.selfNamed.get(c.typeUrl) === c.name;
  }
}
