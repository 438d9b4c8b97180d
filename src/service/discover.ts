import { createHash } from 'node:crypto';
import type { NamingReader } from '../cache/api.js';
import type {
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  Service as WireService,
} from '../common/api/gen/wire.js';
import { codeInfo } from '../common/errors/code-info.js';
import { Code, type PolarisCode } from '../common/errors/codes.js';
import type { Service } from '../common/model/naming.js';
import { instanceToDiscoverWire, serviceToWire } from './convert.js';
import type { RuleDiscoverType, RuleDiscovery } from './rules/api.js';

/** SHA-1 of empty input: the revision of "nothing" (no instances, no routes). */
export const EMPTY_REVISION = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

type DiscoverType = NonNullable<WireDiscoverRequest['type']>;

function answer(code: PolarisCode, type: DiscoverType, service: WireService | null | undefined): WireDiscoverResponse {
  return { code, info: codeInfo(code), type: type as WireDiscoverResponse['type'], service: service ?? null };
}

/**
 * Answers one Discover request from the cache. Always echoes the requested type and service so an
 * SDK multiplexing a stream can match the answer (unlike polaris-server for unsupported types).
 * `onlyHealthy` is honoured by the HTTP /v1/Discover only, as polaris does.
 */
export function discover(
  cache: NamingReader,
  req: WireDiscoverRequest,
  onlyHealthy = false,
  rules?: RuleDiscovery,
): WireDiscoverResponse {
  const type: DiscoverType = req.type ?? 'UNKNOWN';
  const reqSvc = req.service;
  if (type === 'SERVICES') return discoverServices(cache, req);
  const supported = ['INSTANCE', 'ROUTING', 'RATE_LIMIT', 'CIRCUIT_BREAKER', 'FAULT_DETECTOR'];
  if (rules) supported.push('LANE');
  if (!supported.includes(type)) return answer(Code.InvalidDiscoverResource, type, reqSvc);
  if (!reqSvc) return answer(Code.EmptyRequest, type, null);
  const svcReq: WireService = { ...reqSvc };
  if (type === 'INSTANCE' && !svcReq.namespace) svcReq.namespace = 'default';
  if (!svcReq.name) return answer(Code.InvalidServiceName, type, svcReq);
  if (!svcReq.namespace) return answer(Code.InvalidNamespaceName, type, svcReq);
  const name = svcReq.name;
  const namespace = svcReq.namespace;

  const found = cache.service(namespace, name);
  const source = found?.reference ? cache.serviceById(found.reference) : found;
  if (type !== 'INSTANCE' && rules) {
    // Rules are looked up for the alias target, or for the requested names when no such service exists.
    const of = source ? { name: source.name, namespace: source.namespace } : { name, namespace };
    return rules.discover(type as RuleDiscoverType, { ...svcReq, name, namespace }, of);
  }
  switch (type) {
    case 'INSTANCE':
      return discoverInstances(cache, svcReq, name, namespace, source, onlyHealthy);
    case 'ROUTING': {
      const revision = EMPTY_REVISION;
      if (svcReq.revision === revision) return answer(Code.DataNoChange, type, svcReq);
      return {
        ...answer(Code.ExecuteSuccess, type, { name, namespace, revision }),
        routing: { service: name, namespace, inbounds: [], outbounds: [], revision },
        aliasFor: source ? { name: source.name, namespace: source.namespace } : null,
      };
    }
    default:
      // Rules arrive with the governance-rules work; no rules means the bare skeleton.
      return answer(Code.ExecuteSuccess, type, { name, namespace });
  }
}

function discoverInstances(
  cache: NamingReader,
  svcReq: WireService,
  name: string,
  namespace: string,
  source: Service | undefined,
  onlyHealthy: boolean,
): WireDiscoverResponse {
  // A service of that name in another namespace that exports itself here is visible too; polaris
  // looks there only when the requested namespace has no such service.
  const visible = source ? [source] : exportedTo(cache, name, namespace);
  if (visible.length === 0) return answer(Code.NotFoundResource, 'INSTANCE', svcReq);
  // v1.18.1 gives an empty service its own revision too (not the empty-input SHA-1).
  const revisions = visible.map((s) => cache.serviceRevision(s.id));
  const revision = revisions.length === 1 ? revisions[0] : createHash('sha1').update(revisions.join('')).digest('hex');
  if (svcReq.revision === revision) return answer(Code.DataNoChange, 'INSTANCE', svcReq);
  const full: WireService = source ? serviceToWire(source) : { name, namespace };
  delete full.total_instance_count;
  delete full.healthy_instance_count;
  const resp: WireDiscoverResponse = {
    ...answer(Code.ExecuteSuccess, 'INSTANCE', { ...full, name, namespace, revision }),
    aliasFor: source ? serviceToWire(source) : { name, namespace },
  };
  // The instances of this revision: a snapshot the cache keeps until the service changes.
  const members = visible.map((svc) => cache.instancesOf(svc.id));
  return withLazyField(resp, 'instances', () => {
    const instances = [];
    for (const list of members) {
      for (const inst of list) {
        if (onlyHealthy && (!inst.healthy || inst.isolate)) continue;
        instances.push(instanceToDiscoverWire(inst));
      }
    }
    return instances;
  });
}

/**
 * Gives `obj` an enumerable `field` built on first read (then kept). A full answer's instance list
 * is built only when it is encoded: an adapter holding the answer's bytes for that revision
 * already (the gRPC pre-encoded cache) never pays for it.
 */
function withLazyField<T extends object, K extends keyof T>(obj: T, field: K, build: () => T[K]): T {
  let value: T[K] | undefined;
  let built = false;
  Object.defineProperty(obj, field, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!built) {
        value = build();
        built = true;
      }
      return value;
    },
    set: (v: T[K]) => {
      value = v;
      built = true;
    },
  });
  return obj;
}

/** Services named `name` in other namespaces exported to `namespace` (service or namespace level). */
function exportedTo(cache: NamingReader, name: string, namespace: string): Service[] {
  const out: Service[] = [];
  for (const svc of cache.servicesNamed(name)) {
    if (svc.namespace === namespace || svc.reference) continue;
    const nsExports = cache.namespace(svc.namespace)?.serviceExportTo ?? [];
    const targets = [...svc.exportTo, ...nsExports];
    if (targets.includes(namespace) || targets.includes('*')) out.push(svc);
  }
  return out;
}

function discoverServices(cache: NamingReader, req: WireDiscoverRequest): WireDiscoverResponse {
  const svcReq: WireService = { ...(req.service ?? {}) };
  const namespace = svcReq.namespace ?? '';
  if (namespace && !cache.namespace(namespace)) return answer(Code.ExecuteSuccess, 'SERVICES', svcReq);
  const revision = cache.servicesRevision(namespace);
  if (svcReq.revision && svcReq.revision === revision) return answer(Code.DataNoChange, 'SERVICES', svcReq);
  const source = namespace ? cache.servicesOfNamespace(namespace) : cache.services();
  const services: WireService[] = [];
  for (const s of source) services.push({ namespace: s.namespace, name: s.name, metadata: { ...s.metadata } });
  return {
    ...answer(Code.ExecuteSuccess, 'SERVICES', { namespace, name: svcReq.name ?? '', revision }),
    services,
  };
}
