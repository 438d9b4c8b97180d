import { createHash } from 'node:crypto';
import { packAny, TypeUrl, type PackedAny } from './protos.js';

/** One built, encoded resource: shared by every stream that receives it. */
export interface XdsResource {
  typeUrl: string;
  name: string;
  /** Hash of the encoded bytes: equal content, equal version (delta xDS per-resource version). */
  version: string;
  any: PackedAny;
}

export function makeResource(typeUrl: string, name: string, obj: object): XdsResource {
  const any = packAny(typeUrl, obj);
  const version = createHash('sha256').update(any.value).digest('hex').slice(0, 24);
  return { typeUrl, name, version, any };
}

/** Which names of which types changed (built anew, or removed) in one namespace or globally. */
export interface ResourceChange {
  typeUrl: string;
  name: string;
  /** The namespace whose wildcard view the resource is part of; '' for named-only resources. */
  namespace: string;
}

/** The four types in ADS ordering (CDS before EDS, LDS before RDS). */
export const ORDERED_TYPES = [TypeUrl.Cluster, TypeUrl.Endpoint, TypeUrl.Listener, TypeUrl.Route] as const;

/** Short type names for logs. */
export function shortType(typeUrl: string): string {
  switch (typeUrl) {
    case TypeUrl.Cluster:
      return 'CDS';
    case TypeUrl.Endpoint:
      return 'EDS';
    case TypeUrl.Listener:
      return 'LDS';
    case TypeUrl.Route:
      return 'RDS';
    default:
      return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  }
}
