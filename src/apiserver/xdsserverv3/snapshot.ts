import type { Logger } from 'pino';
import type { Instance as WireInstance } from '../../common/api/gen/wire.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { NamingService, RegistryWatch, ServiceKey } from '../../service/api.js';
import type { RulesWatch } from '../../service/rules/api.js';
import { passthroughCluster } from './cds.js';
import { toEndpoints, toGatewayRoutes, toHealthChecks, toOutlier, toRateLimits, toRoutes, type ServiceInfo } from './convert.js';
import { demandRoute, GATEWAY_ROUTE, OUTBOUND_ROUTE, PASSTHROUGH_CLUSTER } from './names.js';
import { TypeUrl } from './protos.js';
import { demandRouteConfig, outboundRouteConfig } from './rds.js';
import { makeResource, type ResourceChange, type XdsResource } from './resource.js';
import { buildService, type BuiltService } from './service-build.js';

export interface SnapshotDeps {
  naming: NamingService;
  watch: RegistryWatch;
  rulesWatch?: RulesWatch;
  logger: Logger;
}

type TypedMap = Map<string, Map<string, XdsResource>>;

const CTX: RequestContext = { reqId: 'xds-snapshot', clientIp: '', protocol: 'xds', internal: true };

function put(m: TypedMap, r: XdsResource): void {
  let byName = m.get(r.typeUrl);
  if (!byName) m.set(r.typeUrl, (byName = new Map()));
  byName.set(r.name, r);
}

function key(ns: string, name: string): string {
  return `${ns}\u0000${name}`;
}

/** Counters of the snapshot's work, for the bench and debugging. */
export interface SnapshotStats {
  services: number;
  resources: number;
  /** Services rebuilt since start. */
  rebuilt: number;
  /** Duration of the last flush (reads + builds), ms. */
  lastFlushMs: number;
}

/**
 * The resources of every service, kept current incrementally: a registry or rule change marks
 * the services it names; a flush (on the next loop turn; changes arriving meanwhile wait for its
 * next pass) reads only those through the naming front door, rebuilds only the ones whose
 * instance or routing revision moved, and re-assembles the namespace-wide route configuration
 * from the cached virtual hosts of the rest.
 * Listeners then learn exactly which resource names changed. Nothing is built before the first
 * Envoy connects (polaris: lazy activation).
 */
export class XdsSnapshot {
  private readonly services = new Map<string, Map<string, BuiltService>>();
  /** Per namespace: the wildcard view (OUTBOUND clusters and assignments, passthrough, outbound router). */
  private readonly shared = new Map<string, TypedMap>();
  /** Every non-namespace-scoped resource by name. */
  private readonly named: TypedMap = new Map();
  private readonly listeners = new Set<(changes: ResourceChange[]) => void>();
  private readonly dirty = new Map<string, ServiceKey>();
  /** Target service → its aliases (learnt from Discover's aliasFor). */
  private readonly aliases = new Map<string, Map<string, ServiceKey>>();
  private allDirty = false;
  private activation: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  private counters = { rebuilt: 0, lastFlushMs: 0 };

  constructor(
    private readonly deps: SnapshotDeps,
    private readonly options: { debounceMs: number } = { debounceMs: 0 },
  ) {}

