import type { Client, ClientStat, Instance, Metadata, Namespace, Service } from '../../common/model/naming.js';

/** Row ↔ domain conversions of the SQLite tables (schema in migrations.ts). */

/*
 * Reads: each table has one SQL expression that packs a row into a JSON array inside SQLite
 * (nested JSON columns embedded as JSON), and one function that turns that parsed array into the
 * domain value. One JSON.parse per row is the cheapest way to bring many rows into JS (a full load
 * of 100k instances): cheaper than one native string per column, and arrays parse faster than
 * objects with repeated keys. The last two slots are always `seq` and `deleted`.
 *
 * Keep each expression and its function side by side: positions must match (the conformance
 * suite round-trips every field).
 */

type Packed = unknown[];

export const NAMESPACE_PACKED = `json_array(name, comment, owner, token, json(service_export_to), json(metadata),
  ctime, mtime, seq, deleted)`;

export function namespaceFromPacked(r: Packed): Namespace {
  return {
    name: r[0] as string,
    comment: r[1] as string,
    owner: r[2] as string,
    token: r[3] as string,
    serviceExportTo: r[4] as string[],
    metadata: r[5] as Metadata,
    ctime: r[6] as number,
    mtime: r[7] as number,
  };
}

export const SERVICE_PACKED = `json_array(id, name, namespace, ports, business, department, cmdb_mod1, cmdb_mod2,
  cmdb_mod3, comment, owner, token, revision, reference, alias_type, platform_id, json(export_to), json(metadata),
  ctime, mtime, seq, deleted)`;

export function serviceFromPacked(r: Packed): Service {
  return {
    id: r[0] as string,
    name: r[1] as string,
    namespace: r[2] as string,
    ports: r[3] as string,
    business: r[4] as string,
    department: r[5] as string,
    cmdbMod1: r[6] as string,
    cmdbMod2: r[7] as string,
    cmdbMod3: r[8] as string,
    comment: r[9] as string,
    owner: r[10] as string,
    token: r[11] as string,
    revision: r[12] as string,
    reference: r[13] as string,
    aliasType: r[14] as number,
    platformId: r[15] as string,
    exportTo: r[16] as string[],
    metadata: r[17] as Metadata,
    ctime: r[18] as number,
    mtime: r[19] as number,
  };
}

export const INSTANCE_PACKED = `json_array(id, service_id, service, namespace, vpc_id, host, port, protocol, version,
  priority, weight, enable_health_check, health_check_type, health_check_ttl, healthy, isolate, logic_set,
  region, zone, campus, json(metadata), revision, ctime, mtime, seq, deleted)`;

export function instanceFromPacked(r: Packed): Instance {
  return {
    id: r[0] as string,
    serviceId: r[1] as string,
    service: r[2] as string,
    namespace: r[3] as string,
    vpcId: r[4] as string,
    host: r[5] as string,
    port: r[6] as number,
    protocol: r[7] as string,
    version: r[8] as string,
    priority: r[9] as number,
    weight: r[10] as number,
    enableHealthCheck: r[11] === 1,
    healthCheck: r[12] === null ? null : { type: r[12] as number, ttl: (r[13] as number | null) ?? 0 },
    healthy: r[14] === 1,
    isolate: r[15] === 1,
    logicSet: r[16] as string,
    location: { region: r[17] as string, zone: r[18] as string, campus: r[19] as string },
    metadata: r[20] as Metadata,
    revision: r[21] as string,
    ctime: r[22] as number,
    mtime: r[23] as number,
  };
}

export const CLIENT_PACKED = `json_array(id, host, type, version, region, zone, campus, json(stat),
  ctime, mtime, seq, deleted)`;

export function clientFromPacked(r: Packed): Client {
  return {
    id: r[0] as string,
    host: r[1] as string,
    type: r[2] as number,
    version: r[3] as string,
    location: { region: r[4] as string, zone: r[5] as string, campus: r[6] as string },
    stat: r[7] as ClientStat[],
    ctime: r[8] as number,
    mtime: r[9] as number,
  };
}

