import { byNewest, type NamingReader } from '../cache/api.js';
import type { Instance as WireInstance, Service as WireService, ServiceAlias as WireServiceAlias } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { Instance, Service } from '../common/model/naming.js';
import { isWildcard, wildcardMatcher } from '../common/utils/wildcard.js';
import type { ListResult, RawQuery } from './api.js';
import { instanceToWire, serviceToWire } from './convert.js';
import { checkAllowed, first, joined, paging, parseBool } from './query-params.js';

const SERVICE_KEYS = new Set([
  'name', 'namespace', 'business', 'department', 'cmdb_mod1', 'cmdb_mod2', 'cmdb_mod3', 'owner', 'platform_id',
  'only_exist_health_instance', 'host', 'port', 'keys', 'values', 'instance_keys', 'instance_values', 'offset', 'limit',
]);

type Pred<T> = (v: T) => boolean;

/** GET /naming/v1/services, served from the cache. */
export function listServices(cache: NamingReader, q: RawQuery): ListResult<WireService> {
  checkAllowed(q, SERVICE_KEYS, new Set(['values']));
  const { offset, limit } = paging(q);
  const preds: Pred<Service>[] = [(s) => !s.reference];
  const name = first(q, 'name');
  if (name) preds.push(((m) => (s: Service) => m(s.name))(wildcardMatcher(name, true)));
  const ns = first(q, 'namespace');
  if (ns) preds.push(((m) => (s: Service) => m(s.namespace))(wildcardMatcher(ns, true)));
  const business = first(q, 'business');
  if (business) preds.push((s) => s.business.toLowerCase().includes(business.toLowerCase()));
  const owner = first(q, 'owner');
  if (owner) preds.push((s) => s.owner.includes(owner));
  for (const [key, field] of [
    ['department', 'department'],
    ['cmdb_mod1', 'cmdbMod1'],
    ['cmdb_mod2', 'cmdbMod2'],
    ['cmdb_mod3', 'cmdbMod3'],
    ['platform_id', 'platformId'],
  ] as const) {
    const v = first(q, key);
    if (v) preds.push((s) => s[field] === v);
  }
  const keys = joined(q, 'keys');
  if (keys) {
    const value = joined(q, 'values') ?? '';
    preds.push((s) => s.metadata[keys] === value);
  }
  const instPred = instanceFilter(q);
  if (instPred) preds.push((s) => someInstance(cache, s.id, instPred));
  if (parseBool(first(q, 'only_exist_health_instance'))) preds.push((s) => cache.instanceCount(s.id).healthy > 0);

  const matches = [...cache.services()].filter((s) => preds.every((p) => p(s)));
  matches.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const items = matches.slice(offset, offset + limit).map((s) => serviceToWire(s, cache.instanceCount(s.id)));
  return { amount: matches.length, items };
}

function instanceFilter(q: RawQuery): Pred<Instance> | undefined {
  const preds: Pred<Instance>[] = [];
  const host = first(q, 'host');
  if (host) {
    const hosts = new Set(host.split(','));
    preds.push((i) => hosts.has(i.host));
  }
  const port = first(q, 'port');
  if (port) {
    const ports = new Set(port.split(',').map(Number));
    preds.push((i) => ports.has(i.port));
  }
  const ik = first(q, 'instance_keys');
  const iv = first(q, 'instance_values');
  if (ik || iv) {
    const ks = (ik ?? '').split(',');
    const vs = (iv ?? '').split(',');
    if (ks.length !== vs.length) throw new PolarisError(Code.InvalidParameter, 'instance_keys and instance_values differ in length');
    preds.push((i) => ks.every((k, n) => i.metadata[k] === vs[n]));
  }
  return preds.length ? (i) => preds.every((p) => p(i)) : undefined;
}

function someInstance(cache: NamingReader, serviceId: string, pred: Pred<Instance>): boolean {
  for (const i of cache.instancesOf(serviceId)) if (pred(i)) return true;
  return false;
}

const ALIAS_KEYS = new Set(['alias', 'alias_namespace', 'service', 'namespace', 'owner', 'offset', 'limit']);

