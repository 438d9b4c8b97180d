import type {
  CircuitBreakerRule as WireCircuitBreakerRule,
  FaultDetectRule as WireFaultDetectRule,
} from '../../common/api/gen/wire.js';
import type { RuleEntry } from '../../cache/rules-cache.js';
import type { RuleRow, RuleServiceKey } from '../../store/rules-api.js';
import { ruleTime } from './common.js';

/**
 * Circuit-breaker and fault-detect rules: the body keeps every field of the message except those
 * held in the row's columns. Both are bound to their target service (rule_matcher.destination /
 * target_service); an empty name or namespace there means `*`.
 */

/** Namespace of a rule that names none (polaris `DefaultNamespace`). */
export const DEFAULT_RULE_NAMESPACE = 'default';

const CB_ROW_FIELDS = ['id', 'name', 'namespace', 'enable', 'revision', 'ctime', 'mtime', 'etime', 'priority', 'editable', 'deleteable'] as const;
const FD_ROW_FIELDS = ['id', 'name', 'namespace', 'revision', 'ctime', 'mtime', 'priority', 'editable', 'deleteable'] as const;

export type CircuitBreakerBody = Omit<WireCircuitBreakerRule, (typeof CB_ROW_FIELDS)[number]>;
export type FaultDetectBody = Omit<WireFaultDetectRule, (typeof FD_ROW_FIELDS)[number]>;

export function targetKey(t: { service?: string | null; namespace?: string | null } | null | undefined): RuleServiceKey {
  return { namespace: t?.namespace || '*', service: t?.service || '*' };
}

function bodyWithout(req: object, fields: readonly string[]): string {
  const body: Record<string, unknown> = { ...(req as Record<string, unknown>) };
  for (const f of fields) delete body[f];
  return JSON.stringify(body);
}

export function circuitBreakerToRow(
  req: WireCircuitBreakerRule,
  cols: { id: string; revision: string; enable: boolean; etime: number },
): RuleRow {
  return {
    kind: 'circuitbreaker',
    id: cols.id,
    name: req.name ?? '',
    namespace: req.namespace || DEFAULT_RULE_NAMESPACE,
    services: [targetKey(req.rule_matcher?.destination)],
    enable: cols.enable,
    revision: cols.revision,
    priority: req.priority ?? 0,
    body: bodyWithout(req, CB_ROW_FIELDS),
    etime: cols.etime,
    ctime: 0,
    mtime: 0,
  };
}

export function circuitBreakerToWire(e: RuleEntry<CircuitBreakerBody>): WireCircuitBreakerRule {
  const { row, body } = e;
  return {
    ...body,
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    enable: row.enable,
    revision: row.revision,
    ctime: ruleTime(row.ctime),
    mtime: ruleTime(row.mtime),
    etime: ruleTime(row.etime),
    priority: row.priority,
    editable: true,
    deleteable: true,
  };
}

export function faultDetectToRow(req: WireFaultDetectRule, cols: { id: string; revision: string }): RuleRow {
  return {
    kind: 'faultdetect',
    id: cols.id,
    name: req.name ?? '',
    namespace: req.namespace || DEFAULT_RULE_NAMESPACE,
    services: [targetKey(req.target_service)],
    enable: true,
    revision: cols.revision,
    priority: req.priority ?? 0,
    body: bodyWithout(req, FD_ROW_FIELDS),
    etime: 0,
    ctime: 0,
    mtime: 0,
  };
}

export function faultDetectToWire(e: RuleEntry<FaultDetectBody>): WireFaultDetectRule {
  const { row, body } = e;
  return {
    ...body,
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    revision: row.revision,
    ctime: ruleTime(row.ctime),
    mtime: ruleTime(row.mtime),
    priority: row.priority,
    editable: true,
    deleteable: true,
  };
}
