import type { RouteRule as WireRouteRule, Routing as WireRouting } from '../../common/api/gen/wire.js';
import type { RuleEntry } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { checkBatch } from '../../common/utils/validate.js';
import type { RuleRow, RuleServiceKey, RuleWrites } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { RouteRuleOps } from './api.js';
import { checkQueryKeys, goBool, nameFilter, page, prevalidate } from './common.js';
import {
  routeRuleToRow,
  routeRuleToWire,
  ruleRoutingOf,
  V1_RULE_ID_KEY,
  V1_RULE_ROUTE_INDEX_KEY,
  V1_RULE_ROUTE_TYPE_KEY,
  v1RouteToRuleRouting,
  type RouteBody,
} from './convert.js';
import { syncRules, writeEach, type RuleOpsDeps } from './deps.js';
import { checkRouteRule, checkRouteRuleId, checkRouteRuleUpdate, checkV1Routing } from './validate-route.js';

const LIST_KEYS = new Set([
  'id', 'name', 'service', 'namespace', 'source_service', 'destination_service', 'source_namespace',
  'destination_namespace', 'enable', 'offset', 'limit', 'order_field', 'order_type',
]);
const V1_LIST_KEYS = new Set(['service', 'namespace', 'offset', 'limit']);

/** Notes a write failing because the rule vanished as NotFoundRouting. */
function notFoundAsRouting(err: unknown): unknown {
  if (err instanceof PolarisError && err.code === Code.NotFoundResource) return new PolarisError(Code.NotFoundRouting);
  return err;
}

