import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ApiServer } from '../api.js';
import { limiterFor } from '../limited-listener.js';
import { clientIp } from '../httpserver/context.js';
import { sendStatus } from './answers.js';
import { DEFAULT_BODY_LIMIT, MAX_NAMESPACE_VIEWS, type EurekaServerDeps, type EurekaServerOptions } from './options.js';
import { PeerReplicator } from './peers.js';
import { NamespaceRegistry, type Lease } from './registry.js';
import { pooled, replicationRoute } from './replication.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { internalContext } from '../../common/lifecycle.js';
import { eurekaContext, installRawBody, mediaRefusal } from './request.js';
import { eurekaRoutes, type RouteDef } from './routes.js';
import { EurekaWrites } from './writes.js';

/** Where polaris mounts the Eureka routes; the bare form is what Eureka servers themselves use at root. */
const BASES = ['', '/eureka', '/eureka/v1', '/eureka/v2'];
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Debounce between a change and the rebuild that replicates it when peers are configured. */
const PEER_REBUILD_DELAY_MS = 200;
const PEER_PULL_TIMEOUT_MS = 5_000;

/**
 * The Eureka-compatible server (`service-eureka`): Eureka's REST API over the naming module, so
 * Eureka clients register, renew and discover as ordinary polaris instances.
 */
export class EurekaServer implements ApiServer {
  readonly protocol = 'eureka';
  readonly name: string;
  readonly port: number;
  private boundPort: number;
  private readonly app: FastifyInstance;
  private readonly log: Logger;
  private readonly registries = new Map<string, NamespaceRegistry>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly limiter: ReturnType<typeof limiterFor>;
  /** Outbound replication by namespace (`peersToReplicate`). */
  private readonly peers = new Map<string, PeerReplicator>();
  private soon: NodeJS.Timeout | undefined;
  private readonly writes: EurekaWrites;

