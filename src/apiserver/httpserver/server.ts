import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ALL_FIELDS, jsonFieldSet, type JsonFieldSet } from '../../common/api/codec.js';
import type { ApiServer } from '../api.js';
import { installBodyParser } from './body.js';
import { limiterFor } from '../limited-listener.js';
import type { ConnLimiter } from '../../common/conn-limit.js';
import type { ApiCallRecorder } from '../../common/metrics/api-calls.js';
import { serviceKeysOf, type ApiRateLimit } from '../../plugin/api.js';
import type { PolarisCode } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { clientIp, requestContext } from './context.js';
import { sendFailure, toWireFailure } from './envelope.js';
import { alwaysMountedRoutes } from './ops-routes.js';
import { apiDocRoutes, diagnosticsRoutes, xdsDebugRoutes } from './debug-routes.js';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type HttpServerDeps,
  type HttpServerOptions,
} from './options.js';
import { parseQueryString } from './query.js';
import { ROUTE_GROUPS } from './route-groups.js';
import { reportSelectionWarnings, selectRoutes, type RouteDef } from './route-table.js';
import { installRouterBehaviour, RouterState } from './router.js';
import { mountWebConsole } from './web-console.js';

const TEXT = 'text/plain; charset=utf-8';

function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Plain 500 for routes without an envelope (admin, metrics). */
function sendPlainFailure(reply: FastifyReply, err: unknown, log: Logger): FastifyReply {
  const failure = toWireFailure(err, log);
  if (reply.sent) return reply;
  const status = failure.httpStatus >= 500 ? 500 : failure.httpStatus;
  const text = status === 500 ? '500: Internal Server Error' : failure.info;
  return reply.code(status).type(TEXT).send(text);
}

/**
 * The HTTP OpenAPI server (`api-http`): fastify with go-restful's router behaviour, the route
 * groups switched on by `options.api`, and graceful stop.
 */
export class HttpServer implements ApiServer {
  readonly protocol = 'http';
  readonly name: string;
  readonly port: number;
  private boundPort: number;
  private readonly app: FastifyInstance;
  private readonly state = new RouterState();
  private readonly log: Logger;
  private readonly shutdownTimeoutMs: number;
  /** The JSON field set of the routes polaris-server 1.18.1 serves. */
  private readonly fields: JsonFieldSet;
  private stopping: Promise<void> | undefined;
  private readonly limiter: { limiter: ConnLimiter | undefined; owned: boolean };
  private readonly apiCalls: ApiCallRecorder | undefined;

  constructor(
    deps: HttpServerDeps,
    private readonly options: HttpServerOptions,
  ) {
    this.name = options.name ?? 'api-http';
    this.port = options.listenPort;
    this.boundPort = options.listenPort;
    this.log = deps.logger.child({ apiserver: this.name });
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.fields = jsonFieldSet(options.jsonFieldSet ?? 'v1.4.2');
    this.apiCalls = deps.apiCalls;

    this.app = Fastify({
      logger: false,
      bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      return503OnClosing: false,
      forceCloseConnections: 'idle',
      exposeHeadRoutes: false,
      requestIdHeader: false,
      routerOptions: {
        ignoreTrailingSlash: true,
        ignoreDuplicateSlashes: true,
        querystringParser: parseQueryString,
      },
      frameworkErrors: (err, _req, reply) => {
        this.log.debug({ err }, 'request rejected by the router');
        (reply as unknown as FastifyReply).code(400).type(TEXT).send('400 Bad Request');
      },
    });

    installBodyParser(this.app, options.bodyLimit ?? DEFAULT_BODY_LIMIT);
    installRouterBehaviour(this.app, this.state);
    this.installErrorHandling();
    this.installAccessLog();
    this.installRateLimit(deps.rateLimit);
    this.limiter = limiterFor(deps.connLimiter, this.name, this.protocol, options.connLimit, this.log);
    this.limiter.limiter?.attach(this.app.server);

    const selected = selectRoutes(ROUTE_GROUPS, options.api, deps);
    reportSelectionWarnings(selected.warnings, this.log);
    const routes = [...selected.routes, ...alwaysMountedRoutes(deps), ...diagnosticsRoutes(deps, options), ...xdsDebugRoutes(deps)];
    if (options.enableSwagger) routes.push(...apiDocRoutes(routes));
    for (const def of routes) this.mount(def);
    mountWebConsole(this.app, options.console, this.log);
  }

