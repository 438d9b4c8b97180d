import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteMeta } from './route-table.js';

/**
 * Router behaviour copied from go-restful (http.md §1.9): plain-text 404 / 405 (+ Allow) / 415 /
 * 406, the CORS filter and the OPTIONS filter, plus the 503 answered while the server is stopping.
 */

const TEXT = 'text/plain; charset=utf-8';
const JSON_MIME = 'application/json';
/** polaris' CORS settings. */
const CORS_METHODS = ['GET', 'POST', 'PUT'];
const CORS_HEADERS = ['content-type', 'accept', 'request-id'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every route this server registers. */
    polaris?: RouteMeta;
  }
}

/** Mutable router state owned by one server instance. */
export class RouterState {
  /** Set when `stop()` begins: new requests get 503 and answers close their connection. */
  closing = false;
  private readonly methods = new Map<string, string[]>();

  register(method: string, url: string): void {
    const key = normalizePath(url);
    const list = this.methods.get(key);
    if (!list) this.methods.set(key, [method]);
    else if (!list.includes(method)) list.push(method);
  }

  /** Methods registered for a path (registration order), or undefined for an unknown path. */
  methodsOf(path: string): readonly string[] | undefined {
    return this.methods.get(normalizePath(path));
  }
}

/** The path as routes are matched: decoded, duplicate and trailing slashes ignored. */
export function normalizePath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path: it matches no route anyway
  }
  const parts = path.split('/').filter((p) => p !== '');
  return '/' + parts.join('/');
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type(TEXT).send(text);
}

/** go-restful `matchesContentType` for a route consuming application/json. */
export function consumesJson(method: string, contentType: string | undefined): boolean {
  let mime = contentType ?? '';
  if (mime === '') {
    if (['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE'].includes(method)) return true;
    mime = 'application/octet-stream';
  }
  return mime.split(',').some((part) => part.split(';')[0].trim() === JSON_MIME);
}

/** go-restful `matchesAccept` for a route producing application/json (empty Accept = `*∕*`). */
export function acceptsJson(accept: string | undefined): boolean {
  const value = accept === undefined || accept === '' ? '*/*' : accept;
  return value.split(',').some((part) => {
    const mime = part.split(';')[0].trim();
    return mime === '*/*' || mime === JSON_MIME;
  });
}

function routeMeta(req: FastifyRequest): RouteMeta | undefined {
  return req.routeOptions?.config?.polaris;
}

/** OPTIONS: the CORS preflight, else go-restful's OPTIONS filter. Always 200 with an empty body. */
function answerOptions(req: FastifyRequest, reply: FastifyReply, methods: readonly string[]): FastifyReply {
  const origin = header(req, 'origin');
  const requestMethod = header(req, 'access-control-request-method');
  const requestHeaders = header(req, 'access-control-request-headers');
  if (origin && requestMethod) {
    const headersOk =
      !requestHeaders ||
      requestHeaders.split(',').every((h) => CORS_HEADERS.includes(h.trim().toLowerCase()));
    if (!CORS_METHODS.includes(requestMethod) || !headersOk) {
      reply.removeHeader('Access-Control-Allow-Origin');
      return reply.code(200).send();
    }
    reply.header('Access-Control-Allow-Methods', CORS_METHODS.join(','));
    if (requestHeaders) reply.header('Access-Control-Allow-Headers', requestHeaders);
    return reply.code(200).send();
  }
  const allowed = methods.join(',');
  reply.header('Allow', allowed);
  reply.header('Access-Control-Allow-Methods', allowed);
  if (requestHeaders) reply.header('Access-Control-Allow-Headers', requestHeaders);
  return reply.code(200).send();
}

export function installRouterBehaviour(app: FastifyInstance, state: RouterState): void {
  app.addHook('onRequest', async (req, reply) => {
    if (state.closing) {
      reply.header('Connection', 'close');
      return sendText(reply, 503, '503: Service Unavailable');
    }
    const origin = header(req, 'origin');
    if (origin) reply.header('Access-Control-Allow-Origin', origin);

    const meta = routeMeta(req);
    if (!meta?.json) return;
    const length = Number(header(req, 'content-length') ?? '0');
    if (length > 0 && !consumesJson(req.method, header(req, 'content-type'))) {
      return sendText(reply, 415, '415: Unsupported Media Type');
    }
    if (!acceptsJson(header(req, 'accept'))) {
      return sendText(reply, 406, `406: Not Acceptable\n\nAvailable representations: ${JSON_MIME}`);
    }
  });

  app.addHook('onSend', async (_req, reply) => {
    if (state.closing) reply.header('Connection', 'close');
  });

  app.setNotFoundHandler((req, reply) => {
    const methods = state.methodsOf(req.url);
    if (req.method === 'OPTIONS') return answerOptions(req, reply, methods ?? []);
    if (methods) {
      reply.header('Allow', methods.join(', '));
      return sendText(reply, 405, '405: Method Not Allowed');
    }
    return sendText(reply, 404, '404: Page Not Found');
  });
}
