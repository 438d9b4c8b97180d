import { status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { parseNode, type WireNode } from './node.js';
import { setVersion } from './resource.js';
import type { XdsSnapshot } from './snapshot.js';
import { NodeView } from './view.js';

interface FetchRequest {
  node?: WireNode | null;
  type_url?: string;
  version_info?: string;
  resource_names?: string[];
}

/**
 * Fetch{Clusters,Endpoints,Listeners,Routes}: one state-of-the-world answer, no stream (Envoy's
 * REST-style polling). Empty names = every resource of the node's view. A client that already
 * holds the current version gets an empty answer with that version (go-control-plane: "skip").
 */
export function fetchHandler(snapshot: XdsSnapshot, typeUrl: string, logger: Logger) {
  return (call: ServerUnaryCall<FetchRequest, object>, callback: sendUnaryData<object>): void => {
    const req = call.request ?? {};
    if (!req.node) {
      callback({ code: status.INVALID_ARGUMENT, details: 'a fetch request must carry the node' });
      return;
    }
    if (req.type_url && req.type_url !== typeUrl) {
      callback({ code: status.INVALID_ARGUMENT, details: `this discovery service serves ${typeUrl} only, not ${req.type_url}` });
      return;
    }
    const node = req.node;
    snapshot
      .settle()
      .then(() => {
        const view = new NodeView(parseNode(node), snapshot);
        const names = req.resource_names ?? [];
        const all = [...view.select(typeUrl, names.length === 0, names).values()];
        const version = setVersion(all);
        const resources = version === req.version_info ? [] : all.map((r) => r.any);
        callback(null, { version_info: version, resources, type_url: typeUrl });
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'xDS fetch failed');
        callback({ code: status.INTERNAL, details: 'fetch failed' });
      });
  };
}
