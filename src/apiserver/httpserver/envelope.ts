import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { POLARIS_1_18_FIELDS, encodeJsonBuffer, type JsonFieldSet } from '../../common/api/codec.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { PolarisError, httpStatusOf } from '../../common/errors/polaris-error.js';

/**
 * The one place where HTTP answers carrying a Polaris code are shaped (STYLE §3.4): status =
 * code/1000, `Request-Id` echo, `X-Polaris-Code` / `X-Polaris-Message` for every code other than
 * 200000, JSON body in jsonpb EmitDefaults form.
 */

/** The proto messages an HTTP handler answers with. */
export type EnvelopeType =
  | 'v1.Response'
  | 'v1.BatchWriteResponse'
  | 'v1.BatchQueryResponse'
  | 'v1.DiscoverResponse'
  | ConfigEnvelopeType;

/** The config center's answer messages (config_file_response.proto). */
export type ConfigEnvelopeType =
  | 'v1.ConfigResponse'
  | 'v1.ConfigBatchWriteResponse'
  | 'v1.ConfigBatchQueryResponse'
  | 'v1.ConfigClientResponse'
  | 'v1.ConfigClientListResponse'
  | 'v1.ConfigDiscoverResponse'
  | 'v1.ConfigImportResponse'
  | 'v1.ConfigExportResponse'
  | 'v1.ConfigEncryptAlgorithmResponse';

/** A wire object of one of the envelope messages (proto field names, bare wrapper values). */
export interface EnvelopeMessage {
  code: number;
  info?: string;
  [field: string]: unknown;
}

/** A failure ready for the wire. `httpStatus` differs from code/1000 only for transport errors (413). */
export interface WireFailure {
  code: PolarisCode;
  info: string;
  httpStatus: number;
}

const JSON_CONTENT_TYPE = 'application/json';

/**
 * Writes an envelope. The body is encoded before any header is set, so an encoding failure leaves
 * the reply untouched. `fields` defaults to the route's JSON field set.
 */
export function sendEnvelope(
  reply: FastifyReply,
  type: EnvelopeType,
  message: EnvelopeMessage,
  httpStatus: number = httpStatusOf(message.code),
  fields: JsonFieldSet = answerFields(reply),
): FastifyReply {
  const body = encodeJsonBuffer(type, message, fields);
  setPolarisHeaders(reply, message.code);
  return reply.code(httpStatus).type(JSON_CONTENT_TYPE).send(body);
}

/** The JSON field set of the route being answered (polaris-server 1.18.1's outside a mounted route). */
export function answerFields(reply: FastifyReply): JsonFieldSet {
  return reply.request?.routeOptions?.config?.polaris?.fields ?? POLARIS_1_18_FIELDS;
}

/** Request-Id echo (empty when the caller sent none) and the code headers. */
export function setPolarisHeaders(reply: FastifyReply, code: number): void {
  reply.header('Request-Id', requestIdHeader(reply.request.headers['request-id']));
  if (code !== Code.ExecuteSuccess) {
    reply.header('X-Polaris-Code', String(code));
    reply.header('X-Polaris-Message', codeInfo(code));
  } else {
    reply.removeHeader('X-Polaris-Code');
    reply.removeHeader('X-Polaris-Message');
  }
}

function requestIdHeader(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return value[0] ?? '';
  return value ?? '';
}

/** The smallest message of each envelope type that carries only a code. */
export function failureMessage(type: EnvelopeType, code: number, info: string): EnvelopeMessage {
  switch (type) {
    case 'v1.BatchWriteResponse':
      return { code, info, size: 0, responses: [] };
    case 'v1.BatchQueryResponse':
      return { code, info, amount: 0, size: 0 };
    default:
      return { code, info };
  }
}

/** Fastify errors raised while reading a body carry `code: 'FST_ERR_…'` and `statusCode`. */
interface TransportError {
  code: string;
  statusCode: number;
  message: string;
}

function isTransportError(err: unknown): err is TransportError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Partial<TransportError>;
  return typeof e.code === 'string' && e.code.startsWith('FST_ERR_') && typeof e.statusCode === 'number';
}

/**
 * Maps anything thrown while serving a request to a wire failure. PolarisError keeps its code;
 * body-reading errors become 400000 (HTTP 413 for an oversized body); everything else is an
 * unexpected failure: 500000, logged at error with its stack.
 */
export function toWireFailure(err: unknown, log: Logger): WireFailure {
  if (err instanceof PolarisError) {
    return { code: err.code, info: err.info, httpStatus: err.httpStatus };
  }
  if (isTransportError(err) && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const e = new PolarisError(Code.BadRequest, 'request body is larger than the server accepts');
      return { code: e.code, info: e.info, httpStatus: 413 };
    }
    const e = new PolarisError(Code.BadRequest, err.message);
    return { code: e.code, info: e.info, httpStatus: 400 };
  }
  log.error({ err }, 'unexpected failure while serving an HTTP request');
  return { code: Code.ExecuteException, info: codeInfo(Code.ExecuteException), httpStatus: 500 };
}

/** Answers a failure in the route's envelope. Never throws; a reply already sent is left alone. */
export function sendFailure(reply: FastifyReply, type: EnvelopeType, err: unknown, log: Logger): FastifyReply {
  const failure = toWireFailure(err, log);
  if (reply.sent) {
    log.error({ err }, 'failure after the answer was sent');
    return reply;
  }
  try {
    return sendEnvelope(reply, type, failureMessage(type, failure.code, failure.info), failure.httpStatus);
  } catch (encodeErr) {
    // Only reachable if the codec itself is broken: still answer, never hang.
    log.error({ err: encodeErr }, 'cannot encode a failure envelope');
    setPolarisHeaders(reply, failure.code);
    return reply
      .code(failure.httpStatus)
      .type(JSON_CONTENT_TYPE)
      .send(JSON.stringify({ code: failure.code, info: failure.info }));
  }
}
