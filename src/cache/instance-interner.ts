import type { HealthCheck, Instance, Location, Metadata } from '../common/model/naming.js';

/** Distinct strings kept for sharing; beyond this the pool starts over (sharing resumes). */
const STRINGS_KEPT = 200_000;
/** Distinct metadata objects remembered per service. */
const METADATA_PER_SERVICE = 8;

/**
 * Makes the instances the cache keeps share what they have in common. A store row decodes into
 * fresh strings and objects for every instance; with many instances per service most of them are
 * equal (namespace, service, protocol, version, location, health check, metadata). Equal values
 * are replaced by one shared copy, in place, before the instance enters the cache.
 *
 * Shared objects are never changed: the cache's instances are read-only to everyone.
 */
export class InstanceInterner {
  private readonly strings = new Map<string, string>();
  private readonly locations = new Map<string, Location>();
  private readonly checks = new Map<string, HealthCheck>();
  /** Recent distinct metadata objects of each service (by service id), newest last. */
  private readonly metadataBySvc = new Map<string, Metadata[]>();

  intern(inst: Instance): Instance {
    inst.serviceId = this.str(inst.serviceId);
    inst.service = this.str(inst.service);
    inst.namespace = this.str(inst.namespace);
    inst.vpcId = this.str(inst.vpcId);
    inst.protocol = this.str(inst.protocol);
    inst.version = this.str(inst.version);
    inst.logicSet = this.str(inst.logicSet);
    inst.location = this.location(inst.location);
    if (inst.healthCheck) inst.healthCheck = this.check(inst.healthCheck);
    inst.metadata = this.metadata(inst.serviceId, inst.metadata);
    return inst;
  }

  /** Forgets a deleted service's metadata candidates. */
  forgetService(serviceId: string): void {
    this.metadataBySvc.delete(serviceId);
  }

  private str(s: string): string {
    if (typeof s !== 'string' || s.length === 0) return s;
    const found = this.strings.get(s);
    if (found !== undefined) return found;
    if (this.strings.size >= STRINGS_KEPT) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  private location(loc: Location): Location {
    const key = `${loc.region}\u0000${loc.zone}\u0000${loc.campus}`;
    const found = this.locations.get(key);
    if (found) return found;
    if (this.locations.size >= STRINGS_KEPT) this.locations.clear();
    const shared = { region: this.str(loc.region), zone: this.str(loc.zone), campus: this.str(loc.campus) };
    this.locations.set(key, shared);
    return shared;
  }

  private check(hc: HealthCheck): HealthCheck {
    const key = `${hc.type}:${hc.ttl}`;
    const found = this.checks.get(key);
    if (found) return found;
    this.checks.set(key, hc);
    return hc;
  }

  private metadata(serviceId: string, md: Metadata): Metadata {
    if (md === null || typeof md !== 'object') return md;
    let recent = this.metadataBySvc.get(serviceId);
    if (!recent) this.metadataBySvc.set(serviceId, (recent = []));
    for (let i = recent.length - 1; i >= 0; i--) if (sameMetadata(recent[i], md)) return recent[i];
    const own: Metadata = {};
    for (const k of Object.keys(md)) own[this.str(k)] = md[k];
    recent.push(own);
    if (recent.length > METADATA_PER_SERVICE) recent.shift();
    return own;
  }
}

function sameMetadata(a: Metadata, b: Metadata): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k] || !Object.prototype.hasOwnProperty.call(a, k)) return false;
    n++;
  }
  return n === Object.keys(a).length;
}
