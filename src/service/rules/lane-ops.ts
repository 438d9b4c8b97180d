import type { LaneGroup as WireLaneGroup, LaneRule as WireLaneRule } from '../../common/api/gen/wire.js';
import type { RuleEntry, RuleIndexer, RulesReader } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { MAX_BATCH_SIZE } from '../../common/utils/validate.js';
import type { RuleRow, RuleServiceKey } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { LaneOps } from './api.js';
import { checkQueryKeys, compositeRevision, MAX_RULE_NAME, nameFilter, page, prevalidate, ruleTime } from './common.js';
import { syncRules, writeEach, type RuleOpsDeps } from './deps.js';
import type { RulePayload } from './discover.js';

const LIST_KEYS = new Set(['id', 'name', 'offset', 'brief', 'limit', 'order_type', 'order_field']);
const RESOURCE_NAME = /^[0-9A-Za-z\-./:_]+$/;

/** A lane rule as stored: the wire rule without its times, plus the times as epoch ms. */
interface StoredLaneRule {
  rule: WireLaneRule;
  ctime: number;
  mtime: number;
  etime: number;
}

/** A lane group's body: the group without its row columns, rules with their own times. */
export interface LaneBody {
  entries: WireLaneGroup['entries'];
  destinations: WireLaneGroup['destinations'];
  description: string;
  metadata: Record<string, string>;
  rules: StoredLaneRule[];
}

/** polaris `checkLaneGroupParam`; every refusal is 400103 with polaris's message. */
function checkLaneGroup(req: WireLaneGroup, update: boolean): WireLaneGroup {
  const name = req.name ?? '';
  if (name.length >= MAX_RULE_NAME) throw new PolarisError(Code.InvalidParameter, 'lane_group name size must be <= 64');
  if (!RESOURCE_NAME.test(name)) throw new PolarisError(Code.InvalidParameter, `invalid lane_group name "${name}"`);
  if ((req.rules ?? []).length > MAX_BATCH_SIZE) throw new PolarisError(Code.InvalidParameter, 'lane_rule size must be <= 100');
  for (const r of req.rules ?? []) {
    const rn = r.name ?? '';
    if (!RESOURCE_NAME.test(rn)) throw new PolarisError(Code.InvalidParameter, `invalid lane_rule name "${rn}"`);
    if (rn.length >= MAX_RULE_NAME) throw new PolarisError(Code.InvalidParameter, 'lane_rule name size must be <= 64');
  }
  if (update && !req.id) throw new PolarisError(Code.InvalidParameter, 'lane_group id is empty');
  return req;
}

/** The services a lane group applies to: its destinations and the services its entries select. */
export function laneServices(body: Pick<LaneBody, 'entries' | 'destinations'>): RuleServiceKey[] {
  const out: RuleServiceKey[] = [];
  for (const d of body.destinations ?? []) if (d.service && d.namespace) out.push({ namespace: d.namespace, service: d.service });
  for (const e of body.entries ?? []) {
    const sel = e.selector as { namespace?: unknown; service?: unknown } | null | undefined;
    if (typeof sel?.namespace === 'string' && typeof sel?.service === 'string' && sel.namespace && sel.service) {
      out.push({ namespace: sel.namespace, service: sel.service });
    }
  }
  return out;
}

export const laneIndexer: RuleIndexer = (e) => laneServices(e.body as LaneBody).map((key) => ({ index: 'svc', key }));

function laneRow(req: WireLaneGroup, id: string, revision: string, rules: StoredLaneRule[]): RuleRow {
  const body: LaneBody = {
    entries: req.entries ?? [],
    destinations: req.destinations ?? [],
    description: req.description ?? '',
    metadata: { ...(req.metadata ?? {}) },
    rules,
  };
  return {
    kind: 'lane',
    id,
    name: req.name ?? '',
    namespace: '',
    services: laneServices(body),
    enable: true,
    revision,
    priority: 0,
    body: JSON.stringify(body),
    etime: 0,
    ctime: 0,
    mtime: 0,
  };
}

/**
 * The group's rules for storing: ids filled, times kept for rules that existed. A created rule
 * keeps a revision the caller gave; an update always gets a new one, so SDKs see the change even
 * when the console sends the old revision back.
 */
function storedRules(req: WireLaneGroup, old: StoredLaneRule[], now: number, update: boolean): StoredLaneRule[] {
  const before = new Map(old.map((r) => [r.rule.id ?? '', r]));
  return (req.rules ?? []).map((r) => {
    const id = r.id || newId();
    const prev = before.get(id);
    const enable = r.enable ?? false;
    const { ctime: _c, mtime: _m, etime: _e, ...rest } = r;
    return {
      rule: { ...rest, id, group_name: req.name ?? '', revision: (!update && r.revision) || newId(), enable },
      ctime: prev?.ctime ?? now,
      mtime: now,
      etime: enable ? (prev?.rule.enable ? prev.etime : now) : prev?.etime ?? 0,
    };
  });
}

