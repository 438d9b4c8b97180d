import type { XdsNode } from './node.js';
import { decodeMessage, TypeUrl } from './protos.js';
import type { XdsResource } from './resource.js';
import type { XdsSnapshot } from './snapshot.js';
import { NodeView } from './view.js';

/**
 * What the xDS server tells the debug handlers of api-http (`/debug/apiserver/xds/*`, polaris
 * DebugHandlers): the nodes connected now and the resources a namespace (or a node's listeners)
 * currently gets. The HTTP server sees only this interface.
 */
export interface XdsDebug {
  /** The `type` values `resources` knows. */
  readonly resourceTypes: readonly string[];
  /** Connected nodes of one kind: `gateway` lists gateways, anything else sidecars (polaris). */
  envoyNodes(type: string): EnvoyNodeView[];
  /**
   * Resources by name, decoded: `lds` → the listeners of the connected node `nodeId`; `cds`,
   * `eds`, `rds` → the wildcard view of `namespace` (TLS none); `vhds` → none (not served). Names
   * are filtered by the `service` substring when given. undefined: `type` is not one of these.
   */
  resources(q: { type: string; nodeId: string; namespace: string; service: string }): Record<string, unknown> | undefined;
}

/** A node as polaris's EnvoyNodeView marshals (Go field names; User and Version are never set there). */
export interface EnvoyNodeView {
  ID: string;
  RunType: string;
  User: string;
  Namespace: string;
  IPAddr: string;
  PodIP: string;
  Metadata: Record<string, string> | null;
  Version: string;
  TLSMode: string;
  OpenOnDemand: boolean;
}

const XDS_DEBUG_TYPES: Readonly<Record<string, string | null>> = {
  cds: TypeUrl.Cluster,
  eds: TypeUrl.Endpoint,
  rds: TypeUrl.Route,
  lds: TypeUrl.Listener,
  vhds: null,
};

function view(n: XdsNode): EnvoyNodeView {
  return {
    ID: n.id,
    RunType: n.runType,
    User: '',
    Namespace: n.idNamespace,
    IPAddr: n.ip,
    PodIP: n.ip,
    Metadata: Object.keys(n.metadata).length > 0 ? { ...n.metadata } : null,
    Version: '',
    TLSMode: n.tlsMode,
    OpenOnDemand: n.openOnDemand,
  };
}

export function createXdsDebug(nodes: () => Iterable<XdsNode>, snapshot: XdsSnapshot): XdsDebug {
  return {
    resourceTypes: Object.keys(XDS_DEBUG_TYPES),
    envoyNodes(type) {
      const wantGateway = type !== 'sidecar';
      const out = new Map<string, EnvoyNodeView>();
      for (const n of nodes()) if ((n.runType === 'gateway') === wantGateway && !out.has(n.id)) out.set(n.id, view(n));
      return [...out.values()].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
    },
    resources({ type, nodeId, namespace, service }) {
      if (!(type in XDS_DEBUG_TYPES)) return undefined;
      const typeUrl = XDS_DEBUG_TYPES[type];
      let list: Iterable<XdsResource> = [];
      if (typeUrl === TypeUrl.Listener) {
        for (const n of nodes()) {
          if (n.id !== nodeId) continue;
          list = new NodeView(n, snapshot).wildcard(TypeUrl.Listener);
          break;
        }
      } else if (typeUrl) {
        list = snapshot.wildcard(typeUrl, namespace);
      }
      const out: Record<string, unknown> = {};
      for (const r of list) if (service === '' || r.name.includes(service)) out[r.name] = decodeMessage(r.typeUrl, r.any.value);
      return out;
    },
  };
}
