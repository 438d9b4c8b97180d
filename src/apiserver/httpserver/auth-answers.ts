import type { FastifyReply } from 'fastify';
import type { RouteGroup } from './route-table.js';
import { batchCodeLargest, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { sendEnvelope } from './envelope.js';

/**
 * Answer shapes of the auth routes (`/core/v1` users, groups, strategies): the v1.Response field
 * each carries its value in, and batches coded as polaris' auth batches (the largest non-2xx child).
 */

export type AuthResponseField =
  | 'user'
  | 'userGroup'
  | 'authStrategy'
  | 'loginResponse'
  | 'modifyUserGroup'
  | 'modifyAuthStrategy'
  | 'resources'
  | 'optionSwitch';

export function sendAuthResponse(reply: FastifyReply, field: AuthResponseField | null, value?: unknown): FastifyReply {
  const message: Record<string, unknown> = { code: Code.ExecuteSuccess, info: codeInfo(Code.ExecuteSuccess) };
  if (field) message[field] = value;
  return sendEnvelope(reply, 'v1.Response', message as { code: number });
}

export function sendAuthBatch<T>(reply: FastifyReply, results: readonly ItemResult<T>[], field: AuthResponseField): FastifyReply {
  const code = batchCodeLargest(results.map((r) => r.code));
  return sendEnvelope(reply, 'v1.BatchWriteResponse', {
    code,
    info: codeInfo(code),
    size: results.length,
    responses: results.map((r) => ({ code: r.code, info: r.info, [field]: r.value })),
  });
}

/** Auth routes are mounted whenever the console group is (polaris mounts them unconditionally). */
export const AUTH_GROUP_BASE: Pick<RouteGroup, 'api' | 'includeKeys' | 'defaultInclude'> = {
  api: 'console',
  includeKeys: [],
  defaultInclude: [],
};
