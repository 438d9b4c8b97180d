import type { NamingReader } from '../../cache/api.js';
import type {
  Instance as WireInstance,
  Namespace as WireNamespace,
  Service as WireService,
  ServiceAlias as WireServiceAlias,
} from '../../common/api/gen/wire.js';
import type { ResourceRef } from '../api.js';

/**
 * How naming requests map to the resources they touch. Names come from the request (so a
 * namespace or service that does not exist yet is still named); ids come from the naming cache.
 */

export function namespaceRef(name: string | null | undefined): ResourceRef {
  return { type: 'namespaces', id: name ?? '' };
}

export function namespaceRefs(reqs: readonly WireNamespace[]): ResourceRef[] {
  return reqs.map((r) => namespaceRef(r.name));
}

/** A service by namespace + name; id '' when it does not exist (yet). */
export function serviceRef(cache: NamingReader, namespace: string | null | undefined, name: string | null | undefined): ResourceRef {
  const ns = namespace ?? '';
  const svc = ns !== '' && name ? cache.service(ns, name) : undefined;
  return { type: 'services', id: svc?.id ?? '', namespace: ns, serviceId: svc?.id };
}

export function serviceRefs(cache: NamingReader, reqs: readonly WireService[]): ResourceRef[] {
  return reqs.map((r) => serviceRef(cache, r.namespace, r.name));
}

/**
 * An instance is guarded as its service: by service + namespace when given, else by the instance
 * id's current service. An instance that cannot be placed touches nothing identifiable.
 */
export function instanceRefs(cache: NamingReader, reqs: readonly WireInstance[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const r of reqs) {
    if (r.service && r.namespace) {
      out.push(serviceRef(cache, r.namespace, r.service));
      continue;
    }
    const inst = r.id ? cache.instance(r.id) : undefined;
    if (inst) out.push({ type: 'services', id: inst.serviceId, namespace: inst.namespace, serviceId: inst.serviceId });
  }
  return out;
}

/** An alias is a service in the alias namespace pointing at a source service: both are touched. */
export function aliasRefs(cache: NamingReader, reqs: readonly WireServiceAlias[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const r of reqs) {
    out.push(serviceRef(cache, r.alias_namespace ?? r.namespace, r.alias));
    if (r.service) out.push(serviceRef(cache, r.namespace, r.service));
  }
  return out;
}
