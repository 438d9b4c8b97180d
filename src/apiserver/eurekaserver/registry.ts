import type { Logger } from 'pino';
import { Code } from '../../common/errors/codes.js';
import { internalContext } from '../../common/lifecycle.js';
import type { NamingService } from '../../service/api.js';
import { toInstanceInfo, type ReadOptions } from './convert.js';

/** One InstanceInfo (Eureka JSON form) and the polaris revision it was built from. */
export interface Entry {
  info: Record<string, unknown> & { instanceId: string; app: string; status: string };
  rev: string;
}

/** The registry of one namespace as Eureka clients see it: apps by upper-case name. */
export interface AppsView {
  /** `versions__delta`: bumped by each rebuild that changed what clients see. */
  version: number;
  /** `apps__hashcode` of this view. */
  hash: string;
  /** App name → Eureka instance id → entry; apps in name order. */
  apps: Map<string, Map<string, Entry>>;
  /** The same instances by app as the services they come from (kept across views when unchanged). */
  groups: Map<string, ServiceEntry[]>;
}

export interface Lease {
  atMs: number;
  app: string;
  id: string;
  action: 'ADDED' | 'MODIFIED' | 'DELETED';
  entry: Entry;
}

export interface ServiceEntry {
  revision: string;
  entries: Entry[];
  /** Encoded instance lists (comma-joined JSON, concatenated XML), made once per service revision. */
  json?: Buffer;
  xml?: Buffer;
}

/** Eureka's reconcile hash: `STATUS_count_` per status, statuses in name order ('' when empty). */
export function appsHash(entries: Iterable<Entry>): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.info.status, (counts.get(e.info.status) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((s) => `${s}_${counts.get(s)}_`)
    .join('');
}

export function* allEntries(apps: Map<string, Map<string, Entry>>): Iterable<Entry> {
  for (const m of apps.values()) yield* m.values();
}

/**
 * The Eureka view of one namespace (spec §1.9–§1.10). Built from the naming front door's Discover
 * answers, service by service, reusing services whose revision did not move. A change signal marks
 * the view stale; the next read (or the refresh tick) rebuilds it, so reads are never older than
 * the naming cache. Each rebuild that changes the view records per-instance leases (ADDED,
 * MODIFIED, DELETED) that `/apps/delta` serves for `deltaExpireMs`.
 */
export class NamespaceRegistry {
  private services = new Map<string, ServiceEntry>();
  private view: AppsView | undefined;
  private stale = true;
  private building: Promise<AppsView> | undefined;
  private leases: Lease[] = [];
  /** Encoded answers of the current view (and delta), dropped on each change. */
  readonly encoded = new Map<string, unknown>();
  lastUsedMs = Date.now();

  constructor(
    private readonly deps: { naming: NamingService; logger: Logger },
    readonly namespace: string,
    private readonly opts: ReadOptions & {
      deltaExpireMs: number;
      /** Told of every per-instance change a rebuild finds (outbound replication). */
      onLeases?: (leases: readonly Lease[]) => void;
    },
  ) {}

  /** The last built view, without rebuilding. */
  peek(): AppsView | undefined {
    return this.view;
  }

  markStale(): void {
    this.stale = true;
  }

  get isStale(): boolean {
    return this.stale || !this.view;
  }

  /** The current view, rebuilt first when something changed since the last build. */
  async current(): Promise<AppsView> {
    this.lastUsedMs = Date.now();
    if (this.building) await this.building;
    if (this.stale || !this.view) {
      this.building ??= this.build()
        .catch((err: unknown) => {
          this.stale = true; // try again on the next read or tick
          throw err;
        })
        .finally(() => (this.building = undefined));
      return this.building;
    }
    return this.view;
  }

  /**
   * Drops expired leases. Called on rebuilds and refresh ticks only, so a cached delta answer stays
   * valid between ticks (a lease may outlive its window by up to one refresh interval).
   */
  pruneLeases(): void {
    const cutoff = Date.now() - this.opts.deltaExpireMs;
    let n = 0;
    while (n < this.leases.length && this.leases[n].atMs <= cutoff) n++;
    if (n === 0) return;
    this.leases = this.leases.slice(n);
    for (const k of [...this.encoded.keys()]) if (k.startsWith('delta')) this.encoded.delete(k);
  }

