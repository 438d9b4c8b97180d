import { createHash } from 'node:crypto';
import { packAny, TypeUrl, type PackedAny } from './protos.js';

/** One built, encoded resource: shared by every stream that receives it. */
export interface XdsResource {
  typeUrl: string;
  name: string;
  /** Hash of the encoded bytes: equal content, equal version (delta xDS per-resource version). */
  version: string;
  any: PackedAny;
  /** 96 bits of a hash of (name, version), as three uint32: combined by XOR into set versions. */
  fp: readonly [number, number, number];
}

export function makeResource(typeUrl: string, name: string, obj: object): XdsResource {
  return encodedResource(name, packAny(typeUrl, obj));
}

/** A resource from its message already encoded (as `packAny` would encode it: same bytes, same version). */
export function encodedResource(name: string, any: PackedAny): XdsResource {
  const typeUrl = any.type_url;
  const version = createHash('sha256').update(any.value).digest('hex').slice(0, 24);
  const d = createHash('sha256').update(`${name}\u0000${version}`).digest();
  return { typeUrl, name, version, any, fp: [d.readUInt32BE(0), d.readUInt32BE(4), d.readUInt32BE(8)] };
}

/**
 * The version of a set of resources: equal sets, equal version, on any stream and after
 * reconnects, whatever the order. The XOR of the members' fingerprints (names are unique within a
 * set), so a stream's set costs three integer operations per resource instead of a hash over its
 * sorted names.
 */
export function setVersion(resources: Iterable<XdsResource>): string {
  let a = 0;
  let b = 0;
  let c = 0;
  for (const r of resources) {
    a ^= r.fp[0];
    b ^= r.fp[1];
    c ^= r.fp[2];
  }
  return hex8(a) + hex8(b) + hex8(c);
}

/** Two hex digits per byte value: a set version is hashed for every subscription a change touches. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `n` as 8 hex digits (as an unsigned 32-bit value); a table lookup per byte is ~5x faster than toString(16) + padStart. */
function hex8(n: number): string {
  return (HEX[n >>> 24] as string) + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
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
