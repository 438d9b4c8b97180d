import type { Rule as WireRateLimit } from '../../common/api/gen/wire.js';
import type { RuleEntry, RulesReader } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { checkResourceName, MAX_NAMESPACE_LEN, MAX_SERVICE_NAME_LEN } from '../../common/utils/validate.js';
import type { RuleServiceKey } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { RateLimitOps } from './api.js';
import { checkMaxLen, checkQueryKeys, goBool, MAX_RULE_NAME, nameFilter, page, prevalidate, sortedRevision } from './common.js';
import { rateLimitToClient, rateLimitToConsole, rateLimitToRow, type RateLimitBody } from './convert-ratelimit.js';
import { writeEach, type RuleOpsDeps } from './deps.js';
import type { RulePayload } from './discover.js';

const LIST_KEYS = new Set(['id', 'name', 'service', 'namespace', 'brief', 'method', 'labels', 'disable', 'offset', 'limit']);

/** polaris `checkRateLimitParamsDbLen`. */
function checkLengths(req: WireRateLimit): void {
  checkMaxLen(req.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'service');
  checkMaxLen(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  checkMaxLen(req.name, MAX_RULE_NAME, Code.InvalidRateLimitName, 'name');
}

/** polaris `checkRateLimitRuleParams`: every amount has a duration, and no duration twice. */
function checkAmounts(req: WireRateLimit): void {
  const seen = new Set<string>();
  for (const a of req.amounts ?? []) {
    const d = a.validDuration;
    if (d === undefined || d === null) throw new PolarisError(Code.InvalidRateLimitAmounts, 'an amount has no validDuration');
    if (seen.has(d)) throw new PolarisError(Code.InvalidRateLimitAmounts, `validDuration ${d} appears twice`);
    seen.add(d);
  }
}

/** Create: the service and namespace are resource names (polaris `checkRateLimitParams`). */
export function checkRateLimitCreate(req: WireRateLimit): WireRateLimit {
  checkResourceName(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  checkResourceName(req.service, MAX_SERVICE_NAME_LEN, Code.InvalidServiceName, 'service');
  checkLengths(req);
  checkMaxLen(req.service_token, 2048, Code.InvalidServiceToken, 'service_token');
  checkAmounts(req);
  return req;
}

function checkRateLimitId(req: WireRateLimit): string {
  if (!req.id) throw new PolarisError(Code.InvalidRateLimitID, 'id is empty');
  return req.id;
}

/** Update replaces the whole rule, so it is held to the create rules too. */
export function checkRateLimitUpdate(req: WireRateLimit): WireRateLimit {
  checkRateLimitId(req);
  return checkRateLimitCreate(req);
}

function byPriorityThenId(a: RuleEntry, b: RuleEntry): number {
  return a.row.priority - b.row.priority || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
}

/**
 * RATE_LIMIT for Discover: the rules bound to exactly the source service (no wildcards), named
 * after the requested service; revision = SHA-1 of the sorted rule revisions ('' when none).
 */
export function rateLimitPayload(cache: RulesReader, source: RuleServiceKey, requested: RuleServiceKey): RulePayload {
  const rules = cache.bound<RateLimitBody>('ratelimit', 'svc', source).sort(byPriorityThenId);
  const revision = sortedRevision(rules.map((r) => r.row.revision));
  return { revision, fields: { rateLimit: { revision, rules: rules.map((r) => rateLimitToClient(r, requested)) } } };
}

/** Rate-limit rules (`/naming/v1/ratelimits`). */
export class DefaultRateLimitOps implements RateLimitOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]> {
    const pre = prevalidate(reqs, checkRateLimitCreate);
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        const id = newId();
        const etime = req.disable ? 0 : Date.now();
        await this.deps.store.createRule(rateLimitToRow(req, { id, revision: newId(), etime }));
        return ok({ ...req, id });
      },
      (err, req) => failed(err, req),
    );
  }

  async updateRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]> {
    const pre = prevalidate(reqs, checkRateLimitUpdate);
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('ratelimit', req.id as string);
          if (!cur) throw new PolarisError(Code.NotFoundRateLimit);
          const enabling = !req.disable && !cur.enable;
          const etime = enabling ? Date.now() : cur.etime;
          await tx.updateRule(rateLimitToRow(req, { id: cur.id, revision: newId(), etime }));
        });
        return ok(req);
      },
      (err, req) => failed(err, req),
    );
  }

  async deleteRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]> {
    const pre = prevalidate(reqs, (r) => ({ req: r, id: checkRateLimitId(r) }));
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, id }) => {
        // A rule that does not exist is already deleted (polaris answers success).
        await this.deps.store.deleteRule('ratelimit', id);
        return ok(req);
      },
      (err, { req, id }) => failed(err, req),
    );
  }

  async enableRateLimits(ctx: RequestContext, reqs: WireRateLimit[]): Promise<ItemResult<WireRateLimit>[]> {
    const pre = prevalidate(reqs, (r) => ({ req: r, id: checkRateLimitId(r) }));
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, id }) => {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('ratelimit', id);
          if (!cur) throw new PolarisError(Code.NotFoundRateLimit);
          const enable = !(req.disable ?? false);
          const etime = enable && !cur.enable ? Date.now() : cur.etime;
          await tx.updateRule({ ...cur, enable, etime, revision: newId() });
        });
        return ok(req);
      },
      (err, { req, id }) => failed(err, req),
    );
  }

  async listRateLimits(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireRateLimit>> {
    checkQueryKeys(q, LIST_KEYS);
    const { offset, limit } = paging(q);
    const id = first(q, 'id');
    const name = first(q, 'name');
    const service = first(q, 'service');
    const namespace = first(q, 'namespace');
    const method = first(q, 'method');
    const disableRaw = first(q, 'disable');
    const disable = disableRaw === undefined ? undefined : goBool(disableRaw) ?? false;
    const nameOk = name ? nameFilter(name) : undefined;
    const matches: RuleEntry<RateLimitBody>[] = [];
    for (const e of this.deps.cache.all<RateLimitBody>('ratelimit')) {
      if (id && e.row.id !== id) continue;
      if (service && e.body.service !== service) continue;
      if (namespace && e.body.namespace !== namespace) continue;
      if (nameOk && !nameOk(e.row.name)) continue;
      if (method && !(e.body.method?.value ?? '').includes(method)) continue;
      if (disable !== undefined && !e.row.enable !== disable) continue;
      matches.push(e);
    }
    matches.sort((a, b) => b.row.mtime - a.row.mtime || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    return { amount: matches.length, items: page(matches, offset, limit).map(rateLimitToConsole) };
  }
}