  private async build(): Promise<AppsView> {
    this.stale = false;
    const ctx = internalContext('eureka-registry');
    const list = await this.deps.naming.discover(ctx, { type: 'SERVICES', service: { namespace: this.namespace } });
    const names = (list.services ?? []).map((s) => s.name ?? '').filter((n) => n !== '');
    const next = new Map<string, ServiceEntry>();
    for (const name of names) {
      const prev = this.services.get(name);
      const r = await this.deps.naming.discover(ctx, {
        type: 'INSTANCE',
        service: { name, namespace: this.namespace, revision: prev?.revision ?? '' },
      });
      if (r.code === Code.DataNoChange && prev) {
        next.set(name, prev);
        continue;
      }
      if (r.code !== Code.ExecuteSuccess) continue;
      // An alias (or a service exported from elsewhere) shows another service's instances.
      if (r.aliasFor && (r.aliasFor.name !== name || r.aliasFor.namespace !== this.namespace)) continue;
      const entries: Entry[] = [];
      for (const w of r.instances ?? []) {
        if (w.healthy === false) continue; // unhealthy instances are hidden from Eureka clients
        entries.push({ info: toInstanceInfo(w, this.opts) as Entry['info'], rev: w.revision ?? '' });
      }
      next.set(name, { revision: r.service?.revision ?? '', entries });
    }
    this.services = next;

    const apps = new Map<string, Map<string, Entry>>();
    const groups = new Map<string, ServiceEntry[]>();
    for (const name of [...next.keys()].sort()) {
      const svc = next.get(name) as ServiceEntry;
      if (svc.entries.length === 0) continue;
      const app = name.toUpperCase();
      let m = apps.get(app);
      if (!m) apps.set(app, (m = new Map()));
      for (const e of svc.entries) m.set(e.info.instanceId, e);
      const g = groups.get(app);
      if (g) g.push(svc);
      else groups.set(app, [svc]);
    }
    const changed = this.recordLeases(this.view?.apps, apps);
    const version = (this.view?.version ?? 0) + (changed || !this.view ? 1 : 0);
    if (changed || !this.view) this.encoded.clear();
    this.view = { version, hash: appsHash(allEntries(apps)), apps, groups };
    return this.view;
  }

  /** Appends the leases that turn `before` into `after`; true when there were any. */
  private recordLeases(before: Map<string, Map<string, Entry>> | undefined, after: Map<string, Map<string, Entry>>): boolean {
    const now = Date.now();
    const added: Lease[] = [];
    for (const [app, m] of after) {
      const old = before?.get(app);
      for (const [id, e] of m) {
        const prev = old?.get(id);
        if (!prev) added.push({ atMs: now, app, id, action: 'ADDED', entry: e });
        else if (prev.rev !== e.rev || prev.info.status !== e.info.status) added.push({ atMs: now, app, id, action: 'MODIFIED', entry: e });
      }
    }
    for (const [app, m] of before ?? []) {
      const now2 = after.get(app);
      for (const [id, e] of m) if (!now2?.has(id)) added.push({ atMs: now, app, id, action: 'DELETED', entry: e });
    }
    if (added.length === 0) return false;
    for (const l of added) this.leases.push(l);
    this.pruneLeases();
    this.opts.onLeases?.(added);
    return true;
  }

  /**
   * The delta: each live lease once per app+id (the latest wins), grouped by app, deletions last
   * within an app. Its version and hash are the full view's, so a client that applied every
   * change since its last fetch computes the same hash.
   */
  delta(): Map<string, Record<string, unknown>[]> {
    const latest = new Map<string, Lease>();
    for (const l of this.leases) {
      const k = `${l.app}\u0000${l.id}`;
      latest.delete(k);
      latest.set(k, l);
    }
    const byApp = new Map<string, { live: Record<string, unknown>[]; gone: Record<string, unknown>[] }>();
    for (const l of latest.values()) {
      let g = byApp.get(l.app);
      if (!g) byApp.set(l.app, (g = { live: [], gone: [] }));
      const copy = { ...l.entry.info, actionType: l.action };
      (l.action === 'DELETED' ? g.gone : g.live).push(copy);
    }
    const out = new Map<string, Record<string, unknown>[]>();
    for (const app of [...byApp.keys()].sort()) {
      const g = byApp.get(app) as { live: Record<string, unknown>[]; gone: Record<string, unknown>[] };
      out.set(app, [...g.live, ...g.gone]);
    }
    return out;
  }
}
