import type {
  Client as WireClient,
  Instance as WireInstance,
  Location as WireLocation,
  Service as WireService,
  ServiceAlias as WireServiceAlias,
} from '../common/api/gen/wire.js';
import type { Client, Instance, Location, Service } from '../common/model/naming.js';
import { formatTime } from '../common/utils/time.js';

/** Metadata keys polaris derives from instance fields for SDKs, and strips from OpenAPI lists. */
const DERIVED_KEYS = ['version', 'protocol', 'region', 'zone', 'campus'] as const;

function locationToWire(loc: Location): WireLocation | null {
  if (!loc.region && !loc.zone && !loc.campus) return null;
  return { region: loc.region, zone: loc.zone, campus: loc.campus };
}

export function locationFromWire(loc: WireLocation | null | undefined): Location {
  return { region: loc?.region ?? '', zone: loc?.zone ?? '', campus: loc?.campus ?? '' };
}

/** A service as the OpenAPI lists it (no token). */
export function serviceToWire(svc: Service, counts?: { total: number; healthy: number }): WireService {
  return {
    name: svc.name,
    namespace: svc.namespace,
    metadata: { ...svc.metadata },
    ports: svc.ports,
    business: svc.business,
    department: svc.department,
    cmdb_mod1: svc.cmdbMod1,
    cmdb_mod2: svc.cmdbMod2,
    cmdb_mod3: svc.cmdbMod3,
    comment: svc.comment,
    owners: svc.owner,
    ctime: formatTime(svc.ctime),
    mtime: formatTime(svc.mtime),
    revision: svc.revision,
    platform_id: svc.platformId,
    total_instance_count: counts?.total ?? 0,
    healthy_instance_count: counts?.healthy ?? 0,
    id: svc.id,
    editable: true,
    export_to: [...svc.exportTo],
    deleteable: true,
  };
}

export function aliasToWire(alias: Service, source: Service | undefined): WireServiceAlias {
  return {
    service: source?.name ?? '',
    namespace: source?.namespace ?? '',
    alias: alias.name,
    alias_namespace: alias.namespace,
    type: alias.aliasType === 1 ? 'CL5SID' : 'DEFAULT',
    owners: alias.owner,
    comment: alias.comment,
    ctime: formatTime(alias.ctime),
    mtime: formatTime(alias.mtime),
    id: alias.id,
    editable: true,
    deleteable: true,
  };
}

/**
 * An instance as the OpenAPI lists it: the owning service's token, metadata without derived keys.
 */
export function instanceToWire(inst: Instance, serviceToken?: string): WireInstance {
  const metadata: Record<string, string> = { ...inst.metadata };
  return {
    id: inst.id,
    service: inst.service,
    namespace: inst.namespace,
    vpc_id: inst.vpcId,
    host: inst.host,
    port: inst.port,
    protocol: inst.protocol,
    version: inst.version,
    priority: inst.priority,
    weight: inst.weight,
    enable_health_check: inst.enableHealthCheck,
    health_check: inst.healthCheck ? { type: 'HEARTBEAT', heartbeat: { ttl: inst.healthCheck.ttl } } : null,
    healthy: inst.healthy,
    isolate: inst.isolate,
    location: locationToWire(inst.location),
    metadata,
    logic_set: inst.logicSet,
    ctime: formatTime(inst.ctime),
    mtime: formatTime(inst.mtime),
    revision: inst.revision,
    service_token: serviceToken ?? '',
  };
}

/** An instance as SDKs receive it in Discover: metadata carries the derived keys too. */
export function instanceToDiscoverWire(inst: Instance): WireInstance {
  const w = instanceToWire(inst);
  const md = w.metadata as Record<string, string>;
  const derived: Record<(typeof DERIVED_KEYS)[number], string> = {
    version: inst.version,
    protocol: inst.protocol,
    region: inst.location.region,
    zone: inst.location.zone,
    campus: inst.location.campus,
  };
  for (const k of DERIVED_KEYS) if (derived[k] && md[k] === undefined) md[k] = derived[k];
  delete w.service_token;
  return w;
}

export function clientToWire(c: Client): WireClient {
  return {
    host: c.host,
    type: c.type === 1 ? 'SDK' : c.type === 2 ? 'AGENT' : 'UNKNOWN',
    version: c.version,
    location: locationToWire(c.location),
    id: c.id,
    stat: c.stat.map((s) => ({ target: s.target, port: s.port, path: s.path, protocol: s.protocol })),
    ctime: formatTime(c.ctime),
    mtime: formatTime(c.mtime),
  };
}

export function stripDerivedMetadata(md: Record<string, string> | undefined | null): Record<string, string> {
  return { ...(md ?? {}) };
}