  constructor(
    private readonly deps: EurekaServerDeps,
    private readonly options: EurekaServerOptions,
  ) {
    this.name = options.name ?? 'service-eureka';
    this.port = options.listenPort;
    this.boundPort = options.listenPort;
    this.log = deps.logger.child({ apiserver: this.name });
    const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const tls = options.tls?.certFile && options.tls.keyFile ? options.tls : undefined;
    this.app = Fastify({
      ...(tls ? { https: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
      logger: false,
      bodyLimit,
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      exposeHeadRoutes: false,
      requestIdHeader: false,
      keepAliveTimeout: 180_000,
      routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: true },
    }) as unknown as FastifyInstance;
    installRawBody(this.app, bodyLimit);
    // The limiter counts raw TCP connections, which HTTPS servers announce the same way.
    this.limiter = limiterFor(deps.connLimiter, this.name, this.protocol, options.connLimit, this.log);
    this.limiter.limiter?.attach(this.app.server as Server);
    this.installErrorHandling();
    this.installMediaChecks();
    this.installAccessLog();

    // One replicator per namespace with peers (spec §1.13), each sending under its own x-namespace.
    for (const [ns, list] of Object.entries(options.peersToReplicate ?? {})) {
      if (list.length === 0) continue;
      this.peers.set(
        ns,
        new PeerReplicator(this.log, { peers: list, namespace: ns, version: options.version ?? '' }, (app, id) =>
          this.registries.get(ns)?.peek()?.apps.get(app.toUpperCase())?.get(id)?.info,
        ),
      );
    }
    const writes = (this.writes = new EurekaWrites(deps.naming, { namespace: options.namespace, generateUniqueInstId: options.generateUniqueInstId }));
    const routes = [
      ...eurekaRoutes({
        writes,
        namespace: options.namespace,
        registry: (ns) => this.registry(ns),
        onRenewed: (ns, app, id) => {
          this.peers.get(ns)?.enqueue({ action: 'Heartbeat', appName: app.toUpperCase(), id });
        },
      }),
      replicationRoute({ writes, namespace: options.namespace }),
    ];
    for (const base of BASES) for (const r of routes) this.mount(base, r);
  }

  get listenPort(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.naming.onInstancesChange((namespaces) => {
      for (const [ns, reg] of this.registries) if (namespaces.has(ns) || namespaces.has('*')) reg.markStale();
      // With peers, changes are looked for soon rather than at the next tick or read.
      const peered = namespaces.has('*') || [...this.peers.keys()].some((ns) => namespaces.has(ns));
      if (peered) this.soon ??= setTimeout(() => {
        this.soon = undefined;
        this.refreshStale();
      }, PEER_REBUILD_DELAY_MS);
    });
    for (const ns of this.peers.keys()) {
      await this.syncFromPeers(ns);
      // Peers get the whole view first (all ADDED), then every change as it is found.
      await this.registry(ns).current();
    }
    const tickMs = Math.max(1, this.options.refreshInterval) * 1000;
    this.timer = setInterval(() => this.refreshStale(), tickMs);
    this.timer.unref();
    await this.app.listen({ host: this.options.listenIP, port: this.options.listenPort });
    const address = this.app.server.address() as AddressInfo | null;
    if (address && typeof address === 'object') this.boundPort = address.port;
    const tls = Boolean(this.options.tls?.certFile && this.options.tls.keyFile);
    this.log.info({ listen: { ip: this.options.listenIP, port: this.boundPort }, tls, namespace: this.options.namespace }, 'eureka server started');
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await Promise.all([...this.peers.values()].map((p) => p.stop()));
    const force = setTimeout(() => this.app.server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await this.app.close();
    } finally {
      clearTimeout(force);
      if (this.limiter.owned) this.limiter.limiter?.stop();
    }
    this.log.info('eureka server stopped');
  }

  /** The registry view of a namespace, made on first use; the least recently used one goes past the cap. */
  private registry(namespace: string): NamespaceRegistry {
    let reg = this.registries.get(namespace);
    if (!reg) {
      if (this.registries.size >= MAX_NAMESPACE_VIEWS) {
        // Views of replicated namespaces stay: they find the changes their peers are sent.
        const evictable = [...this.registries.values()].filter((r) => !this.peers.has(r.namespace));
        const oldest = evictable.reduce<NamespaceRegistry | undefined>((a, b) => (a && a.lastUsedMs <= b.lastUsedMs ? a : b), undefined);
        if (oldest) this.registries.delete(oldest.namespace);
      }
      reg = new NamespaceRegistry(this.deps, namespace, {
        deltaExpireMs: Math.max(1, this.options.deltaExpireInterval) * 1000,
        dciClass: this.options.customValues.dataCenterInfoClass || undefined,
        dciName: this.options.customValues.dataCenterInfoName || undefined,
        onLeases: this.peers.has(namespace) ? (leases) => this.replicate(namespace, leases) : undefined,
      });
      this.registries.set(namespace, reg);
    }
    return reg;
  }

  /** Takes over what the peers hold before serving, as a Eureka server does when it starts. */
  private async syncFromPeers(namespace: string): Promise<void> {
    const pulled = await (this.peers.get(namespace) as PeerReplicator).pull(PEER_PULL_TIMEOUT_MS);
    const ctx = internalContext('eureka-peer-sync');
    let registered = 0;
    await pooled(pulled, 16, async ({ app, info }) => {
      const r = await this.writes.registerIfAbsent(ctx, namespace, app, { instance: info }).catch(() => ({ status: 500 }));
      if (r.status === 204) registered++;
    });
    this.log.info({ namespace, peers: this.options.peersToReplicate?.[namespace], seen: pulled.length, registered }, 'eureka peers read at start');
  }

  private replicate(namespace: string, leases: readonly Lease[]): void {
    const peers = this.peers.get(namespace);
    for (const l of leases) {
      if (l.action === 'DELETED') peers?.enqueue({ action: 'Cancel', appName: l.app, id: l.id });
      else peers?.enqueue({ action: 'Register', appName: l.app, id: l.id, instanceInfo: l.entry.info });
    }
  }

  /** Background rebuild of stale views, so deltas record changes even while nobody reads. */
  private refreshStale(): void {
    for (const reg of this.registries.values()) {
      if (!reg.isStale) {
        reg.pruneLeases();
        continue;
      }
      reg.current().catch((err: unknown) => this.log.warn({ err, namespace: reg.namespace }, 'eureka registry refresh failed'));
    }
  }

  private mount(base: string, def: RouteDef): void {
    const log = this.log;
    this.app.route({
      method: def.method,
      url: base + def.path,
      handler: async (req, reply) => {
        const ctx = eurekaContext(req, log);
        try {
          return await def.handler(req, reply, ctx);
        } catch (err) {
          if (reply.sent) return reply;
          if (err instanceof PolarisError && err.code < 500000) {
            (ctx.logger ?? log).info({ code: err.code, url: req.url }, 'eureka request refused');
            return sendStatus(reply, Math.floor(err.code / 1000), `${err.code} ${err.info}`, err.code);
          }
          (ctx.logger ?? log).error({ err, url: req.url }, 'eureka request failed');
          return sendStatus(reply, 500, 'internal error');
        }
      },
    });
  }

  /** 415 / 406 for media types the routes neither consume nor produce, before the body is read. */
  private installMediaChecks(): void {
    this.app.addHook('onRequest', async (req, reply) => {
      if (!req.routeOptions?.url) return; // unknown paths stay 404
      const refused = mediaRefusal(req);
      if (!refused) return;
      this.log.info({ url: req.url, status: refused.status, reason: refused.reason }, 'eureka request refused');
      return sendStatus(reply, refused.status, refused.reason);
    });
  }

  /**
   * One line per request: registrations, cancels and status/metadata changes at info (as
   * polaris-server logs its important Eureka requests), 5xx at error, the rest at debug. Refusals
   * are logged with their reason where they are answered.
   */
  private installAccessLog(): void {
    this.app.addHook('onResponse', async (req, reply) => {
      const status = reply.statusCode;
      const important = req.method === 'POST' || req.method === 'DELETE' || (req.method === 'PUT' && /\/(status|metadata)(\?|$)/.test(req.url));
      const level = status >= 500 ? 'error' : important ? 'info' : 'debug';
      if (!this.log.isLevelEnabled(level)) return;
      this.log[level]({ req: { ip: clientIp(req), method: req.method, url: req.url }, status, ms: Math.round(reply.elapsedTime) }, 'eureka request');
    });
  }

  /** Body and routing errors (bad gzip, body too large, …) as status-only Eureka answers. */
  private installErrorHandling(): void {
    this.app.setErrorHandler((err: FastifyError, req, reply: FastifyReply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      this.log[status >= 500 ? 'error' : 'info']({ err: { message: err.message }, url: req.url, status }, 'eureka request rejected');
      return sendStatus(reply, status, err.message);
    });
  }
}

export function createEurekaServer(deps: EurekaServerDeps, options: EurekaServerOptions): EurekaServer {
  return new EurekaServer(deps, options);
}
