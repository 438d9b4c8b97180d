import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appsHash, type AppsView, type Entry } from './registry.js';
import { toXml, xmlFragment } from './xml.js';

/** A document to answer: the root element (XML) / single top-level key (JSON) and its value. */
export interface Doc {
  root: string;
  value: unknown;
}

export interface Encoded {
  body: Buffer;
  type: string;
  gz?: Buffer;
}

const GZIP_MIN_BYTES = 1024;

function header(req: FastifyRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/**
 * JSON when any Accept entry (parameters ignored) is `application/json` or `application/*+json`;
 * XML otherwise, as Eureka servers answer. Unlike polaris-server 1.18.1 this holds for every read
 * route, and `application/json;q=0.9` or `application/json, application/*+json` mean JSON.
 */
export function wantsJson(req: FastifyRequest): boolean {
  return header(req, 'accept')
    .split(',')
    .map((t) => t.split(';')[0].trim().toLowerCase())
    .some((t) => t === 'application/json' || t === 'application/*+json');
}

export function encode(doc: Doc, json: boolean): Encoded {
  return json
    ? { body: Buffer.from(JSON.stringify({ [doc.root]: doc.value })), type: 'application/json' }
    : { body: Buffer.from(toXml(doc.root, doc.value)), type: 'application/xml' };
}

/**
 * Sends an answer in the format the caller accepts, gzip-compressed when it says it takes gzip.
 * `cache` (per registry view) keeps the encoded bytes under `key` until the view changes.
 */
export function sendEncoded(
  req: FastifyRequest,
  reply: FastifyReply,
  make: (json: boolean) => Encoded,
  cache?: { map: Map<string, unknown>; key: string },
): FastifyReply {
  const json = wantsJson(req);
  const k = cache ? `${cache.key}:${json ? 'json' : 'xml'}` : '';
  let enc = cache?.map.get(k) as Encoded | undefined;
  if (!enc) {
    enc = make(json);
    cache?.map.set(k, enc);
  }
  reply.code(200).header('content-type', enc.type);
  if (enc.body.length >= GZIP_MIN_BYTES && /\bgzip\b/i.test(header(req, 'accept-encoding'))) {
    enc.gz ??= gzipSync(enc.body, { level: 6 });
    return reply.header('content-encoding', 'gzip').header('vary', 'Accept-Encoding').send(enc.gz);
  }
  return reply.send(enc.body);
}

export function sendDoc(
  req: FastifyRequest,
  reply: FastifyReply,
  make: () => Doc,
  cache?: { map: Map<string, unknown>; key: string },
): FastifyReply {
  return sendEncoded(req, reply, (json) => encode(make(), json), cache);
}

/**
 * The full registry, assembled from per-service encodings that are kept across views: after one
 * change only the changed service's instances are encoded again, the rest is copied.
 */
export function encodeApps(view: AppsView, json: boolean): Encoded {
  const parts: Buffer[] = [];
  const add = (s: string): void => void parts.push(Buffer.from(s));
  if (json) {
    add(`{"applications":{"versions__delta":${JSON.stringify(String(view.version))},"apps__hashcode":${JSON.stringify(view.hash)},"application":[`);
    let firstApp = true;
    for (const [name, services] of view.groups) {
      add(`${firstApp ? '' : ','}{"name":${JSON.stringify(name)},"instance":[`);
      firstApp = false;
      services.forEach((svc, n) => {
        if (n > 0) add(',');
        parts.push((svc.json ??= Buffer.from(svc.entries.map((e) => JSON.stringify(e.info)).join(','))));
      });
      add(']}');
    }
    add(']}}');
    return { body: Buffer.concat(parts), type: 'application/json' };
  }
  add(`<?xml version="1.0" encoding="UTF-8"?>\n<applications>${xmlFragment('versions__delta', String(view.version))}${xmlFragment('apps__hashcode', view.hash)}`);
  for (const [name, services] of view.groups) {
    add(`<application>${xmlFragment('name', name)}`);
    for (const svc of services) parts.push((svc.xml ??= Buffer.from(svc.entries.map((e) => xmlFragment('instance', e.info)).join(''))));
    add('</application>');
  }
  add('</applications>');
  return { body: Buffer.concat(parts), type: 'application/xml' };
}

/** A status-only answer (register, renew, cancel, …): a short text reason on failures. */
export function sendStatus(reply: FastifyReply, status: number, reason?: string, code?: number): FastifyReply {
  if (code !== undefined) reply.header('x-polaris-code', String(code));
  if (reason === undefined || status < 400) return reply.code(status).header('content-type', 'application/xml').send();
  return reply.code(status).type('text/plain; charset=utf-8').send(reason);
}

/** `<applications>` of the given apps: their instances, the version and a hash over them. */
export function applicationsDoc(
  version: number,
  apps: Iterable<[string, Record<string, unknown>[]]>,
  hash?: string,
): Doc {
  const application: { name: string; instance: Record<string, unknown>[] }[] = [];
  const statuses: Entry[] = [];
  for (const [name, instance] of apps) {
    if (instance.length === 0) continue;
    application.push({ name, instance });
    if (hash === undefined) for (const i of instance) statuses.push({ info: i as Entry['info'], rev: '' });
  }
  return {
    root: 'applications',
    value: { versions__delta: String(version), apps__hashcode: hash ?? appsHash(statuses), application },
  };
}

/** The instances of a view's app map, ready for applicationsDoc. */
export function infosOf(apps: Map<string, Map<string, Entry>>): Array<[string, Record<string, unknown>[]]> {
  return [...apps].map(([name, m]) => [name, [...m.values()].map((e) => e.info)]);
}
