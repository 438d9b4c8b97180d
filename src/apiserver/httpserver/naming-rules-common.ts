import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WireAny } from '../../common/api/gen/wire.js';
import type { ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { sendBatchWrite, sendQuery, type ResponseField } from './answers.js';
import { decodeBatch } from './body.js';
import { sendEnvelope } from './envelope.js';

/** Shared pieces of the governance-rule route groups (naming-rules-*.ts). */

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** `{ '@type': 'type.googleapis.com/<typeName>', ...value }` */
export function anyOf(typeName: string, value: object): WireAny {
  return { ...(value as Record<string, unknown>), '@type': TYPE_URL_PREFIX + typeName };
}

/** A batch answer whose item values go into `responses[].data` as Any of `typeName`. */
export function sendAnyBatch<T extends object>(
  reply: FastifyReply,
  results: readonly ItemResult<T>[],
  typeName: string,
): FastifyReply {
  const wrapped = results.map((r) => ({ ...r, value: r.value === undefined ? undefined : anyOf(typeName, r.value) }));
  return sendBatchWrite(reply, wrapped, 'data', 'uniform');
}

/** A batch answer whose item values go into `responses[].<field>` as they are. */
export function sendFieldBatch<T>(reply: FastifyReply, results: readonly ItemResult<T>[], field: ResponseField): FastifyReply {
  return sendBatchWrite(reply, results, field, 'uniform');
}

/** A list answer with the items in `data[]` as Any of `typeName`. */
export function sendAnyList<T extends object>(
  reply: FastifyReply,
  list: { amount: number; items: T[] },
  typeName: string,
): FastifyReply {
  return sendQuery(reply, list.amount, list.items.length, { data: list.items.map((v) => anyOf(typeName, v)) });
}

/**
 * The naming v2 handlers rewrite legacy `type.googleapis.com/v2.` type URLs to `v1.` in the body
 * before parsing (polaris-server does the same string replacement).
 */
export function decodeBatchV2<T>(req: FastifyRequest, typeName: string): T[] {
  if (typeof req.body === 'string') {
    (req as { body: unknown }).body = req.body.replaceAll(`${TYPE_URL_PREFIX}v2.`, `${TYPE_URL_PREFIX}v1.`);
  }
  return decodeBatch<T>(req, typeName);
}

const DEPRECATED_INFO = `${codeInfo(Code.BadRequest)}: API is Deprecated`;

/** polaris's answer of a deprecated batch route: 400000 "bad request: API is Deprecated". */
export function sendDeprecatedBatch(reply: FastifyReply): FastifyReply {
  return sendEnvelope(reply, 'v1.BatchWriteResponse', { code: Code.BadRequest, info: DEPRECATED_INFO, size: 0, responses: [] });
}

export function sendDeprecatedQuery(reply: FastifyReply): FastifyReply {
  return sendEnvelope(reply, 'v1.BatchQueryResponse', { code: Code.BadRequest, info: DEPRECATED_INFO, amount: 0, size: 0 });
}

export function sendDeprecatedSingle(reply: FastifyReply): FastifyReply {
  return sendEnvelope(reply, 'v1.Response', { code: Code.BadRequest, info: DEPRECATED_INFO });
}
