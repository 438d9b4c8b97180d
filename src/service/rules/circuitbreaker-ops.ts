import type { CircuitBreakerRule as WireCircuitBreakerRule } from '../../common/api/gen/wire.js';
import type { RuleEntry, RulesReader } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { MAX_NAMESPACE_LEN, MAX_SERVICE_NAME_LEN } from '../../common/utils/validate.js';
import type { RuleKind, RuleServiceKey, RuleWrites } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { CircuitBreakerOps } from './api.js';
import { checkMaxLen, checkQueryKeys, goBool, MAX_COMMENT, MAX_RULE_NAME, nameFilter, page, prevalidate, sortedRevision } from './common.js';
import { circuitBreakerToRow, circuitBreakerToWire, DEFAULT_RULE_NAMESPACE, type CircuitBreakerBody } from './convert-fault.js';
import { syncRules, writeEach, type RuleOpsDeps } from './deps.js';
import type { RulePayload } from './discover.js';

const LIST_KEYS = new Set([
  'brief', 'offset', 'limit', 'id', 'name', 'namespace', 'enable', 'level', 'service', 'serviceNamespace',
  'srcService', 'srcNamespace', 'dstService', 'dstNamespace', 'dstMethod', 'description',
]);

/** polaris `checkCircuitBreakerRuleParams` (also the lengths of the destination, which polaris skips). */
function checkRule(req: WireCircuitBreakerRule, idRequired: boolean, nameRequired: boolean): WireCircuitBreakerRule {
  const src = req.rule_matcher?.source;
  const dst = req.rule_matcher?.destination;
  checkMaxLen(src?.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'source service');
  checkMaxLen(src?.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'source namespace');
  checkMaxLen(dst?.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'destination service');
  checkMaxLen(dst?.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'destination namespace');
  checkMaxLen(req.name, MAX_RULE_NAME, Code.InvalidCircuitBreakerName, 'name');
  checkMaxLen(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  checkMaxLen(req.description, MAX_COMMENT, Code.InvalidServiceComment, 'description');
  if (nameRequired && !req.name) throw new PolarisError(Code.InvalidCircuitBreakerName, 'name is empty');
  if (idRequired && !req.id) throw new PolarisError(Code.InvalidCircuitBreakerID, 'id is empty');
  return req;
}

/** Answers without a value, as polaris's `NewResponse(code)` for refused items. */
export function withoutValues<T>(items: ItemResult<T>[]): ItemResult<T>[] {
  return items.map((r) => ({ code: r.code, info: r.info }));
}

function byPriorityThenId(a: RuleEntry, b: RuleEntry): number {
  return a.row.priority - b.row.priority || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
}

/**
 * Rules of a kind bound to a target service: those naming the service, those naming its
 * namespace with `*`, and the global `*` ones (polaris's service → namespace → global buckets,
 * each of which also holds the wider rules), each rule once, by priority.
 */
export function targetedRules<B>(cache: RulesReader, kind: RuleKind, svc: RuleServiceKey): RuleEntry<B>[] {
  const seen = new Set<string>();
  const out: RuleEntry<B>[] = [];
  for (const key of [svc, { namespace: svc.namespace, service: '*' }, { namespace: '*', service: '*' }]) {
    for (const e of cache.bound<B>(kind, 'svc', key)) {
      if (seen.has(e.row.id)) continue;
      seen.add(e.row.id);
      out.push(e);
    }
  }
  return out.sort(byPriorityThenId);
}

/** CIRCUIT_BREAKER for Discover: every bound rule (disabled ones too: SDKs read `enable`). */
export function circuitBreakerPayload(cache: RulesReader, source: RuleServiceKey, requested: RuleServiceKey): RulePayload {
  const rules = targetedRules<CircuitBreakerBody>(cache, 'circuitbreaker', source);
  const revision = sortedRevision(rules.map((r) => r.row.revision));
  return {
    revision,
    fields: {
      circuitBreaker: {
        revision,
        rules: rules.map(circuitBreakerToWire),
        service: requested.service,
        service_namespace: requested.namespace,
      },
    },
  };
}

async function nameTaken(tx: RuleWrites, namespace: string, name: string, exceptId?: string): Promise<boolean> {
  const found = await tx.findRuleByName('circuitbreaker', namespace, name);
  if (!found || found.id !== exceptId) return Boolean(found);
  // The rule itself holds the name; another live rule may too.
  return (await tx.listRules('circuitbreaker')).some((r) => r.namespace === namespace && r.name === name && r.id !== exceptId);
}

/** Circuit-breaker rules (`/naming/v1/circuitbreaker/rules`). */
export class DefaultCircuitBreakerOps implements CircuitBreakerOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, false, true));
    if (!pre.ok) return withoutValues(pre.failures);
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        const id = newId();
        await this.deps.store.transaction(async (tx) => {
          if (await nameTaken(tx, req.namespace || DEFAULT_RULE_NAMESPACE, req.name ?? '')) {
            throw new PolarisError(Code.ServiceExistedCircuitBreakers);
          }
          const enable = req.enable ?? false;
          await tx.createRule(circuitBreakerToRow(req, { id, revision: newId(), enable, etime: enable ? Date.now() : 0 }));
        });
        return ok({ ...req, id });
      },
      (err, _item) => failed(err),
    );
  }

  async updateCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, true, true));
    if (!pre.ok) return withoutValues(pre.failures);
    const out: ItemResult<WireCircuitBreakerRule>[] = [];
    for (const req of pre.values) {
      const id = req.id as string;
      try {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('circuitbreaker', id);
          if (!cur) throw new PolarisError(Code.NotFoundCircuitBreaker);
          if (await nameTaken(tx, req.namespace || DEFAULT_RULE_NAMESPACE, req.name ?? '', id)) {
            throw new PolarisError(Code.ServiceExistedCircuitBreakers);
          }
          // v1.18.1: an update never changes `enable`; enableCircuitBreakerRules does.
          await tx.updateRule(circuitBreakerToRow(req, { id, revision: newId(), enable: cur.enable, etime: cur.etime }));
        });
        out.push(ok({ id }));
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async deleteCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, true, false));
    if (!pre.ok) return withoutValues(pre.failures);
    const out: ItemResult<WireCircuitBreakerRule>[] = [];
    for (const req of pre.values) {
      const id = req.id as string;
      try {
        // Deleting what does not exist succeeds (polaris).
        await this.deps.store.deleteRule('circuitbreaker', id);
        out.push(ok({ id }));
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async enableCircuitBreakerRules(ctx: RequestContext, reqs: WireCircuitBreakerRule[]): Promise<ItemResult<WireCircuitBreakerRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, true, false));
    if (!pre.ok) return withoutValues(pre.failures);
    const out: ItemResult<WireCircuitBreakerRule>[] = [];
    for (const req of pre.values) {
      const id = req.id as string;
      try {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('circuitbreaker', id);
          if (!cur) throw new PolarisError(Code.NotFoundCircuitBreaker);
          const enable = req.enable ?? false;
          const etime = enable && !cur.enable ? Date.now() : cur.etime;
          await tx.updateRule({ ...cur, enable, etime, revision: newId() });
        });
        out.push(ok({ id }));
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async listCircuitBreakerRules(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireCircuitBreakerRule>> {
    checkQueryKeys(q, LIST_KEYS);
    const { offset, limit } = paging(q);
    const v = (k: string) => first(q, k) || undefined;
    const id = v('id');
    const nameOk = v('name') ? nameFilter(v('name') as string) : undefined;
    const namespace = v('namespace');
    const enable = goBool(v('enable'));
    const level = v('level');
    const description = v('description');
    const service = v('service');
    const serviceNs = v('serviceNamespace');
    const matches: RuleEntry<CircuitBreakerBody>[] = [];
    for (const e of this.deps.cache.all<CircuitBreakerBody>('circuitbreaker')) {
      const src = e.body.rule_matcher?.source;
      const dst = e.body.rule_matcher?.destination;
      if (id && e.row.id !== id) continue;
      if (nameOk && !nameOk(e.row.name)) continue;
      if (namespace && e.row.namespace !== namespace) continue;
      if (enable !== undefined && e.row.enable !== enable) continue;
      if (level && e.body.level !== level && String(levelNumber(e.body.level)) !== level) continue;
      if (description && !(e.body.description ?? '').includes(description)) continue;
      if (v('srcService') && src?.service !== v('srcService')) continue;
      if (v('srcNamespace') && src?.namespace !== v('srcNamespace')) continue;
      if (v('dstService') && dst?.service !== v('dstService')) continue;
      if (v('dstNamespace') && dst?.namespace !== v('dstNamespace')) continue;
      if (v('dstMethod') && !(dst?.method?.value ?? '').includes(v('dstMethod') as string)) continue;
      if (service || serviceNs) {
        const hit = (s: { service?: string | null; namespace?: string | null } | null | undefined) =>
          (!service || s?.service === service) && (!serviceNs || s?.namespace === serviceNs);
        if (!hit(src) && !hit(dst)) continue;
      }
      matches.push(e);
    }
    matches.sort((a, b) => b.row.mtime - a.row.mtime || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    return { amount: matches.length, items: page(matches, offset, limit).map(circuitBreakerToWire) };
  }
}

const LEVELS = ['UNKNOWN', 'SERVICE', 'METHOD', 'GROUP', 'INSTANCE'];

function levelNumber(level: string | null | undefined): number {
  return Math.max(0, LEVELS.indexOf(level ?? 'UNKNOWN'));
}
