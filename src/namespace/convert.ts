import type { Namespace as WireNamespace } from '../common/api/gen/wire.js';
import type { Namespace } from '../common/model/naming.js';
import { formatTime } from '../common/utils/time.js';

export interface NamespaceCounts {
  services: number;
  instances: number;
  healthyInstances: number;
}

/** Domain → wire, as the list answers it (polaris never lists tokens). */
export function namespaceToWire(ns: Namespace, counts?: NamespaceCounts): WireNamespace {
  return {
    name: ns.name,
    comment: ns.comment,
    owners: ns.owner,
    ctime: formatTime(ns.ctime),
    mtime: formatTime(ns.mtime),
    total_service_count: counts?.services ?? 0,
    total_health_instance_count: counts?.healthyInstances ?? 0,
    total_instance_count: counts?.instances ?? 0,
    id: ns.name,
    editable: true,
    deleteable: true,
    service_export_to: [...ns.serviceExportTo],
    metadata: { ...ns.metadata },
  };
}