export function laneToWire(e: RuleEntry<LaneBody>): WireLaneGroup {
  const { row, body } = e;
  return {
    id: row.id,
    name: row.name,
    entries: body.entries ?? [],
    destinations: body.destinations ?? [],
    revision: row.revision,
    description: body.description,
    ctime: ruleTime(row.ctime),
    mtime: ruleTime(row.mtime),
    rules: (body.rules ?? []).map((r) => ({ ...r.rule, ctime: ruleTime(r.ctime), mtime: ruleTime(r.mtime), etime: ruleTime(r.etime) })),
    metadata: { ...body.metadata },
    editable: true,
    deleteable: true,
  };
}

/** LANE for Discover: the groups that name the service; revision = composite of theirs ('' = none). */
export function lanePayload(cache: RulesReader, source: RuleServiceKey): RulePayload {
  const groups = cache.bound<LaneBody>('lane', 'svc', source);
  if (groups.length === 0) return { revision: '', fields: {} };
  const revision = compositeRevision(groups.map((g) => g.row.revision));
  return { revision, fields: { lanes: groups.map(laneToWire) } };
}

/** Lane groups (`/naming/v1/lane/groups`), unique by name. */
export class DefaultLaneOps implements LaneOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]> {
    const pre = prevalidate(reqs, (r) => checkLaneGroup(r, false));
    if (!pre.ok) return pre.failures.map((f) => ({ code: f.code, info: f.info }));
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        const id = req.id || newId();
        await this.deps.store.transaction(async (tx) => {
          if (await tx.findRuleByName('lane', '', req.name ?? '')) throw new PolarisError(Code.ExistedResource);
          await tx.createRule(laneRow(req, id, req.revision || newId(), storedRules(req, [], Date.now(), false)));
        });
        return ok({ ...req, id });
      },
      (err, _item) => failed(err),
    );
  }

  async updateLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]> {
    const pre = prevalidate(reqs, (r) => checkLaneGroup(r, true));
    if (!pre.ok) return pre.failures.map((f) => ({ code: f.code, info: f.info }));
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        let id = '';
        await this.deps.store.transaction(async (tx) => {
          // polaris finds the group to update by its name.
          const cur = await tx.findRuleByName('lane', '', req.name ?? '');
          if (!cur) throw new PolarisError(Code.NotFoundResource, `lane group ${req.name ?? ''}`);
          id = cur.id;
          const old = (JSON.parse(cur.body) as LaneBody).rules ?? [];
          await tx.updateRule(laneRow(req, cur.id, newId(), storedRules(req, old, Date.now(), true)));
        });
        return ok({ ...req, id });
      },
      (err, _item) => failed(err),
    );
  }

  async deleteLaneGroups(ctx: RequestContext, reqs: WireLaneGroup[]): Promise<ItemResult<WireLaneGroup>[]> {
    const pre = prevalidate(reqs, (r) => r);
    if (!pre.ok) return pre.failures;
    const out: ItemResult<WireLaneGroup>[] = [];
    for (const req of pre.values) {
      try {
        const found = req.id
          ? await this.deps.store.getRule('lane', req.id)
          : await this.deps.store.findRuleByName('lane', '', req.name ?? '');
        if (!found) {
          out.push(ok<WireLaneGroup>());
          continue;
        }
        await this.deps.store.deleteRule('lane', found.id);
        out.push(ok({ ...req, id: found.id }));
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async listLaneGroups(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireLaneGroup>> {
    checkQueryKeys(q, LIST_KEYS);
    const { offset, limit } = paging(q);
    const id = first(q, 'id') || undefined;
    const name = first(q, 'name') || undefined;
    const nameOk = name ? nameFilter(name) : undefined;
    const byName = (first(q, 'order_field') ?? '').toLowerCase() === 'name';
    const asc = (first(q, 'order_type') ?? 'desc').toLowerCase() === 'asc';
    const matches: RuleEntry<LaneBody>[] = [];
    for (const e of this.deps.cache.all<LaneBody>('lane')) {
      if (id && e.row.id !== id) continue;
      if (nameOk && !nameOk(e.row.name)) continue;
      matches.push(e);
    }
    matches.sort((a, b) => {
      const c = byName ? (a.row.name < b.row.name ? -1 : a.row.name > b.row.name ? 1 : 0) : a.row.mtime - b.row.mtime;
      const tie = a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
      return (asc ? c : -c) || tie;
    });
    return { amount: matches.length, items: page(matches, offset, limit).map(laneToWire) };
  }
}
