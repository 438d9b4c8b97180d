import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { lazyChildLogger, type RequestContext } from '../../common/lifecycle.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** The caller's address without the IPv4-mapped IPv6 prefix. */
export function clientIp(req: FastifyRequest): string {
  const ip = req.socket?.remoteAddress ?? req.ip ?? '';
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

/** The caller's `Request-Id`, or a fresh one for the logs when none was sent. */
export function requestId(req: FastifyRequest): string {
  return header(req, 'request-id') ?? randomUUID().replaceAll('-', '');
}

/**
 * The RequestContext of one HTTP call. The request id and address are untrusted, so they sit
 * under a single `req` key of the child logger.
 */
export function requestContext(req: FastifyRequest, logger: Logger): RequestContext {
  const reqId = requestId(req);
  const ip = clientIp(req);
  const lazy = lazyChildLogger(logger, { req: { id: reqId, ip } });
  return {
    reqId,
    clientIp: ip,
    token: header(req, 'x-polaris-token'),
    protocol: 'http',
    get logger() {
      return lazy.logger;
    },
  };
}
