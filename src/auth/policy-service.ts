import type {
  AuthStrategy as WireAuthStrategy,
  ModifyAuthStrategy as WireModifyAuthStrategy,
  Principals as WirePrincipals,
  StrategyResourceEntry as WireResourceEntry,
  StrategyResourceLabel as WireResourceLabel,
  StrategyResources as WireStrategyResources,
} from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import {
  RESOURCE_TYPES,
  type PrincipalRef,
  type ResourceLabel,
  type Strategy,
  type StrategyAction,
  type StrategyResource,
} from '../common/model/auth.js';
import { newId } from '../common/utils/ids.js';
import { checkBatch } from '../common/utils/validate.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { AuthQuery, ListResult, Operator, PolicyService } from './api.js';
import { resourcesToWire, strategyToWire } from './convert.js';
import type { AuthCore } from './core.js';
import { checkKeys, checkName, first, page, paging, requireId } from './validate.js';

const STRATEGY_QUERY_KEYS = [
  'id', 'name', 'owner', 'principal_id', 'principal_type', 'res_id', 'res_type', 'default', 'show_detail', 'offset', 'limit',
];
const RES_TYPE_FILTER: Record<string, string> = { namespace: 'namespaces', service: 'services', config_group: 'config_groups' };
const ACTIONS: readonly StrategyAction[] = ['ALLOW', 'DENY', 'READ_WRITE', 'ONLY_READ'];

const resKey = (r: StrategyResource): string => `${r.type}\u0000${r.id}`;
const principalKey = (p: PrincipalRef): string => `${p.type}\u0000${p.id}`;

function labelsFrom(list: readonly WireResourceLabel[] | null | undefined): ResourceLabel[] {
  return (list ?? []).map((l) => ({ key: l.key ?? '', value: l.value ?? '', compareType: l.compare_type ?? '' }));
}

function principalType(value: string | undefined): 'user' | 'group' {
  if (value === undefined || value === 'user') return 'user';
  if (value === 'group' || value === 'groups') return 'group';
  throw new PolarisError(Code.InvalidPrincipalType, value);
}

export class DefaultPolicyService implements PolicyService {
  constructor(private readonly core: AuthCore) {}

  status(): Record<string, string> {
    const c = this.core.config;
    return { auth: String(c.consoleOpen || c.clientOpen), clientOpen: String(c.clientOpen), consoleOpen: String(c.consoleOpen) };
  }

  // ---- request → domain ----

  /** Principals of a request: existing users / groups of the caller's main account. */
  private principals(op: Operator, p: WirePrincipals | null | undefined): PrincipalRef[] {
    const out: PrincipalRef[] = [];
    for (const u of p?.users ?? []) {
      const user = u.id ? this.core.cache.user(u.id) : undefined;
      if (!user || !this.core.sameTenant(op, user)) throw new PolarisError(Code.NotFoundUser, u.id ?? '');
      out.push({ type: 'user', id: user.id });
    }
    for (const g of p?.groups ?? []) {
      const group = g.id ? this.core.cache.group(g.id) : undefined;
      if (!group || (op.role !== 'admin' && group.owner !== op.ownerId)) throw new PolarisError(Code.NotFoundUserGroup, g.id ?? '');
      out.push({ type: 'group', id: group.id });
    }
    return dedupe(out, principalKey);
  }

  /**
   * Resources of a request, by type. `*` (as id or name) stands for the whole type. Namespaces and
   * services must exist (400305 / 400301) unless `check` is off (removals); other types are
   * taken by id as given.
   */
  private resources(res: WireStrategyResources | null | undefined, check: boolean): StrategyResource[] {
    const naming = this.core.deps.naming;
    const out: StrategyResource[] = [];
    const byType = (res ?? {}) as Record<string, WireResourceEntry[] | null | undefined>;
    for (const type of RESOURCE_TYPES) {
      const entries = byType[type] ?? [];
      if (entries.some((e) => e.id === '*' || e.name === '*')) {
        out.push({ type, id: '*', namespace: '*', name: '*' });
        continue;
      }
      for (const e of entries) {
        if (type === 'namespaces') {
          const id = e.id || e.name || '';
          if (check && !naming.namespace(id)) throw new PolarisError(Code.NotFoundNamespace, id);
          out.push({ type, id, namespace: id, name: id });
        } else if (type === 'services') {
          const svc = e.id ? naming.serviceById(e.id) : e.namespace && e.name ? naming.service(e.namespace, e.name) : undefined;
          if (!svc && check) throw new PolarisError(Code.NotFoundService, e.id || `${e.namespace ?? ''}/${e.name ?? ''}`);
          out.push({ type, id: svc?.id ?? e.id ?? '', namespace: svc?.namespace ?? e.namespace ?? '', name: svc?.name ?? e.name ?? '' });
        } else {
          if (!e.id) throw new PolarisError(Code.InvalidParameter, `${type}: a resource id is required`);
          out.push({ type, id: e.id, namespace: e.namespace ?? '', name: e.name ?? '' });
        }
      }
    }
    return dedupe(out, resKey).filter((r) => r.id !== '');
  }

