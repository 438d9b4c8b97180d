import type { FastifyReply, FastifyRequest } from 'fastify';
import { CodecError, decodeJson, encodeJsonBuffer, type JsonFieldSet } from '../../common/api/codec.js';
import { batchCodeLargest, type ItemResult } from '../../common/errors/batch.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError, httpStatusOf } from '../../common/errors/polaris-error.js';
import type { ConfigQuery } from '../../config/api.js';
import { decodeBatch, rawBody } from './body.js';
import { answerFields, sendEnvelope, setPolarisHeaders, type EnvelopeMessage, type EnvelopeType } from './envelope.js';

/**
 * Shared pieces of the config routes: body decoding with the config center's error texts
 * (http.md §4.3) and the ConfigResponse-family writers.
 */

/**
 * How a malformed body is reported (all 400001): `raw` = the parser's message alone (files,
 * group update, createandpub, client routes), `nospace` = "request decode failed:<err>"
 * (publish), `default` = "request decode failed: <err>" (everything else).
 */
export type ParseInfoStyle = 'raw' | 'nospace' | 'default';

function parseError(style: ParseInfoStyle, msg: string): PolarisError {
  const err = new PolarisError(Code.ParseException, style === 'default' ? msg : undefined);
  if (style !== 'default') {
    const info = style === 'raw' ? msg : `${codeInfo(Code.ParseException)}:${msg}`;
    Object.defineProperty(err, 'info', { value: info, enumerable: true });
  }
  return err;
}

/** Decodes a single-object body of `typeName`; malformed JSON, non-objects and bad fields are 400001. */
export function decodeConfigBody<T>(req: FastifyRequest, typeName: string, style: ParseInfoStyle): T {
  const text = rawBody(req);
  if (text.trim() === '') throw parseError(style, 'EOF');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw parseError(style, err instanceof Error ? err.message : String(err));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw parseError(style, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} into Go value of type ${typeName}`);
  }
  try {
    return decodeJson(typeName, value) as T;
  } catch (err) {
    if (err instanceof CodecError) throw parseError(style, err.message);
    throw err;
  }
}

/** A JSON array body of 1..100 items (`{}`, `"x"` and `null` are 400001; `[]` is 400002). */
export function decodeConfigBatch<T>(req: FastifyRequest, typeName: string): T[] {
  return decodeBatch<T>(req, typeName);
}

export function configQuery(req: FastifyRequest): ConfigQuery {
  return (req.query ?? {}) as ConfigQuery;
}

export function queryValue(req: FastifyRequest, ...keys: string[]): string {
  const q = configQuery(req);
  for (const key of keys) {
    const v = Object.hasOwn(q, key) ? q[key] : undefined;
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined) return s;
  }
  return '';
}

/** Writes a ConfigResponse with one payload field (or none). */
export function sendConfig(reply: FastifyReply, field?: string, value?: unknown, code: number = Code.ExecuteSuccess): FastifyReply {
  const msg: EnvelopeMessage = { code, info: codeInfo(code as never) };
  if (field) msg[field] = value ?? null;
  return sendEnvelope(reply, 'v1.ConfigResponse', msg);
}

/** Writes a ConfigBatchQueryResponse. */
export function sendConfigQuery(reply: FastifyReply, field: string, total: number, items: unknown[]): FastifyReply {
  return sendEnvelope(reply, 'v1.ConfigBatchQueryResponse', {
    code: Code.ExecuteSuccess,
    info: codeInfo(Code.ExecuteSuccess),
    total,
    [field]: items,
  });
}

/** Writes a ConfigBatchWriteResponse: the largest non-2xx item code on top, one ConfigResponse per item. */
export function sendConfigBatch(reply: FastifyReply, results: readonly ItemResult<unknown>[]): FastifyReply {
  const code = batchCodeLargest(results.map((r) => r.code));
  return sendEnvelope(reply, 'v1.ConfigBatchWriteResponse', {
    code,
    info: codeInfo(code),
    responses: results.map((r) => ({ code: r.code, info: r.info })),
  });
}

/** Encodings of answer objects the module shares between callers (one publish waking many watchers), per field set. */
const encodedBySet = new WeakMap<JsonFieldSet, WeakMap<object, Buffer>>();

/** Writes a whole answer message computed by the module (client plane). */
export function sendMessage(reply: FastifyReply, type: EnvelopeType, msg: { code?: number | null }): FastifyReply {
  if (typeof msg.code !== 'number') return sendEnvelope(reply, type, { ...(msg as Record<string, unknown>), code: Code.ExecuteException });
  const fields = answerFields(reply);
  let encoded = encodedBySet.get(fields);
  if (!encoded) encodedBySet.set(fields, (encoded = new WeakMap()));
  let body = encoded.get(msg);
  if (!body) {
    body = encodeJsonBuffer(type, msg, fields);
    encoded.set(msg, body);
  }
  setPolarisHeaders(reply, msg.code);
  return reply.code(httpStatusOf(msg.code)).type('application/json').send(body);
}