export function listAliases(
  cache: NamingReader,
  q: RawQuery,
  toWire: (alias: Service, source: Service | undefined) => WireServiceAlias,
): ListResult<WireServiceAlias> {
  checkAllowed(q, ALIAS_KEYS);
  const { offset, limit } = paging(q);
  const m = (key: string) => {
    const v = first(q, key);
    return v ? wildcardMatcher(v) : undefined;
  };
  const [alias, aliasNs, service, ns] = [m('alias'), m('alias_namespace'), m('service'), m('namespace')];
  const owner = first(q, 'owner');
  const out: { a: Service; s: Service | undefined }[] = [];
  for (const a of cache.services()) {
    if (!a.reference) continue;
    const s = cache.serviceById(a.reference);
    if (alias && !alias(a.name)) continue;
    if (aliasNs && !aliasNs(a.namespace)) continue;
    if (service && !service(s?.name ?? '')) continue;
    if (ns && !ns(s?.namespace ?? '')) continue;
    if (owner && !a.owner.includes(owner)) continue;
    out.push({ a, s });
  }
  out.sort((x, y) => y.a.mtime - x.a.mtime || (x.a.id < y.a.id ? -1 : 1));
  return { amount: out.length, items: out.slice(offset, offset + limit).map(({ a, s }) => toWire(a, s)) };
}

const INSTANCE_KEYS = new Set([
  'id', 'service', 'namespace', 'host', 'port', 'keys', 'values', 'protocol', 'version', 'health_status', 'healthy',
  'isolate', 'weight', 'logic_set', 'cmdb_region', 'cmdb_zone', 'cmdb_idc', 'priority', 'offset', 'limit',
]);

/** GET /naming/v1/instances, served from the cache. */
export function listInstances(cache: NamingReader, q: RawQuery): ListResult<WireInstance> {
  const filters = Object.keys(q).filter((k) => k !== 'offset' && k !== 'limit');
  if (filters.length === 0) throw new PolarisError(Code.EmptyQueryParameter);
  checkAllowed(q, INSTANCE_KEYS);
  const { offset, limit } = paging(q);
  const preds: Pred<Instance>[] = [];
  const id = first(q, 'id');
  if (id) preds.push(((mm) => (i: Instance) => mm(i.id))(wildcardMatcher(id)));
  const svc = first(q, 'service');
  const ns = first(q, 'namespace');
  // A query naming one service exactly reads that service's pre-sorted list; otherwise scan.
  const exact = svc && ns && !isWildcard(svc) && !isWildcard(ns) ? (cache.service(ns, svc) ?? null) : undefined;
  if (exact === undefined) {
    if (svc) preds.push(((mm) => (i: Instance) => mm(i.service))(wildcardMatcher(svc, true)));
    if (ns) preds.push(((mm) => (i: Instance) => mm(i.namespace))(wildcardMatcher(ns, true)));
  }
  const host = first(q, 'host');
  if (host) {
    const hosts = new Set(host.split(','));
    preds.push((i) => hosts.has(i.host));
  }
  const num = (key: string): number | undefined => {
    const v = first(q, key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new PolarisError(Code.InvalidParameter, `${key} must be a number`);
    return Number(v);
  };
  const port = num('port');
  if (port !== undefined) preds.push((i) => i.port === port);
  const weight = num('weight');
  if (weight !== undefined) preds.push((i) => i.weight === weight);
  const keys = joined(q, 'keys');
  const values = joined(q, 'values');
  if ((keys === undefined) !== (values === undefined)) throw new PolarisError(Code.InvalidQueryInsParameter);
  if (keys !== undefined && values !== undefined) {
    const ks = keys.split(',');
    const vs = values.split(',');
    if (ks.length !== vs.length) throw new PolarisError(Code.InvalidQueryInsParameter);
    preds.push((i) => ks.every((k, n) => i.metadata[k] === vs[n]));
  }
  for (const [key, get] of [
    ['protocol', (i: Instance) => i.protocol],
    ['version', (i: Instance) => i.version],
    ['cmdb_region', (i: Instance) => i.location.region],
    ['cmdb_zone', (i: Instance) => i.location.zone],
    ['cmdb_idc', (i: Instance) => i.location.campus],
  ] as const) {
    const v = first(q, key);
    if (v !== undefined) preds.push((i) => get(i) === v);
  }
  const healthy = parseBool(first(q, 'healthy') ?? first(q, 'health_status'));
  if (healthy !== undefined) preds.push((i) => i.healthy === healthy);
  const isolate = parseBool(first(q, 'isolate'));
  if (isolate !== undefined) preds.push((i) => i.isolate === isolate);

  let matches: readonly Instance[];
  if (exact !== undefined) {
    const sorted = exact ? cache.sortedInstancesOf(exact.id) : [];
    matches = preds.length === 0 ? sorted : sorted.filter((i) => preds.every((p) => p(i)));
  } else {
    const found: Instance[] = [];
    for (const i of cache.instances()) if (preds.every((p) => p(i))) found.push(i);
    matches = found.sort(byNewest);
  }
  const items = matches
    .slice(offset, offset + limit)
    .map((i) => instanceToWire(i, cache.serviceById(i.serviceId)?.token));
  return { amount: matches.length, items };
}