  /** Builds everything once (first caller), then follows changes. */
  activate(): Promise<void> {
    this.activation ??= this.doActivate();
    return this.activation;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  onChange(listener: (changes: ResourceChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The wildcard view of a namespace for one type. */
  wildcard(typeUrl: string, namespace: string): Iterable<XdsResource> {
    return this.shared.get(namespace)?.get(typeUrl)?.values() ?? [];
  }

  /** A resource by name: the namespace's own names first (passthrough, outbound router), then global ones. */
  lookup(typeUrl: string, name: string, namespace: string): XdsResource | undefined {
    return this.shared.get(namespace)?.get(typeUrl)?.get(name) ?? this.named.get(typeUrl)?.get(name);
  }

  /** A service's OUTBOUND cluster in a TLS variant, by the cluster's name. */
  tlsCluster(name: string, mode: 'strict' | 'permissive'): XdsResource | undefined {
    const [dir, ns, svc, extra] = name.split('|');
    if (dir !== 'OUTBOUND' || extra !== undefined || ns === undefined || svc === undefined) return undefined;
    return this.services.get(ns)?.get(svc)?.tls[mode];
  }

  /** The gateway route configuration built for one service (gateway nodes name it as their own). */
  gatewayRoute(namespace: string, service: string): XdsResource | undefined {
    return this.services.get(namespace)?.get(service)?.gateway;
  }

  stats(): SnapshotStats {
    let services = 0;
    let resources = 0;
    for (const m of this.services.values()) services += m.size;
    for (const m of this.named.values()) resources += m.size;
    for (const ns of this.shared.values()) for (const m of ns.values()) resources += m.size;
    return { services, resources, ...this.counters };
  }

  /**
   * Resolves once the changes noticed so far are built: a scheduled flush runs now. Bounded, so a
   * registry under constant churn cannot hold a caller (a new stream) forever.
   */
  async settle(): Promise<void> {
    await this.activate();
    for (let i = 0; i < 3 && (this.flushing || this.dirty.size > 0 || this.allDirty || this.timer || this.immediate); i++) {
      if (this.timer || this.immediate) {
        clearTimeout(this.timer);
        clearImmediate(this.immediate);
        this.timer = this.immediate = undefined;
        this.flush();
      }
      await this.flushing;
    }
  }

  private async doActivate(): Promise<void> {
    this.unsubscribe.push(
      this.deps.watch.onRegistryChange((change) => {
        for (const s of change.services) this.dirty.set(key(s.namespace, s.name), s);
        if (change.namespaces.length > 0 && change.services.length === 0) this.allDirty = true;
        this.schedule();
      }),
    );
    if (this.deps.rulesWatch) {
      this.unsubscribe.push(
        this.deps.rulesWatch.onRulesChange((kinds) => {
          if ([...kinds].some((k) => XDS_RULE_KINDS.has(k))) {
            this.allDirty = true;
            this.schedule();
          }
        }),
      );
    }
    this.allDirty = true;
    const started = performance.now();
    this.flush();
    await this.flushing;
    const { services, resources } = this.stats();
    this.deps.logger.info({ services, resources, ms: Math.round(performance.now() - started) }, 'xDS snapshot built');
  }

  /**
   * A change starts a flush on the next turn of the loop (after the write that caused it is
   * answered, in a loop turn of its own), not after a fixed delay: a lone change is pushed as soon as it is built. A burst is
   * still coalesced: what arrives while a flush runs is built by that flush's next pass.
   */
  private schedule(): void {
    if (this.stopped || this.timer || this.immediate || this.flushing || !this.activation) return;
    if (this.options.debounceMs <= 0) {
      // Two hops: an immediate queued while the loop handles I/O (the write's request) would run in
      // that same loop turn, adding the rebuild to it; the second hop starts the next turn.
      this.immediate = setImmediate(() => {
        this.immediate = setImmediate(() => {
          this.immediate = undefined;
          this.flush();
        });
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.debounceMs);
  }

  private flush(): void {
    if (this.flushing) {
      // The running flush loops while work remains.
      return;
    }
    this.flushing = (async () => {
      try {
        while (this.allDirty || this.dirty.size > 0) {
          const started = performance.now();
          const keys = this.allDirty ? await this.allServiceKeys() : this.withAliases([...this.dirty.values()]);
          this.allDirty = false;
          this.dirty.clear();
          const changes = await this.rebuild(keys);
          this.counters.lastFlushMs = performance.now() - started;
          if (changes.length > 0) this.emit(changes);
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'xDS snapshot refresh failed; serving the last good resources');
      } finally {
        this.flushing = undefined;
      }
    })();
  }

  /**
   * Goes up with every change emitted: whatever was computed at this revision (a subscription's
   * resources, a stream's answer) is current while it stays the same.
   */
  revision = 0;

  private emit(changes: ResourceChange[]): void {
    this.revision++;
    for (const l of this.listeners) {
      try {
        l(changes);
      } catch (err) {
        this.deps.logger.error({ err }, 'xDS push listener failed');
      }
    }
  }

  private withAliases(keys: ServiceKey[]): ServiceKey[] {
    const out = new Map(keys.map((k) => [key(k.namespace, k.name), k]));
    for (const k of keys) for (const [ak, a] of this.aliases.get(key(k.namespace, k.name)) ?? []) out.set(ak, a);
    return [...out.values()];
  }

  /** Every service now known, plus every service built before (deleted ones get removed). */
  private async allServiceKeys(): Promise<ServiceKey[]> {
    const resp = await this.deps.naming.discover(CTX, { type: 'SERVICES', service: { namespace: '' } });
    const out = new Map<string, ServiceKey>();
    for (const s of resp.services ?? []) out.set(key(s.namespace ?? '', s.name ?? ''), { namespace: s.namespace ?? '', name: s.name ?? '' });
    for (const [ns, m] of this.services) for (const name of m.keys()) out.set(key(ns, name), { namespace: ns, name });
    return [...out.values()];
  }

  /**
   * Reads a service's instances and rules through Discover, passing the revisions it was built
   * from: unchanged parts answer 200001 (cheap). 'same' = nothing moved; null = no such service.
   */
  private async readService(k: ServiceKey, prev: ServiceInfo | undefined): Promise<ServiceInfo | null | 'same'> {
    const revs = prev ? prev.revision.split('/') : [];
    const ask = (type: (typeof PARTS)[number], i: number) =>
      this.deps.naming.discover(CTX, { type, service: { namespace: k.namespace, name: k.name, revision: revs[i] ?? '' } });
    const ins = await ask('INSTANCE', 0);
    if (ins.code !== Code.ExecuteSuccess && ins.code !== Code.DataNoChange) return null;
    const src = ins.aliasFor;
    if (src?.name && (src.name !== k.name || src.namespace !== k.namespace)) {
      // An alias: its endpoints are its target's, so a change of the target rebuilds it too.
      const target = key(src.namespace ?? '', src.name);
      let set = this.aliases.get(target);
      if (!set) this.aliases.set(target, (set = new Map()));
      set.set(key(k.namespace, k.name), k);
    }
    const answers = [ins, await ask('ROUTING', 1), await ask('RATE_LIMIT', 2), await ask('CIRCUIT_BREAKER', 3), await ask('FAULT_DETECTOR', 4)];
    const fresh = (i: number) => answers[i].code === Code.ExecuteSuccess;
    if (!answers.some((_, i) => fresh(i)) && prev) return 'same';
    const next: ServiceInfo = { ...(prev ?? { namespace: k.namespace, name: k.name, endpoints: [], ports: [], routes: [], rateLimits: [], revision: '' }) };
    if (fresh(0)) Object.assign(next, toEndpoints((ins.instances ?? []) as WireInstance[]));
    if (fresh(1)) {
      next.routes = toRoutes(answers[1].routing?.inbounds ?? []);
      next.gatewayRoutes = toGatewayRoutes(answers[1].routing?.outbounds ?? [], k.namespace);
    }
    if (fresh(2)) next.rateLimits = toRateLimits(answers[2].rateLimit?.rules ?? []);
    if (fresh(3)) next.outlier = toOutlier(answers[3].circuitBreaker?.rules ?? []);
    if (fresh(4)) next.healthChecks = toHealthChecks(answers[4].faultDetector?.rules ?? []);
    next.revision = answers.map((a, i) => (fresh(i) ? a.service?.revision ?? '' : revs[i] ?? '')).join('/');
    return next;
  }

  private async rebuild(keys: ServiceKey[]): Promise<ResourceChange[]> {
    const changes: ResourceChange[] = [];
    const touchedNs = new Set<string>();
    let sliceStart = performance.now();
    for (const k of keys) {
      // The reads resolve at once (microtasks): without a pause, building every service (the first
      // Envoy, a rule change) would hold the event loop for the whole build. Only large rebuilds
      // pause: a stream answered meanwhile sees some services already rebuilt and the rest (and the
      // namespace route configuration) as before, and gets the rest pushed when the build ends.
      if (keys.length >= BUILD_PAUSE_MIN_SERVICES && performance.now() - sliceStart > BUILD_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const prev = this.services.get(k.namespace)?.get(k.name);
      let info: ServiceInfo | null | 'same';
      try {
        info = await this.readService(k, prev?.info);
      } catch (err) {
        this.deps.logger.warn({ err, namespace: k.namespace, service: k.name }, 'xDS: service read failed; keeping its resources');
        continue;
      }
      if (info === 'same') continue;
      if (info === null) {
        if (prev) this.remove(prev, changes);
        if (prev) touchedNs.add(k.namespace);
        continue;
      }
      let built: BuiltService;
      try {
        built = buildService(info, prev);
      } catch (err) {
        this.deps.logger.error({ err, namespace: k.namespace, service: k.name }, 'xDS: resources of a service could not be built');
        continue;
      }
      this.counters.rebuilt++;
      this.install(prev, built, changes);
      if (!prev || (prev.vhost !== built.vhost && JSON.stringify(prev.vhost) !== JSON.stringify(built.vhost))) touchedNs.add(k.namespace);
      if (!this.shared.get(k.namespace)?.get(TypeUrl.Cluster)?.has(PASSTHROUGH_CLUSTER)) touchedNs.add(k.namespace);
    }
    for (const ns of touchedNs) {
      try {
        this.rebuildNamespace(ns, changes);
      } catch (err) {
        this.deps.logger.error({ err, namespace: ns }, 'xDS: namespace-wide resources could not be built');
      }
    }
    return changes;
  }

  private nsMap(ns: string): TypedMap {
    let m = this.shared.get(ns);
    if (!m) this.shared.set(ns, (m = new Map()));
    return m;
  }

  private install(prev: BuiltService | undefined, built: BuiltService, changes: ResourceChange[]): void {
    const ns = built.info.namespace;
    let svcs = this.services.get(ns);
    if (!svcs) this.services.set(ns, (svcs = new Map()));
    svcs.set(built.info.name, built);
    const fresh = new Set<string>();
    for (const r of built.shared) {
      const old = this.named.get(r.typeUrl)?.get(r.name);
      put(this.nsMap(ns), r);
      put(this.named, r);
      fresh.add(`${r.typeUrl} ${r.name}`);
      if (old?.version !== r.version) changes.push({ typeUrl: r.typeUrl, name: r.name, namespace: ns });
    }
    for (const r of built.named) {
      const old = this.named.get(r.typeUrl)?.get(r.name);
      put(this.named, r);
      fresh.add(`${r.typeUrl} ${r.name}`);
      if (old?.version !== r.version) changes.push({ typeUrl: r.typeUrl, name: r.name, namespace: '' });
    }
    if (prev?.gateway.version !== built.gateway.version) changes.push({ typeUrl: TypeUrl.Route, name: GATEWAY_ROUTE, namespace: ns });
    // Resources the previous build had and this one has not (a subset no route uses any more).
    if (prev) {
      for (const r of [...prev.shared, ...prev.named]) {
        if (fresh.has(`${r.typeUrl} ${r.name}`)) continue;
        this.drop(r, prev.shared.includes(r) ? ns : '', changes);
      }
    }
  }

  private remove(prev: BuiltService, changes: ResourceChange[]): void {
    const ns = prev.info.namespace;
    this.services.get(ns)?.delete(prev.info.name);
    for (const r of prev.shared) this.drop(r, ns, changes);
    for (const r of prev.named) this.drop(r, '', changes);
    changes.push({ typeUrl: TypeUrl.Route, name: GATEWAY_ROUTE, namespace: ns });
  }

  private drop(r: XdsResource, ns: string, changes: ResourceChange[]): void {
    this.named.get(r.typeUrl)?.delete(r.name);
    if (ns) this.shared.get(ns)?.get(r.typeUrl)?.delete(r.name);
    changes.push({ typeUrl: r.typeUrl, name: r.name, namespace: ns });
  }

  /** The namespace-wide resources: passthrough cluster and `polaris-outbound-router` from every service's vhost. */
  private rebuildNamespace(ns: string, changes: ResourceChange[]): void {
    const svcs = this.services.get(ns);
    const m = this.nsMap(ns);
    if (!svcs || svcs.size === 0) {
      // polaris keeps serving an empty view; drop the namespace-wide resources with the last service.
      for (const [typeUrl, name] of [
        [TypeUrl.Cluster, PASSTHROUGH_CLUSTER],
        [TypeUrl.Route, OUTBOUND_ROUTE],
        [TypeUrl.Route, demandRoute(ns)],
      ] as const) {
        if (m.get(typeUrl)?.delete(name)) changes.push({ typeUrl, name, namespace: ns });
      }
      this.services.delete(ns);
      return;
    }
    const vhosts = [...svcs.keys()].sort().map((n) => (svcs.get(n) as BuiltService).vhost);
    const demand = demandRoute(ns);
    for (const route of [
      makeResource(TypeUrl.Route, OUTBOUND_ROUTE, outboundRouteConfig(OUTBOUND_ROUTE, vhosts)),
      makeResource(TypeUrl.Route, demand, demandRouteConfig(demand, vhosts)),
    ]) {
      if (m.get(TypeUrl.Route)?.get(route.name)?.version === route.version) continue;
      put(m, route);
      changes.push({ typeUrl: TypeUrl.Route, name: route.name, namespace: ns });
    }
    if (!m.get(TypeUrl.Cluster)?.has(PASSTHROUGH_CLUSTER)) {
      put(m, makeResource(TypeUrl.Cluster, PASSTHROUGH_CLUSTER, passthroughCluster(PASSTHROUGH_CLUSTER)));
      changes.push({ typeUrl: TypeUrl.Cluster, name: PASSTHROUGH_CLUSTER, namespace: ns });
    }
  }
}

/** Longest stretch of a rebuild between two turns of the event loop. */
const BUILD_SLICE_MS = 10;
/** Rebuilds of fewer services run in one go (one change, a few services: a few ms). */
const BUILD_PAUSE_MIN_SERVICES = 50;

/** The Discover types a service's resources are built from, in revision order. */
const PARTS = ['INSTANCE', 'ROUTING', 'RATE_LIMIT', 'CIRCUIT_BREAKER', 'FAULT_DETECTOR'] as const;

/** Rule kinds that change xDS resources. */
const XDS_RULE_KINDS: ReadonlySet<string> = new Set(['route', 'ratelimit', 'circuitbreaker', 'faultdetect']);
