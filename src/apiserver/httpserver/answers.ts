import type { FastifyReply } from 'fastify';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { batchCodeLargest, batchCodeUniform, type ItemResult } from '../../common/errors/batch.js';
import { sendEnvelope } from './envelope.js';

/**
 * Success-path answer shapes shared by the route groups (failures go through envelope.ts
 * `sendFailure`, via the route wrapper in server.ts).
 */

/** Which field of v1.Response carries a batch item's value. */
export type ResponseField =
  | 'namespace'
  | 'service'
  | 'instance'
  | 'alias'
  | 'client'
  | 'instanceLabels'
  | 'routing'
  | 'rateLimit'
  | 'data';

/**
 * How the top-level code of a batch is derived (http.md §4.2): `largest` = largest non-2xx child
 * (namespaces), `uniform` = the common code, else 500000 / 400000 (services, instances, aliases).
 */
export type BatchCodeRule = 'largest' | 'uniform';

/** Writes a BatchWriteResponse: one v1.Response per item, in request order. */
export function sendBatchWrite<T>(
  reply: FastifyReply,
  results: readonly ItemResult<T>[],
  field: ResponseField,
  rule: BatchCodeRule,
): FastifyReply {
  const codes = results.map((r) => r.code);
  const code = rule === 'largest' ? batchCodeLargest(codes) : batchCodeUniform(codes);
  const responses = results.map((r) => ({ code: r.code, info: r.info, [field]: r.value }));
  return sendEnvelope(reply, 'v1.BatchWriteResponse', {
    code,
    info: codeInfo(code),
    size: results.length,
    responses,
  });
}

/** Writes a v1.Response carrying one value. */
export function sendResponse(
  reply: FastifyReply,
  field: ResponseField,
  value: unknown,
  code: PolarisCode = Code.ExecuteSuccess,
  info: string = codeInfo(code),
): FastifyReply {
  return sendEnvelope(reply, 'v1.Response', { code, info, [field]: value });
}

/** Writes a v1.Response from a single-item result (client API). */
export function sendItemResult<T>(reply: FastifyReply, result: ItemResult<T>, field: ResponseField): FastifyReply {
  return sendEnvelope(reply, 'v1.Response', { code: result.code, info: result.info, [field]: result.value });
}

/** Writes a successful BatchQueryResponse; `amount` = total matches, `size` = items in this page. */
export function sendQuery(
  reply: FastifyReply,
  amount: number,
  size: number,
  payload: Record<string, unknown> = {},
): FastifyReply {
  return sendEnvelope(reply, 'v1.BatchQueryResponse', {
    code: Code.ExecuteSuccess,
    info: codeInfo(Code.ExecuteSuccess),
    amount,
    size,
    ...payload,
  });
}
