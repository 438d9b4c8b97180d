import { randomUUID } from 'node:crypto';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { lazyChildLogger, type RequestContext } from '../../common/lifecycle.js';
import { clientIp } from '../httpserver/context.js';
import { BadEurekaInput } from './convert.js';
import { parseXml, XmlError } from './xml.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** The token of `Authorization: Basic base64(user:token)`, as polaris reads it for Eureka clients. */
function basicToken(req: FastifyRequest): string | undefined {
  const auth = header(req, 'authorization');
  if (!auth || !/^basic /i.test(auth)) return undefined;
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i >= 0 && i < decoded.length - 1 ? decoded.slice(i + 1) : undefined;
}

export function eurekaContext(req: FastifyRequest, logger: Logger): RequestContext {
  const reqId = header(req, 'request-id') ?? randomUUID().replaceAll('-', '');
  const ip = clientIp(req);
  const lazy = lazyChildLogger(logger, { req: { id: reqId, ip } });
  return {
    reqId,
    clientIp: ip,
    token: header(req, 'x-polaris-token') ?? basicToken(req),
    protocol: 'eureka',
    get logger() {
      return lazy.logger;
    },
  };
}

/** The namespace of a request: `x-namespace` when sent, else the configured one. */
export function namespaceOf(req: FastifyRequest, dflt: string): string {
  return header(req, 'x-namespace')?.trim() || dflt;
}

/** What every Eureka route consumes and produces (polaris' go-restful web services). */
const CONSUMES = new Set(['application/json', 'application/octet-stream', 'application/xml']);
const PRODUCES = new Set(['*/*', 'application/json', 'application/xml']);

/** The media types of a header list, parameters (`;charset=`, `;q=`) stripped, lower case. */
function mediaTypes(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.split(';')[0].trim().toLowerCase())
    .filter((t) => t !== '');
}

/**
 * The media checks polaris' Eureka routes make before any handler (spec §1.2): 415 when a
 * Content-Type is sent and names none of JSON, XML or octet-stream (a missing one passes, as
 * body-less renewals and reads send none); then 406 when an Accept is sent and names none of
 * the any-type wildcard, JSON or XML. Undefined when the request may go on.
 */
export function mediaRefusal(req: FastifyRequest): { status: 415 | 406; reason: string } | undefined {
  const ct = header(req, 'content-type');
  if (ct !== undefined && !mediaTypes(ct).some((t) => CONSUMES.has(t))) {
    return { status: 415, reason: `Content-Type ${ct} is not supported; send application/json or application/xml` };
  }
  const accept = header(req, 'accept');
  if (accept !== undefined && !mediaTypes(accept).some((t) => PRODUCES.has(t))) {
    return { status: 406, reason: `cannot answer Accept ${accept}; accept application/json or application/xml` };
  }
  return undefined;
}

/**
 * Every body arrives as raw bytes (any Content-Type, none included); `Content-Encoding: gzip` or
 * `deflate` is undone here with the same size limit as the compressed body.
 */
export function installRawBody(app: FastifyInstance, limit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (req, body, done) => {
    const raw = body as Buffer;
    const enc = (header(req, 'content-encoding') ?? 'identity').toLowerCase().trim();
    try {
      if (enc === 'gzip' || enc === 'x-gzip') done(null, gunzipSync(raw, { maxOutputLength: limit }));
      else if (enc === 'deflate') {
        try {
          done(null, inflateSync(raw, { maxOutputLength: limit }));
        } catch {
          done(null, inflateRawSync(raw, { maxOutputLength: limit }));
        }
      } else if (enc === 'identity') done(null, raw);
      else done(Object.assign(new Error(`unsupported Content-Encoding ${enc}`), { statusCode: 415 }), undefined);
    } catch (err) {
      done(Object.assign(new Error(`body is not valid ${enc}: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
}

/**
 * A registration body: XML when the Content-Type says XML (with or without parameters) or, lacking
 * a JSON type, when the body starts with `<`; JSON otherwise. XML must be one `<instance>` element;
 * it is returned as `{instance: …}` like the JSON form.
 */
export function parseInstanceBody(req: FastifyRequest): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const s = raw.replace(/^\uFEFF/, '').trim();
  if (s === '') throw new BadEurekaInput('the body is empty');
  const ct = (header(req, 'content-type') ?? '').toLowerCase();
  const xml = ct.includes('xml') || (!ct.includes('json') && s.startsWith('<'));
  if (xml) {
    try {
      const doc = parseXml(s);
      if (doc.name !== 'instance') throw new BadEurekaInput(`the XML root is <${doc.name}>, expected <instance>`);
      return { instance: doc.value };
    } catch (err) {
      if (err instanceof XmlError) throw new BadEurekaInput(`malformed XML: ${err.message}`);
      throw err;
    }
  }
  try {
    return JSON.parse(s) as unknown;
  } catch (err) {
    throw new BadEurekaInput(`malformed JSON: ${(err as Error).message}`);
  }
}

/** A JSON body (replication batches). */
export function parseJsonBody(req: FastifyRequest): unknown {
  const s = Buffer.isBuffer(req.body) ? req.body.toString('utf8').trim() : '';
  if (s === '') throw new BadEurekaInput('the body is empty');
  try {
    return JSON.parse(s) as unknown;
  } catch (err) {
    throw new BadEurekaInput(`malformed JSON: ${(err as Error).message}`);
  }
}
