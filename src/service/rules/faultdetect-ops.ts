import type { FaultDetectRule as WireFaultDetectRule } from '../../common/api/gen/wire.js';
import type { RuleEntry, RulesReader } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { MAX_NAMESPACE_LEN, MAX_SERVICE_NAME_LEN } from '../../common/utils/validate.js';
import type { RuleServiceKey, RuleWrites } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { FaultDetectOps } from './api.js';
import { targetedRules, withoutValues } from './circuitbreaker-ops.js';
import { checkMaxLen, checkQueryKeys, MAX_COMMENT, MAX_RULE_NAME, nameFilter, page, prevalidate, sortedRevision } from './common.js';
import { DEFAULT_RULE_NAMESPACE, faultDetectToRow, faultDetectToWire, type FaultDetectBody } from './convert-fault.js';
import { syncRules, writeEach, type RuleOpsDeps } from './deps.js';
import type { RulePayload } from './discover.js';

const LIST_KEYS = new Set([
  'brief', 'offset', 'limit', 'id', 'name', 'namespace', 'service', 'serviceNamespace', 'dstService', 'dstNamespace',
  'dstMethod', 'description',
]);

/**
 * polaris's fault-detect paramcheck: lengths, then a name (create/update) or an id (update,
 * delete). polaris answers the circuit-breaker codes for a missing name or id; so does this.
 */
function checkRule(req: WireFaultDetectRule, idRequired: boolean, nameRequired: boolean): WireFaultDetectRule {
  checkMaxLen(req.target_service?.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'target service');
  checkMaxLen(req.target_service?.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'target namespace');
  checkMaxLen(req.name, MAX_RULE_NAME, Code.InvalidCircuitBreakerName, 'name');
  checkMaxLen(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  checkMaxLen(req.description, MAX_COMMENT, Code.InvalidServiceComment, 'description');
  if (nameRequired && !req.name) throw new PolarisError(Code.InvalidCircuitBreakerName, 'name is empty');
  if (idRequired && !req.id) throw new PolarisError(Code.InvalidCircuitBreakerID, 'id is empty');
  return req;
}

/** FAULT_DETECTOR for Discover: the rules bound to the service, its namespace wildcard or `*`. */
export function faultDetectPayload(cache: RulesReader, source: RuleServiceKey): RulePayload {
  const rules = targetedRules<FaultDetectBody>(cache, 'faultdetect', source);
  const revision = sortedRevision(rules.map((r) => r.row.revision));
  return { revision, fields: { faultDetector: { rules: rules.map(faultDetectToWire), revision } } };
}

async function nameTaken(tx: RuleWrites, namespace: string, name: string, exceptId?: string): Promise<boolean> {
  return (await tx.listRules('faultdetect')).some((r) => r.namespace === namespace && r.name === name && r.id !== exceptId);
}

/** Fault-detect rules (`/naming/v1/faultdetectors`). */
export class DefaultFaultDetectOps implements FaultDetectOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, false, true));
    if (!pre.ok) return withoutValues(pre.failures);
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        const id = newId();
        await this.deps.store.transaction(async (tx) => {
          if (await nameTaken(tx, req.namespace || DEFAULT_RULE_NAMESPACE, req.name ?? '')) {
            throw new PolarisError(Code.FaultDetectRuleExisted);
          }
          await tx.createRule(faultDetectToRow(req, { id, revision: newId() }));
        });
        return ok({ ...req, id });
      },
      (err, _item) => failed(err),
    );
  }

  async updateFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, true, true));
    if (!pre.ok) return withoutValues(pre.failures);
    const out: ItemResult<WireFaultDetectRule>[] = [];
    for (const req of pre.values) {
      const id = req.id as string;
      try {
        await this.deps.store.transaction(async (tx) => {
          if (!(await tx.getRule('faultdetect', id))) throw new PolarisError(Code.NotFoundResource, `fault detect rule ${id}`);
          if (await nameTaken(tx, req.namespace || DEFAULT_RULE_NAMESPACE, req.name ?? '', id)) {
            throw new PolarisError(Code.FaultDetectRuleExisted);
          }
          await tx.updateRule(faultDetectToRow(req, { id, revision: newId() }));
        });
        out.push(ok({ id }));
      } catch (err) {
        out.push({ ...failed(err), value: { id } });
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async deleteFaultDetectRules(ctx: RequestContext, reqs: WireFaultDetectRule[]): Promise<ItemResult<WireFaultDetectRule>[]> {
    const pre = prevalidate(reqs, (r) => checkRule(r, true, false));
    if (!pre.ok) return withoutValues(pre.failures);
    const out: ItemResult<WireFaultDetectRule>[] = [];
    for (const req of pre.values) {
      const id = req.id as string;
      try {
        await this.deps.store.deleteRule('faultdetect', id);
        out.push(ok({ id }));
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async listFaultDetectRules(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireFaultDetectRule>> {
    checkQueryKeys(q, LIST_KEYS);
    const { offset, limit } = paging(q);
    const v = (k: string) => first(q, k) || undefined;
    const id = v('id');
    const nameOk = v('name') ? nameFilter(v('name') as string) : undefined;
    const namespace = v('namespace');
    const description = v('description');
    const service = v('service');
    const serviceNs = v('serviceNamespace');
    const matches: RuleEntry<FaultDetectBody>[] = [];
    for (const e of this.deps.cache.all<FaultDetectBody>('faultdetect')) {
      const dst = e.body.target_service;
      if (id && e.row.id !== id) continue;
      if (nameOk && !nameOk(e.row.name)) continue;
      if (namespace && e.row.namespace !== namespace) continue;
      if (description && !(e.body.description ?? '').includes(description)) continue;
      if (v('dstService') && dst?.service !== v('dstService')) continue;
      if (v('dstNamespace') && dst?.namespace !== v('dstNamespace')) continue;
      if (v('dstMethod') && !(dst?.method?.value ?? '').includes(v('dstMethod') as string)) continue;
      if (service && dst?.service !== service) continue;
      if (serviceNs && dst?.namespace !== serviceNs) continue;
      matches.push(e);
    }
    matches.sort((a, b) => b.row.mtime - a.row.mtime || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    return { amount: matches.length, items: page(matches, offset, limit).map(faultDetectToWire) };
  }
}