/** The change-feed view of a packed row: its last two slots are seq and deleted. */
export function versionedFromPacked<T>(r: Packed, from: (r: Packed) => T): { seq: number; deleted: boolean; value: T } {
  return { seq: r[r.length - 2] as number, deleted: r[r.length - 1] === 1, value: from(r) };
}

/*
 * Writes: each table lists the columns the caller's value sets (key first) and how to get their
 * values, in that order. ctime/mtime/seq/deleted are the store's own and appended by the SQL
 * builders in sqlite-ops.ts. Positional parameters: binding arrays is about twice as fast as
 * binding named parameters from objects.
 */

export interface TableWrite<T> {
  table: string;
  /** The primary-key column; always columns[0]. */
  key: string;
  columns: readonly string[];
  values(v: T): unknown[];
}

const EMPTY_JSON_OBJECT = '{}';
const EMPTY_JSON_ARRAY = '[]';

function metadataText(m: Metadata | undefined): string {
  return m ? JSON.stringify(m) : EMPTY_JSON_OBJECT;
}

function listText(l: readonly unknown[] | undefined): string {
  return l && l.length > 0 ? JSON.stringify(l) : EMPTY_JSON_ARRAY;
}

function flag(b: boolean | undefined): number {
  return b ? 1 : 0;
}

export const NAMESPACE_WRITE: TableWrite<Namespace> = {
  table: 'namespace',
  key: 'name',
  columns: ['name', 'comment', 'owner', 'token', 'service_export_to', 'metadata'],
  values: (ns) => [
    ns.name,
    ns.comment ?? '',
    ns.owner ?? '',
    ns.token ?? '',
    listText(ns.serviceExportTo),
    metadataText(ns.metadata),
  ],
};

export const SERVICE_WRITE: TableWrite<Service> = {
  table: 'service',
  key: 'id',
  columns: [
    'id', 'name', 'namespace', 'ports', 'business', 'department', 'cmdb_mod1', 'cmdb_mod2', 'cmdb_mod3',
    'comment', 'owner', 'token', 'revision', 'reference', 'alias_type', 'platform_id', 'export_to', 'metadata',
  ],
  values: (s) => [
    s.id,
    s.name,
    s.namespace,
    s.ports ?? '',
    s.business ?? '',
    s.department ?? '',
    s.cmdbMod1 ?? '',
    s.cmdbMod2 ?? '',
    s.cmdbMod3 ?? '',
    s.comment ?? '',
    s.owner ?? '',
    s.token ?? '',
    s.revision ?? '',
    s.reference ?? '',
    s.aliasType ?? 0,
    s.platformId ?? '',
    listText(s.exportTo),
    metadataText(s.metadata),
  ],
};

export const INSTANCE_WRITE: TableWrite<Instance> = {
  table: 'instance',
  key: 'id',
  columns: [
    'id', 'service_id', 'service', 'namespace', 'vpc_id', 'host', 'port', 'protocol', 'version', 'priority',
    'weight', 'enable_health_check', 'health_check_type', 'health_check_ttl', 'healthy', 'isolate', 'logic_set',
    'region', 'zone', 'campus', 'metadata', 'revision',
  ],
  values: (i) => [
    i.id,
    i.serviceId,
    i.service,
    i.namespace,
    i.vpcId ?? '',
    i.host,
    i.port,
    i.protocol ?? '',
    i.version ?? '',
    i.priority ?? 0,
    i.weight ?? 100,
    flag(i.enableHealthCheck),
    i.healthCheck ? i.healthCheck.type : null,
    i.healthCheck ? i.healthCheck.ttl : null,
    flag(i.healthy),
    flag(i.isolate),
    i.logicSet ?? '',
    i.location?.region ?? '',
    i.location?.zone ?? '',
    i.location?.campus ?? '',
    metadataText(i.metadata),
    i.revision ?? '',
  ],
};

export const CLIENT_WRITE: TableWrite<Client> = {
  table: 'client',
  key: 'id',
  columns: ['id', 'host', 'type', 'version', 'region', 'zone', 'campus', 'stat'],
  values: (c) => [
    c.id,
    c.host ?? '',
    c.type ?? 0,
    c.version ?? '',
    c.location?.region ?? '',
    c.location?.zone ?? '',
    c.location?.campus ?? '',
    listText(c.stat),
  ],
};