  /** The bound port once started (the configured one before). */
  get listenPort(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    await this.app.listen({ host: this.options.listenIP, port: this.options.listenPort });
    const address = this.app.server.address() as AddressInfo | null;
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.log.info({ listen: { ip: this.options.listenIP, port: this.boundPort } }, 'http server started');
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state.closing = true;
    const timer = setTimeout(() => {
      this.log.warn({ timeoutMs: this.shutdownTimeoutMs }, 'http server stop timed out; closing open connections');
      this.app.server.closeAllConnections();
    }, this.shutdownTimeoutMs);
    timer.unref();
    try {
      await this.app.close();
    } finally {
      clearTimeout(timer);
      if (this.limiter.owned) this.limiter.limiter?.stop();
    }
    this.log.info('http server stopped');
  }

  private mount(def: RouteDef): void {
    this.state.register(def.method, def.url);
    const log = this.log;
    this.app.route({
      method: def.method,
      url: def.url,
      config: { polaris: { envelope: def.envelope, json: def.json ?? true, fields: def.allFields ? ALL_FIELDS : this.fields } },
      handler: async (req, reply) => {
        const ctx = requestContext(req, log);
        try {
          await def.handler(req, reply, ctx);
        } catch (err) {
          if (def.envelope) sendFailure(reply, def.envelope, err, ctx.logger ?? log);
          else sendPlainFailure(reply, err, ctx.logger ?? log);
        }
        return reply;
      },
    });
  }

  /** Errors raised outside handlers (body too large, hook failures) in the route's envelope. */
  private installErrorHandling(): void {
    this.app.setErrorHandler((err, req, reply) => {
      const envelope = req.routeOptions?.config?.polaris?.envelope;
      if (envelope) return sendFailure(reply, envelope, err, this.log);
      return sendPlainFailure(reply, err, this.log);
    });
  }

  /**
   * `plugin.ratelimit` before any handler: refusals in the route's envelope (429002 / 403003 as
   * soon as the request arrives, before its body is read; 429001 once the parsed body or query
   * names a service whose bucket is empty, one token per service named).
   * Probes and scrapes are exempt, so a busy IP limit never fails a node's health checks.
   */
  private installRateLimit(limit: ApiRateLimit | undefined): void {
    if (!limit) return;
    const exempt = new Set(['/healthz', '/readyz', '/metrics']);
    const refuse = (req: FastifyRequest, reply: FastifyReply, code: PolarisCode) => {
      const envelope = req.routeOptions.config?.polaris?.envelope ?? 'v1.Response';
      return sendFailure(reply, envelope, new PolarisError(code, codeInfo(code)), this.log);
    };
    this.app.addHook('onRequest', async (req, reply) => {
      const route = req.routeOptions?.url;
      if (!route || reply.sent || exempt.has(route)) return;
      const code = limit.check({ ip: clientIp(req), api: `${req.method}:${route}` });
      if (code !== undefined) return refuse(req, reply, code);
    });
    this.app.addHook('preHandler', async (req, reply) => {
      const route = req.routeOptions?.url;
      if (!route || reply.sent || exempt.has(route) || !limit.limitsServices()) return;
      const api = `${req.method}:${route}`;
      let refused: PolarisCode | undefined;
      for (const service of serviceKeysOf(req.body, req.query)) refused = limit.checkService({ api, service }) ?? refused;
      if (refused !== undefined) return refuse(req, reply, refused);
    });
  }

  /** One line per request: 5xx at error, 4xx at info, the rest at debug. */
  private installAccessLog(): void {
    const apiCalls = this.apiCalls;
    this.app.addHook('onResponse', async (req, reply) => {
      const status = reply.statusCode;
      const route = req.routeOptions?.url;
      if (apiCalls && route) {
        const header = reply.getHeader('x-polaris-code');
        apiCalls.record({
          api: `${req.method}:${route}`,
          apiType: route.split('/')[1] || 'root',
          protocol: 'HTTP',
          code: header === undefined ? (status === 200 ? 200000 : status * 1000) : Number(header),
          ms: reply.elapsedTime,
        });
      }
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      if (!this.log.isLevelEnabled(level)) return;
      const code = reply.getHeader('x-polaris-code');
      this.log[level](
        {
          req: { id: headerOf(req, 'request-id'), ip: clientIp(req), method: req.method, url: req.url },
          status,
          code: code === undefined ? undefined : Number(code),
          ms: Math.round(reply.elapsedTime),
        },
        'http request',
      );
    });
  }
}

/** Builds the HTTP API server; nothing listens until `start()`. */
export function createHttpServer(deps: HttpServerDeps, options: HttpServerOptions): HttpServer {
  return new HttpServer(deps, options);
}
