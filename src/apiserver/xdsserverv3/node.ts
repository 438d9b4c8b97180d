/**
 * Who is asking: an Envoy sidecar or gateway, or a proxyless gRPC client, from `node.id` and
 * `node.metadata` (polaris resource/node.go). Accepted ids: `<namespace>/<uuid>~<ip>` (sidecar) and
 * `<runType>~<namespace>/<uuid>~<ip>`. Any other id is still served, but only named resources
 * (what proxyless gRPC asks for): there is no namespace to take a wildcard view from.
 */

export type RunType = 'sidecar' | 'gateway' | string;
export type TlsMode = 'none' | 'strict' | 'permissive';

export interface XdsNode {
  id: string;
  /** '' when the id does not match the accepted forms. */
  runType: RunType;
  /** Namespace from the id ('' when it does not match). */
  idNamespace: string;
  ip: string;
  /** The node's own namespace: metadata, else the id's. Wildcard views are taken from it. */
  selfNamespace: string;
  /** The node's own service (sidecar metadata, or the gateway's service); '' when not told. */
  selfService: string;
  tlsMode: TlsMode;
  /** runType gateway and a complete gateway service in the metadata. */
  gateway: boolean;
  openOnDemand: boolean;
  /** The id matched one of the accepted forms. */
  wellFormed: boolean;
  metadata: Record<string, string>;
  userAgent: string;
}

const ID_RE = /^((\S+)~(\S+)|(\S+))\/([^~]+)~([^~]+)$/;

export const MetaKey = {
  sidecarNamespace: 'sidecar.polarismesh.cn/serviceNamespace',
  sidecarService: 'sidecar.polarismesh.cn/serviceName',
  gatewayNamespace: 'gateway.polarismesh.cn/serviceNamespace',
  gatewayService: 'gateway.polarismesh.cn/serviceName',
  gatewayNamespaceLegacy: 'gateway_namespace',
  gatewayServiceLegacy: 'gateway_service',
  tlsMode: 'polarismesh.cn/tls-mode',
  openOnDemand: 'sidecar.polarismesh.cn/openOnDemand',
} as const;

/** A google.protobuf.Value as protobufjs decodes it (its bundled struct.proto uses JSON names). */
interface StructValue {
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
}

/** Struct metadata as strings: numbers as integers, booleans as "true"/"false" (polaris). */
export function structToStrings(struct: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = (struct as { fields?: Record<string, StructValue> } | null | undefined)?.fields ?? {};
  for (const [k, v] of Object.entries(fields)) {
    if (v.stringValue !== undefined) out[k] = v.stringValue;
    else if (v.numberValue !== undefined) out[k] = String(Math.trunc(v.numberValue));
    else if (v.boolValue !== undefined) out[k] = v.boolValue ? 'true' : 'false';
  }
  return out;
}

export interface WireNode {
  id?: string;
  cluster?: string;
  metadata?: unknown;
  user_agent_name?: string;
}

export function parseNode(node: WireNode): XdsNode {
  const id = node.id ?? '';
  const metadata = structToStrings(node.metadata);
  const m = ID_RE.exec(id);
  const runType = m ? (m[2] ?? 'sidecar') : '';
  const idNamespace = m ? (m[3] ?? m[4]) : '';
  const ip = m ? m[6] : '';
  const gwNs = metadata[MetaKey.gatewayNamespace] ?? metadata[MetaKey.gatewayNamespaceLegacy] ?? '';
  const gwSvc = metadata[MetaKey.gatewayService] ?? metadata[MetaKey.gatewayServiceLegacy] ?? '';
  const gateway = runType === 'gateway' && gwNs !== '' && gwSvc !== '';
  const selfNamespace = gateway ? gwNs : (metadata[MetaKey.sidecarNamespace] || idNamespace);
  const selfService = gateway ? gwSvc : (metadata[MetaKey.sidecarService] ?? '');
  const tls = metadata[MetaKey.tlsMode];
  return {
    id,
    runType,
    idNamespace,
    ip,
    selfNamespace,
    selfService,
    tlsMode: tls === 'strict' || tls === 'permissive' ? tls : 'none',
    gateway,
    openOnDemand: metadata[MetaKey.openOnDemand] === 'true',
    wellFormed: m !== null,
    metadata,
    userAgent: node.user_agent_name ?? '',
  };
}
