import type { Rule as WireRateLimit } from '../../common/api/gen/wire.js';
import type { RuleEntry } from '../../cache/rules-cache.js';
import type { RuleRow } from '../../store/rules-api.js';
import { ruleTime } from './common.js';

/**
 * A rate-limit rule's body: every field of the v1.Rule message except those kept in the row's
 * columns (id, name, priority, disable, revision and the times). Nothing the caller sent is lost.
 */
export type RateLimitBody = Omit<
  WireRateLimit,
  'id' | 'name' | 'priority' | 'disable' | 'revision' | 'ctime' | 'mtime' | 'etime' | 'service_token'
>;

/** Fields not kept in the body: the row's columns, the console flags, and the service token (a credential). */
const ROW_FIELDS = [
  'id', 'name', 'priority', 'disable', 'revision', 'ctime', 'mtime', 'etime', 'editable', 'deleteable', 'service_token',
] as const;

/** polaris's default action of a rule that names none. */
const DEFAULT_ACTION = 'REJECT';

export function rateLimitToRow(req: WireRateLimit, cols: { id: string; revision: string; etime: number }): RuleRow {
  const body: Record<string, unknown> = { ...req };
  for (const f of ROW_FIELDS) delete body[f];
  const disable = req.disable ?? false;
  return {
    kind: 'ratelimit',
    id: cols.id,
    name: req.name ?? '',
    namespace: req.namespace ?? '',
    services: [{ namespace: req.namespace ?? '', service: req.service ?? '' }],
    enable: !disable,
    revision: cols.revision,
    priority: req.priority ?? 0,
    body: JSON.stringify(body),
    etime: cols.etime,
    ctime: 0,
    mtime: 0,
  };
}

/** A stored rate limit as the OpenAPI lists it. */
export function rateLimitToConsole(e: RuleEntry<RateLimitBody>): WireRateLimit {
  const { row, body } = e;
  return {
    ...body,
    id: row.id,
    name: row.name,
    priority: row.priority,
    disable: !row.enable,
    revision: row.revision,
    ctime: ruleTime(row.ctime),
    mtime: ruleTime(row.mtime),
    etime: ruleTime(row.etime),
    action: body.action || DEFAULT_ACTION,
    editable: true,
    deleteable: true,
  };
}

/** A stored rate limit as an SDK discovers it: named after the requested service. */
export function rateLimitToClient(e: RuleEntry<RateLimitBody>, requested: { service: string; namespace: string }): WireRateLimit {
  const { row, body } = e;
  return {
    ...body,
    id: row.id,
    name: row.name,
    service: requested.service,
    namespace: requested.namespace,
    priority: row.priority,
    revision: row.revision,
    disable: !row.enable,
    action: body.action || DEFAULT_ACTION,
  };
}