/** Route rules (v2) and the deprecated v1 routing API on top of them. */
export class DefaultRouteRuleOps implements RouteRuleOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]> {
    const pre = prevalidate(reqs, checkRouteRule);
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, cfg }) => {
        const enable = req.enable ?? false;
        const cols = { id: newId(), revision: newId(), enable, etime: enable ? Date.now() : 0 };
        await this.deps.store.createRule(routeRuleToRow(req, cfg, cols));
        return ok({ ...req, id: cols.id, revision: cols.revision });
      },
      (err, { req, cfg }) => failed(err, req),
    );
  }

  async updateRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]> {
    const pre = prevalidate(reqs, checkRouteRuleUpdate);
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, cfg }) => {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('route', req.id as string);
          if (!cur) throw new PolarisError(Code.NotFoundRouting);
          const enable = req.enable ?? false;
          const etime = enable && !cur.enable ? Date.now() : cur.etime;
          await tx.updateRule(routeRuleToRow(req, cfg, { id: cur.id, revision: newId(), enable, etime }));
        });
        return ok<WireRouteRule>();
      },
      (err, { req, cfg }) => failed(notFoundAsRouting(err), req),
    );
  }

  async deleteRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]> {
    const pre = prevalidate(reqs, (r) => ({ req: r, id: checkRouteRuleId(r) }));
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, id }) => {
        await this.deps.store.deleteRule('route', id);
        return ok(req);
      },
      (err, { req, id }) => failed(err, req),
    );
  }

  async enableRouteRules(ctx: RequestContext, reqs: WireRouteRule[]): Promise<ItemResult<WireRouteRule>[]> {
    const pre = prevalidate(reqs, (r) => ({ req: r, id: checkRouteRuleId(r) }));
    if (!pre.ok) return pre.failures;
    return writeEach(
      this.deps,
      pre.values,
      async ({ req, id }) => {
        await this.deps.store.transaction(async (tx) => {
          const cur = await tx.getRule('route', id);
          if (!cur) throw new PolarisError(Code.NotFoundRouting);
          const enable = req.enable ?? false;
          const etime = enable && !cur.enable ? Date.now() : cur.etime;
          await tx.updateRule({ ...cur, enable, etime, revision: newId() });
        });
        return ok<WireRouteRule>();
      },
      (err, { req, id }) => failed(notFoundAsRouting(err), req),
    );
  }

  async listRouteRules(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireRouteRule>> {
    checkQueryKeys(q, LIST_KEYS);
    const { offset, limit } = paging(q);
    const id = first(q, 'id');
    const name = first(q, 'name');
    const enable = goBool(first(q, 'enable'));
    const service = first(q, 'service') || undefined;
    const namespace = first(q, 'namespace') || undefined;
    const src = { service: first(q, 'source_service') || service, namespace: first(q, 'source_namespace') || namespace };
    const dst = { service: first(q, 'destination_service') || service, namespace: first(q, 'destination_namespace') || namespace };
    const hasSrc = Boolean(first(q, 'source_service') || first(q, 'source_namespace'));
    const hasDst = Boolean(first(q, 'destination_service') || first(q, 'destination_namespace'));
    const bySvc = Boolean(service || namespace) || hasSrc || hasDst;
    // Both sides must match when both are asked for explicitly; otherwise either side.
    const both = hasSrc && hasDst;
    const nameOk = name ? nameFilter(name) : undefined;
    const matches: RuleEntry<RouteBody>[] = [];
    for (const e of this.deps.cache.all<RouteBody>('route')) {
      if (id && e.row.id !== id) continue;
      if (nameOk && !nameOk(e.row.name)) continue;
      if (enable !== undefined && e.row.enable !== enable) continue;
      if (bySvc && !matchesServices(e.body, src, dst, both)) continue;
      matches.push(e);
    }
    const field = (first(q, 'order_field') ?? '').toLowerCase();
    const desc = (first(q, 'order_type') ?? '').toLowerCase() === 'desc';
    matches.sort((a, b) => {
      const byId = a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
      if (field === 'priority') return (desc ? b.row.priority - a.row.priority : a.row.priority - b.row.priority) || byId;
      return (desc ? a.row.mtime - b.row.mtime : b.row.mtime - a.row.mtime) || byId;
    });
    return { amount: matches.length, items: page(matches, offset, limit).map(routeRuleToWire) };
  }

  // ---- the deprecated v1 routing API (v1.18.1: functional, stored as v2 rules) ----

  async createRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireRouting>[] = [];
    for (const req of reqs) {
      try {
        const own = this.v1Service(req);
        const rows = v1Rows(req, own);
        await this.deps.store.transaction(async (tx) => {
          for (const row of rows) await tx.createRule(row);
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async updateRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireRouting>[] = [];
    for (const req of reqs) {
      try {
        const own = this.v1Service(req);
        const rows = v1Rows(req, own);
        await this.deps.store.transaction(async (tx) => {
          const old = await v1RulesOf(tx, own);
          if (old.length === 0) throw new PolarisError(Code.NotFoundRouting);
          for (const r of old) await tx.deleteRule('route', r.id);
          for (const row of rows) await tx.createRule(row);
        });
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async deleteRoutingsV1(ctx: RequestContext, reqs: WireRouting[]): Promise<ItemResult<WireRouting>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireRouting>[] = [];
    for (const req of reqs) {
      try {
        const own = this.v1Service(req);
        await this.deps.store.transaction(async (tx) => {
          for (const r of await v1RulesOf(tx, own)) await tx.deleteRule('route', r.id);
        });
        out.push(ok<WireRouting>());
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async listRoutingsV1(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireRouting>> {
    checkQueryKeys(q, V1_LIST_KEYS);
    paging(q);
    return { amount: 0, items: [] };
  }

  /** The existing, non-alias service a v1 routing belongs to. */
  private v1Service(req: WireRouting): V1Owner {
    const key = checkV1Routing(req);
    const svc = this.deps.naming.service(key.namespace, key.service);
    if (!svc) throw new PolarisError(Code.NotFoundService, `${key.namespace}/${key.service}`);
    if (svc.reference) throw new PolarisError(Code.NotAllowAliasCreateRouting);
    return { id: svc.id, key };
  }
}

interface V1Owner {
  id: string;
  key: RuleServiceKey;
}

/** One enabled v2 rule per v1 route, inbound first; priorities count up per direction (max 10). */
function v1Rows(req: WireRouting, own: V1Owner): RuleRow[] {
  const rows: RuleRow[] = [];
  const now = Date.now();
  for (const direction of ['in', 'out'] as const) {
    const routes = (direction === 'in' ? req.inbounds : req.outbounds) ?? [];
    let priority = 0;
    for (const [index, route] of routes.entries()) {
      if (direction === 'out' && (route.destinations ?? []).length === 0) continue;
      const cfg = v1RouteToRuleRouting(route, own.key, direction);
      const rule: WireRouteRule = {
        name: direction === 'in' ? `${own.key.namespace}.${own.key.service}` : '',
        namespace: own.key.namespace,
        routing_policy: 'RulePolicy',
        priority: Math.min(priority++, 10),
        metadata: {
          [V1_RULE_ID_KEY]: own.id,
          [V1_RULE_ROUTE_TYPE_KEY]: direction,
          [V1_RULE_ROUTE_INDEX_KEY]: String(index),
        },
      };
      rows.push(routeRuleToRow(rule, cfg, { id: newId(), revision: newId(), enable: true, etime: now }));
    }
  }
  return rows;
}

/** The v2 rules written for a service through the v1 API. */
async function v1RulesOf(tx: RuleWrites, own: V1Owner): Promise<RuleRow[]> {
  const out: RuleRow[] = [];
  for (const row of await tx.listRules('route', own.key)) {
    try {
      const body = JSON.parse(row.body) as RouteBody;
      if (body.metadata?.[V1_RULE_ID_KEY] === own.id) out.push(row);
    } catch {
      // not ours to judge: a body that does not parse was not written through the v1 API
    }
  }
  return out;
}

type SideQuery = { service?: string; namespace?: string };

function sideMatches(items: ReadonlyArray<{ service?: string | null; namespace?: string | null }>, q: SideQuery): boolean {
  if (!q.service && !q.namespace) return false;
  const svcOk = q.service ? nameFilter(q.service) : undefined;
  const nsOk = q.namespace ? nameFilter(q.namespace) : undefined;
  return items.some((i) => (!svcOk || svcOk(i.service ?? '')) && (!nsOk || nsOk(i.namespace ?? '')));
}

/** polaris `queryRoutingRuleV2ByService`: any sub-rule whose sources / destinations match. */
function matchesServices(body: RouteBody, src: SideQuery, dst: SideQuery, both: boolean): boolean {
  for (const sub of ruleRoutingOf(body).rules ?? []) {
    const s = sideMatches(sub.sources ?? [], src);
    const d = sideMatches(sub.destinations ?? [], dst);
    if (both ? s && d : s || d) return true;
  }
  return false;
}
