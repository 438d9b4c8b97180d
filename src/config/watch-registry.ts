/**
 * Which client has which version of which file (field-lessons #21): one record per (client, file),
 * updated when the client watches (the version it says it has), is woken up (the version it was
 * told about) or fetches (the version it was served). Records of clients no longer watching expire
 * after `idleTtlMs`; the table is bounded by `maxRecords` (oldest idle records go first).
 */

export interface ClientFileRecord {
  client: string;
  ip: string;
  protocol: string;
  key: string;
  namespace: string;
  group: string;
  fileName: string;
  version: number;
  notifiedVersion: number;
  watching: number;
  lastSeen: number;
}

interface ClientRef {
  clientId: string;
  ip: string;
  protocol: string;
}

interface FileRef {
  key: string;
  namespace: string;
  group: string;
  fileName: string;
}

export class WatchRegistry {
  private readonly records = new Map<string, ClientFileRecord>();

  constructor(
    private readonly now: () => number,
    private readonly idleTtlMs = 10 * 60_000,
    private readonly maxRecords = 100_000,
  ) {}

  private record(c: ClientRef, f: FileRef): ClientFileRecord {
    const id = `${c.clientId}\u0001${f.key}`;
    let r = this.records.get(id);
    if (!r) {
      if (this.records.size >= this.maxRecords) this.evictOne();
      r = {
        client: c.clientId,
        ip: c.ip,
        protocol: c.protocol,
        key: f.key,
        namespace: f.namespace,
        group: f.group,
        fileName: f.fileName,
        version: 0,
        notifiedVersion: 0,
        watching: 0,
        lastSeen: 0,
      };
      this.records.set(id, r);
    }
    r.lastSeen = this.now();
    return r;
  }

  /** The client watches `f` holding `version`. */
  reported(c: ClientRef, f: FileRef & { version: number }): void {
    this.record(c, f).version = f.version;
  }

  holding(c: ClientRef, f: FileRef, delta: number): void {
    const r = this.record(c, f);
    r.watching = Math.max(0, r.watching + delta);
  }

  notified(c: ClientRef, f: FileRef, version: number): void {
    const r = this.record(c, f);
    r.notifiedVersion = Math.max(r.notifiedVersion, version);
  }

  fetched(c: ClientRef, f: FileRef, version: number): void {
    this.record(c, f).version = version;
  }

  list(): IterableIterator<ClientFileRecord> {
    return this.records.values();
  }

  sweep(): void {
    const cutoff = this.now() - this.idleTtlMs;
    for (const [id, r] of this.records) if (r.watching === 0 && r.lastSeen < cutoff) this.records.delete(id);
  }

  private evictOne(): void {
    let oldestId: string | undefined;
    let oldest = Infinity;
    for (const [id, r] of this.records) {
      if (r.watching === 0 && r.lastSeen < oldest) {
        oldest = r.lastSeen;
        oldestId = id;
      }
    }
    if (oldestId !== undefined) this.records.delete(oldestId);
  }
}
