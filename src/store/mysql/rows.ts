import type { Client, ClientStat, Instance, Metadata, Namespace, Service } from '../../common/model/naming.js';

/**
 * Row ↔ domain conversions of the MySQL tables (schema in migrations.ts).
 *
 * Each table lists the columns its value sets (key first) with a function giving their values in
 * that order, and a decoder for a SELECT of `columns` followed by the store's own
 * `ctime, mtime, seq, deleted` (rows fetched as arrays: no per-row object with repeated keys).
 * Keep each column list next to its decoder: positions must match (the conformance suite
 * round-trips every field).
 */

export interface Table<T> {
  readonly name: string;
  /** The primary-key column; always columns[0]. */
  readonly key: string;
  readonly columns: readonly string[];
  values(v: T): unknown[];
  /** `columns` then ctime, mtime, seq, deleted: the select list `decode` expects. */
  readonly select: string;
  decode(r: unknown[]): T;
}

/** The change-feed view of a decoded row: seq and deleted are the last two slots. */
export function versioned<T>(t: Table<T>, r: unknown[]): { seq: number; deleted: boolean; value: T } {
  return { seq: Number(r[r.length - 2]), deleted: Number(r[r.length - 1]) === 1, value: t.decode(r) };
}

function table<T>(def: Omit<Table<T>, 'select' | 'key'>): Table<T> {
  return { ...def, key: def.columns[0], select: [...def.columns, 'ctime', 'mtime', 'seq', 'deleted'].join(', ') };
}

const EMPTY_OBJECT = '{}';
const EMPTY_ARRAY = '[]';

function metadataText(m: Metadata | undefined): string {
  return m && Object.keys(m).length > 0 ? JSON.stringify(m) : EMPTY_OBJECT;
}

function listText(l: readonly unknown[] | undefined): string {
  return l && l.length > 0 ? JSON.stringify(l) : EMPTY_ARRAY;
}

function parseJson<T>(text: unknown, empty: T): T {
  if (typeof text !== 'string' || text === EMPTY_OBJECT || text === EMPTY_ARRAY || text === '') return empty;
  return JSON.parse(text) as T;
}

function flag(b: boolean | undefined): number {
  return b ? 1 : 0;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export const NAMESPACE: Table<Namespace> = table({
  name: 'namespace',
  columns: ['name', 'comment', 'owner', 'token', 'service_export_to', 'metadata'],
  values: (ns) => [
    ns.name,
    ns.comment ?? '',
    ns.owner ?? '',
    ns.token ?? '',
    listText(ns.serviceExportTo),
    metadataText(ns.metadata),
  ],
  decode: (r) => ({
    name: r[0] as string,
    comment: r[1] as string,
    owner: r[2] as string,
    token: r[3] as string,
    serviceExportTo: parseJson<string[]>(r[4], []),
    metadata: parseJson<Metadata>(r[5], {}),
    ctime: num(r[6]),
    mtime: num(r[7]),
  }),
});

export const SERVICE: Table<Service> = table({
  name: 'service',
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
  decode: (r) => ({
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
    aliasType: num(r[14]),
    platformId: r[15] as string,
    exportTo: parseJson<string[]>(r[16], []),
    metadata: parseJson<Metadata>(r[17], {}),
    ctime: num(r[18]),
    mtime: num(r[19]),
  }),
});

export const INSTANCE: Table<Instance> = table({
  name: 'instance',
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
  decode: (r) => ({
    id: r[0] as string,
    serviceId: r[1] as string,
    service: r[2] as string,
    namespace: r[3] as string,
    vpcId: r[4] as string,
    host: r[5] as string,
    port: num(r[6]),
    protocol: r[7] as string,
    version: r[8] as string,
    priority: num(r[9]),
    weight: num(r[10]),
    enableHealthCheck: num(r[11]) === 1,
    healthCheck: r[12] === null ? null : { type: num(r[12]), ttl: r[13] === null ? 0 : num(r[13]) },
    healthy: num(r[14]) === 1,
    isolate: num(r[15]) === 1,
    logicSet: r[16] as string,
    location: { region: r[17] as string, zone: r[18] as string, campus: r[19] as string },
    metadata: parseJson<Metadata>(r[20], {}),
    revision: r[21] as string,
    ctime: num(r[22]),
    mtime: num(r[23]),
  }),
});

export const CLIENT: Table<Client> = table({
  name: 'client',
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
  decode: (r) => ({
    id: r[0] as string,
    host: r[1] as string,
    type: num(r[2]),
    version: r[3] as string,
    location: { region: r[4] as string, zone: r[5] as string, campus: r[6] as string },
    stat: parseJson<ClientStat[]>(r[7], []),
    ctime: num(r[8]),
    mtime: num(r[9]),
  }),
});

/** The tables of the change feed, in the order a transaction stamps them. */
export const FEED_TABLES = [NAMESPACE.name, SERVICE.name, INSTANCE.name, CLIENT.name] as const;
export type FeedTable = (typeof FEED_TABLES)[number];
