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
export function discover(cache: NamingReader, req: WireDiscoverRequest, onlyHealthy = false): WireDiscoverResponse {
  const type: DiscoverType = req.type ?? 'UNKNOWN';
  const reqSvc = req.service;
  if (type === 'SERVICES') return discoverServices(cache, req);
  const supported = ['INSTANCE', 'ROUTING', 'RATE_LIMIT', 'CIRCUIT_BREAKER', 'FAULT_DETECTOR'];
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
  if (!source) return answer(Code.NotFoundResource, 'INSTANCE', svcReq);
  // v1.18.1 gives an empty service its own revision too (not the empty-input SHA-1).
  const revision = cache.serviceRevision(source.id);
  if (svcReq.revision === revision) return answer(Code.DataNoChange, 'INSTANCE', svcReq);
  const instances = [];
  for (const inst of cache.instancesOf(source.id)) {
    if (onlyHealthy && (!inst.healthy || inst.isolate)) continue;
    instances.push(instanceToDiscoverWire(inst));
  }
  const full = serviceToWire(source);
  delete full.total_instance_count;
  delete full.healthy_instance_count;
  return {
    ...answer(Code.ExecuteSuccess, 'INSTANCE', { ...full, name, namespace, revision }),
    instances,
    aliasFor: serviceToWire(source),
  };
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