  private action(value: string | null | undefined, dflt: StrategyAction): StrategyAction {
    if (value === undefined || value === null) return dflt;
    if (!ACTIONS.includes(value as StrategyAction)) throw new PolarisError(Code.InvalidParameter, `action ${value}`);
    return value as StrategyAction;
  }

  // ---- operations ----

  async createStrategy(ctx: RequestContext, req: WireAuthStrategy): Promise<WireAuthStrategy> {
    const op = this.core.caller(ctx, true);
    const name = checkName(req.name);
    const now = Date.now();
    const strategy: Strategy = {
      id: newId(),
      name,
      action: this.action(req.action, 'READ_WRITE'),
      comment: req.comment ?? '',
      owner: op.ownerId,
      defaultStrategy: false,
      source: req.source ?? '',
      metadata: { ...(req.metadata ?? {}) },
      functions: [...(req.functions ?? [])],
      resourceLabels: labelsFrom(req.resource_labels),
      principals: this.principals(op, req.principals),
      resources: this.resources(req.resources, true),
      ctime: now,
      mtime: now,
    };
    await this.core.deps.store.createStrategy(strategy);
    await this.core.sync();
    return strategyToWire(strategy, this.core.cache);
  }

  async updateStrategies(ctx: RequestContext, reqs: WireModifyAuthStrategy[]): Promise<ItemResult<WireModifyAuthStrategy>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireModifyAuthStrategy>[] = [];
    for (const req of reqs) {
      try {
        out.push(await this.updateOne(op, req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.core.sync();
    return out;
  }

  private async updateOne(op: Operator, req: WireModifyAuthStrategy): Promise<ItemResult<WireModifyAuthStrategy>> {
    const id = requireId(req.id, Code.InvalidAuthStrategyID);
    const saved = this.core.cache.strategy(id);
    if (!saved) throw new PolarisError(Code.NotFoundAuthStrategyRule, id);
    if (op.role !== 'admin' && saved.owner !== op.id) throw new PolarisError(Code.NotAllowedAccess);
    const addP = this.principals(op, req.add_principals);
    const removeP = [
      ...(req.remove_principals?.users ?? []).map((u): PrincipalRef => ({ type: 'user', id: u.id ?? '' })),
      ...(req.remove_principals?.groups ?? []).map((g): PrincipalRef => ({ type: 'group', id: g.id ?? '' })),
    ];
    if (saved.defaultStrategy) {
      if (addP.length > 0 || removeP.length > 0) throw new PolarisError(Code.NotAllowModifyDefaultStrategyPrincipal);
      const only = saved.principals.length === 1 ? saved.principals[0] : undefined;
      if (only?.type === 'user' && only.id === op.ownerId) throw new PolarisError(Code.NotAllowModifyOwnerDefaultStrategy);
    }
    const addR = this.resources(req.add_resources, true);
    const removeR = new Set(this.resources(req.remove_resources, false).map(resKey));
    const dropP = new Set(removeP.map(principalKey));
    const next: Strategy = {
      ...saved,
      name: req.name ? checkName(req.name) : saved.name,
      comment: req.comment ?? saved.comment,
      action: this.action(req.action, saved.action),
      functions: req.functions && req.functions.length > 0 ? [...req.functions] : saved.functions,
      resourceLabels: req.resource_labels && req.resource_labels.length > 0 ? labelsFrom(req.resource_labels) : saved.resourceLabels,
      metadata: req.metadata && Object.keys(req.metadata).length > 0 ? { ...req.metadata } : saved.metadata,
      principals: dedupe([...saved.principals.filter((p) => !dropP.has(principalKey(p))), ...addP], principalKey),
      resources: mergeResources(saved.resources.filter((r) => !removeR.has(resKey(r))), addR),
      mtime: Date.now(),
    };
    if (JSON.stringify({ ...next, mtime: 0 }) === JSON.stringify({ ...saved, mtime: 0 })) return ok(req, Code.NoNeedUpdate);
    await this.core.deps.store.transaction(async (tx) => {
      const cur = await tx.getStrategy(id);
      if (!cur) throw new PolarisError(Code.NotFoundAuthStrategyRule, id);
      await tx.updateStrategy(next);
    });
    return ok(req);
  }

  async deleteStrategies(ctx: RequestContext, reqs: WireAuthStrategy[]): Promise<ItemResult<WireAuthStrategy>[]> {
    const op = this.core.caller(ctx, true);
    checkBatch(reqs);
    const out: ItemResult<WireAuthStrategy>[] = [];
    for (const req of reqs) {
      try {
        const saved = req.id ? this.core.cache.strategy(req.id) : undefined;
        if (!saved) {
          out.push(ok(req));
          continue;
        }
        if (saved.defaultStrategy) throw new PolarisError(Code.BadRequest, "default strategy can't delete");
        if (op.role !== 'admin' && saved.owner !== op.id) throw new PolarisError(Code.NotAllowedAccess);
        await this.core.deps.store.deleteStrategy(saved.id);
        out.push(ok(req));
      } catch (err) {
        out.push(failed(err, req));
      }
    }
    await this.core.sync();
    return out;
  }

  async listStrategies(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireAuthStrategy>> {
    const op = this.core.caller(ctx, false);
    checkKeys(query, STRATEGY_QUERY_KEYS);
    const p = paging(query);
    const id = first(query, 'id');
    const name = first(query, 'name');
    const nameMatch = name ? wildcardMatcher(name) : undefined;
    const resId = first(query, 'res_id');
    const resTypeText = first(query, 'res_type');
    const resType = resTypeText === undefined ? undefined : (RES_TYPE_FILTER[resTypeText] ?? 'namespaces');
    const dflt = first(query, 'default');
    const showDetail = first(query, 'show_detail') === 'true';
    let owner = first(query, 'owner');
    let principalId = first(query, 'principal_id');
    let pType = principalType(first(query, 'principal_type'));
    if (op.role !== 'admin' && resId === undefined) {
      // Outside admins: the caller's main account's strategies; a sub-account only those naming it.
      owner = op.ownerId;
      if (principalId === undefined && op.role !== 'main') {
        principalId = op.id;
        pType = 'user';
      }
    }
    const all = [...this.core.cache.strategies()].filter(
      (s) =>
        (id === undefined || s.id === id) &&
        (!nameMatch || nameMatch(s.name)) &&
        (owner === undefined || s.owner === owner) &&
        (principalId === undefined || s.principals.some((pr) => pr.type === pType && pr.id === principalId)) &&
        (resId === undefined || s.resources.some((r) => r.id === resId && (resType === undefined || r.type === resType))) &&
        (resId !== undefined || resType === undefined || s.resources.some((r) => r.type === resType)) &&
        (dflt === undefined || s.defaultStrategy === (dflt === 'true' || dflt === '1')),
    );
    all.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? -1 : 1));
    return { amount: all.length, items: page(all, p).map((s) => strategyToWire(s, showDetail ? this.core.cache : undefined)) };
  }

  async getStrategy(ctx: RequestContext, id: string): Promise<WireAuthStrategy> {
    const op = this.core.caller(ctx, false);
    if (!id) throw new PolarisError(Code.EmptyQueryParameter, 'id is required');
    const s = this.core.cache.strategy(id);
    if (!s) throw new PolarisError(Code.NotFoundAuthStrategyRule, id);
    const groups = new Set(this.core.cache.groupsOf(op.id).map((g) => g.id));
    const canView =
      op.role === 'admin' ||
      (op.role === 'main' && s.owner === op.id) ||
      s.principals.some((pr) => (pr.type === 'user' && pr.id === op.id) || (pr.type === 'group' && groups.has(pr.id)));
    if (!canView) throw new PolarisError(Code.NotAllowedAccess);
    return strategyToWire(s, this.core.cache);
  }

  async principalResources(ctx: RequestContext, query: AuthQuery): Promise<WireStrategyResources> {
    const op = this.core.caller(ctx, false);
    if (Object.keys(query).length === 0) throw new PolarisError(Code.EmptyRequest);
    const id = first(query, 'principal_id');
    if (!id) throw new PolarisError(Code.EmptyQueryParameter, 'principal_id is required');
    const type = principalType(first(query, 'principal_type'));
    const principals: PrincipalRef[] = [{ type, id }];
    if (type === 'user') {
      const user = this.core.requireUser(id);
      if (!this.core.canManageUser(op, user)) throw new PolarisError(Code.NotAllowedAccess);
      for (const g of this.core.cache.groupsOf(id)) principals.push({ type: 'group', id: g.id });
    } else {
      const group = this.core.requireGroup(id);
      if (!this.core.canViewGroup(op, group)) throw new PolarisError(Code.NotAllowedAccess);
    }
    const resources: StrategyResource[] = [];
    for (const pr of principals) {
      for (const s of this.core.cache.strategiesOf(pr)) if (s.action !== 'DENY') resources.push(...s.resources);
    }
    return resourcesToWire(resources);
  }
}

function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Adds resources; a `*` of a type replaces every entry of that type. */
function mergeResources(current: readonly StrategyResource[], add: readonly StrategyResource[]): StrategyResource[] {
  const star = new Set(add.filter((r) => r.id === '*').map((r) => r.type));
  return dedupe([...current.filter((r) => !star.has(r.type)), ...add], resKey);
}
