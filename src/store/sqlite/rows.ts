import type { Client, ClientStat, Instance, Metadata, Namespace, Service } from '../../common/model/naming.js';

/** Column lists and row ↔ domain conversions of the SQLite tables (see migrations.ts). */

export const NAMESPACE_COLUMNS =
  'name, comment, owner, token, service_export_to, metadata, ctime, mtime, seq, deleted';

export const SERVICE_COLUMNS =
  'id, name, namespace, ports, business, department, cmdb_mod1, cmdb_mod2, cmdb_mod3, comment, owner, token, ' +
  'revision, reference, alias_type, platform_id, export_to, metadata, ctime, mtime, seq, deleted';

export const INSTANCE_COLUMNS =
  'id, service_id, service, namespace, vpc_id, host, port, protocol, version, priority, weight, ' +
  'enable_health_check, health_check_type, health_check_ttl, healthy, isolate, logic_set, region, zone, campus, ' +
  'metadata, revision, ctime, mtime, seq, deleted';

export const CLIENT_COLUMNS = 'id, host, type, version, region, zone, campus, stat, ctime, mtime, seq, deleted';

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
 * Writes: named parameters of each table (everything but ctime/mtime/seq/deleted, which the store
 * stamps itself).
 */

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


/** Named parameters of a namespace write (everything but times/seq). */
export function namespaceParams(ns: Namespace): Record<string, unknown> {
  return {
    name: ns.name,
    comment: ns.comment ?? '',
    owner: ns.owner ?? '',
    token: ns.token ?? '',
    service_export_to: listText(ns.serviceExportTo),
    metadata: metadataText(ns.metadata),
  };
}


export function serviceParams(s: Service): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    namespace: s.namespace,
    ports: s.ports ?? '',
    business: s.business ?? '',
    department: s.department ?? '',
    cmdb_mod1: s.cmdbMod1 ?? '',
    cmdb_mod2: s.cmdbMod2 ?? '',
    cmdb_mod3: s.cmdbMod3 ?? '',
    comment: s.comment ?? '',
    owner: s.owner ?? '',
    token: s.token ?? '',
    revision: s.revision ?? '',
    reference: s.reference ?? '',
    alias_type: s.aliasType ?? 0,
    platform_id: s.platformId ?? '',
    export_to: listText(s.exportTo),
    metadata: metadataText(s.metadata),
  };
}


export function instanceParams(i: Instance): Record<string, unknown> {
  return {
    id: i.id,
    service_id: i.serviceId,
    service: i.service,
    namespace: i.namespace,
    vpc_id: i.vpcId ?? '',
    host: i.host,
    port: i.port,
    protocol: i.protocol ?? '',
    version: i.version ?? '',
    priority: i.priority ?? 0,
    weight: i.weight ?? 100,
    enable_health_check: flag(i.enableHealthCheck),
    health_check_type: i.healthCheck ? i.healthCheck.type : null,
    health_check_ttl: i.healthCheck ? i.healthCheck.ttl : null,
    healthy: flag(i.healthy),
    isolate: flag(i.isolate),
    logic_set: i.logicSet ?? '',
    region: i.location?.region ?? '',
    zone: i.location?.zone ?? '',
    campus: i.location?.campus ?? '',
    metadata: metadataText(i.metadata),
    revision: i.revision ?? '',
  };
}


export function clientParams(c: Client): Record<string, unknown> {
  return {
    id: c.id,
    host: c.host ?? '',
    type: c.type ?? 0,
    version: c.version ?? '',
    region: c.location?.region ?? '',
    zone: c.location?.zone ?? '',
    campus: c.location?.campus ?? '',
    stat: listText(c.stat),
  };
}
