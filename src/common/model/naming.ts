/**
 * Plain domain types of the naming plane. They never carry wire types (protobuf wrappers, enums as
 * strings): the API servers convert at the edge. Times are epoch milliseconds.
 */

export type Metadata = Record<string, string>;

export interface Namespace {
  name: string;
  comment: string;
  owner: string;
  token: string;
  serviceExportTo: string[];
  metadata: Metadata;
  ctime: number;
  mtime: number;
}

/** A service row. An alias is a service row whose `reference` holds the id of the service it points to. */
export interface Service {
  id: string;
  name: string;
  namespace: string;
  ports: string;
  business: string;
  department: string;
  cmdbMod1: string;
  cmdbMod2: string;
  cmdbMod3: string;
  comment: string;
  owner: string;
  token: string;
  /** A new random value on every change of the service's own attributes. */
  revision: string;
  /** Id of the source service when this row is an alias; '' otherwise. */
  reference: string;
  /** Alias type: 0 DEFAULT, 1 CL5SID. */
  aliasType: number;
  platformId: string;
  exportTo: string[];
  metadata: Metadata;
  ctime: number;
  mtime: number;
}

export interface Location {
  region: string;
  zone: string;
  campus: string;
}

export const HealthCheckType = { UNKNOWN: 0, HEARTBEAT: 1 } as const;

export interface HealthCheck {
  /** 1 = HEARTBEAT. */
  type: number;
  /** Heartbeat TTL in seconds. */
  ttl: number;
}

export interface Instance {
  id: string;
  serviceId: string;
  /** Service name and namespace, denormalised so readers never need a join. */
  service: string;
  namespace: string;
  vpcId: string;
  host: string;
  port: number;
  protocol: string;
  version: string;
  priority: number;
  weight: number;
  enableHealthCheck: boolean;
  healthCheck: HealthCheck | null;
  healthy: boolean;
  isolate: boolean;
  logicSet: string;
  location: Location;
  metadata: Metadata;
  /** A new random value on every change of the instance, including health flips. */
  revision: string;
  ctime: number;
  mtime: number;
}

/** An SDK client that reported itself (ReportClient). */
export interface ClientStat {
  target: string;
  port: number;
  path: string;
  protocol: string;
}

export interface Client {
  id: string;
  host: string;
  /** 0 UNKNOWN, 1 SDK, 2 AGENT. */
  type: number;
  version: string;
  location: Location;
  stat: ClientStat[];
  ctime: number;
  mtime: number;
}
