/**
 * What the signed-in user may write, worked out from the OpenAPI (the same calls a script could
 * make with the user's token) and decided by the server's own policy function.
 *
 * - No token (a server without auth module), the console switch off (`/core/v1/auth/status`) or
 *   an admin: everything is writable, as the server lets them do everything.
 * - Anyone else: the strategies naming the user and those naming its groups
 *   (`/core/v1/auth/strategies?principal_id=…&show_detail=true`, groups from
 *   `/core/v1/usergroups?user_id=…`), fed to `decide`, the very function the server's checker runs.
 *   `/core/v1/auth/principal/resources` is not enough: it drops the actions and function lists.
 * - The resources a control touches are named as the server's guards name them from the request
 *   the console sends (src/auth/guards/*), with polaris' function names; test/unit/console-access
 *   checks the names against the guards' tables.
 * - When the strategies cannot be read, nothing is hidden: the server decides and the console
 *   shows its refusal with the code.
 * Pure (no DOM, no fetch): the unit tests run it under Node; grants.tsx reads the strategies.
 */
import { decide } from '../../src/auth/evaluate.js';
import type { ResourceRef, ResourceType, Strategy, StrategyAction, StrategyResource } from '../../src/common/model/auth.js';

export type { ResourceRef };

/** polaris server-function names of the console's writes, keyed by the guarded module method. */
export const FN = {
  // namespace-guard
  createNamespaces: 'CreateNamespaces',
  updateNamespaces: 'UpdateNamespaces',
  deleteNamespaces: 'DeleteNamespaces',
  // naming-guard
  createServices: 'CreateServices',
  updateServices: 'UpdateServices',
  deleteServices: 'DeleteServices',
  createAlias: 'CreateServiceAlias',
  deleteAliases: 'DeleteServiceAliases',
  createInstances: 'CreateInstances',
  updateInstances: 'UpdateInstances',
  deleteInstances: 'DeleteInstances',
  // config-guard
  createGroup: 'CreateConfigFileGroup',
  deleteGroup: 'DeleteConfigFileGroup',
  createFile: 'CreateConfigFile',
  updateFile: 'UpdateConfigFile',
  deleteFile: 'DeleteConfigFile',
  publish: 'PublishConfigFile',
  rollbackReleases: 'RollbackConfigFileReleases',
  stopBeta: 'StopGrayConfigFileReleases',
} as const;

/** Per rule kind (the console's rule pages): resource type and the guarded methods' function names. */
export const RULE_FN: Record<string, { type: ResourceType; create: string; update: string; delete: string; enable?: string; byService: boolean }> = {
  routing: { type: 'route_rules', create: 'CreateRouteRules', update: 'UpdateRouteRules', delete: 'DeleteRouteRules', enable: 'EnableRouteRules', byService: false },
  ratelimit: { type: 'ratelimit_rules', create: 'CreateRateLimits', update: 'UpdateRateLimits', delete: 'DeleteRateLimits', enable: 'EnableRateLimits', byService: true },
  circuitbreaker: {
    type: 'circuitbreaker_rules', create: 'CreateCircuitBreakerRules', update: 'UpdateCircuitBreakerRules', delete: 'DeleteCircuitBreakerRules',
    enable: 'EnableCircuitBreakerRules', byService: false,
  },
  faultdetect: { type: 'faultdetect_rules', create: 'CreateFaultDetectRules', update: 'UpdateFaultDetectRules', delete: 'DeleteFaultDetectRules', byService: false },
  lane: { type: 'lane_rules', create: 'CreateLaneGroups', update: 'UpdateLaneGroups', delete: 'DeleteLaneGroups', byService: false },
};

const RESOURCE_KEYS: readonly ResourceType[] = [
  'namespaces', 'services', 'config_groups', 'route_rules', 'ratelimit_rules', 'circuitbreaker_rules', 'faultdetect_rules',
  'lane_rules', 'users', 'user_groups', 'roles', 'auth_policies',
];

/** A strategy as `show_detail=true` lists it, in the model the decision reads. */
export function strategyFromWire(w: any): Strategy {
  const resources: StrategyResource[] = [];
  for (const type of RESOURCE_KEYS) {
    for (const e of w?.resources?.[type] ?? []) {
      resources.push({ type, id: String(e?.id ?? ''), namespace: String(e?.namespace ?? ''), name: String(e?.name ?? '') });
    }
  }
  return {
    id: String(w?.id ?? ''),
    name: String(w?.name ?? ''),
    action: String(w?.action ?? 'READ_WRITE') as StrategyAction,
    comment: String(w?.comment ?? ''),
    owner: String(w?.owner ?? ''),
    defaultStrategy: !!w?.default_strategy,
    source: String(w?.source ?? ''),
    metadata: {},
    functions: Array.isArray(w?.functions) ? w.functions.map(String) : [],
    resourceLabels: Array.isArray(w?.resource_labels)
      ? w.resource_labels.map((l: any) => ({ key: String(l?.key ?? ''), value: String(l?.value ?? ''), compareType: String(l?.compare_type ?? '') }))
      : [],
    principals: [],
    resources: resources.filter((r) => r.id !== ''),
    ctime: 0,
    mtime: 0,
  };
}

/** A namespace name no grant can name: stands for "a namespace no strategy lists". */
export const UNNAMED = '\u0000';

/**
 * The write rights of one user. `mode`: 'all' (everything writable), 'strategies' (decided from
 * `strategies`), 'unknown' (they could not be read) or 'pending' (not read yet): in the last two
 * every control is offered and the server decides.
 *
 * `hidden`: resource kinds the strategy answers do not show. With the default JSON field set
 * (v1.4.2, as polaris-server 1.18.1) a strategy lists only namespaces, services and config groups,
 * and no function list or labels; a grant on rules may exist unseen, so a write on rules the visible
 * grants do not cover is still offered (the server decides). Unseen function lists and labels only
 * narrow a grant, so reading them as absent never hides a control the server would allow.
 */
export class Grants {
  constructor(
    readonly mode: 'all' | 'strategies' | 'unknown' | 'pending',
    readonly strategies: readonly Strategy[] = [],
    readonly hidden: ReadonlySet<ResourceType> = new Set(),
  ) {}

  static all(): Grants {
    return new Grants('all');
  }

  /** From the strategies as listed with `show_detail=true` (the user's own and its groups'). */
  static fromWire(list: readonly any[]): Grants {
    const shown = new Set<string>();
    for (const w of list) for (const k of Object.keys(w?.resources ?? {})) shown.add(k);
    const hidden = new Set(RESOURCE_KEYS.filter((t) => !shown.has(t)));
    return new Grants('strategies', list.map(strategyFromWire), hidden);
  }

  /** Whether the server would let this user run `fn` touching `refs` (true when it cannot be told). */
  can(fn: string, refs: ResourceRef[]): boolean {
    if (this.mode !== 'strategies') return true;
    return decide(this.strategies, fn, 'write', refs) || refs.some((r) => this.hidden.has(r.type));
  }

  /**
   * Whether `fn` could succeed somewhere, for a create whose target the user has yet to type:
   * tried in every namespace and service a strategy names, and in one no strategy names (which
   * only a `*` grant covers).
   */
  somewhere(fn: string, refsIn: (namespace: string, serviceId?: string) => ResourceRef[]): boolean {
    if (this.mode !== 'strategies') return true;
    const places: Array<[string, string | undefined]> = [[UNNAMED, undefined]];
    for (const s of this.strategies) {
      for (const r of s.resources) {
        if (r.id === '*') continue;
        if (r.type === 'namespaces') places.push([r.id, undefined]);
        else if (r.type === 'services') places.push([r.namespace || UNNAMED, r.id]);
        else if (r.namespace) places.push([r.namespace, undefined]);
      }
    }
    return places.some(([ns, sid]) => this.can(fn, refsIn(ns, sid)));
  }

  /** A service by namespace + name, named as the server's guards do (id from the list answer when known). */
  service(namespace: string, name: string, id?: string): ResourceRef {
    const known = id || this.serviceId(namespace, name);
    return { type: 'services', id: known ?? '', namespace, serviceId: known };
  }

  /**
   * A service's id as a strategy names it. Only granted services' ids matter to the decision: any
   * other service is covered by its namespace or a `*` grant, whatever its id.
   */
  private serviceId(namespace: string, name: string): string | undefined {
    for (const s of this.strategies) {
      for (const r of s.resources) if (r.type === 'services' && r.id !== '*' && r.namespace === namespace && r.name === name) return r.id;
    }
    return undefined;
  }
}

export const namespaceRef = (name: string): ResourceRef => ({ type: 'namespaces', id: name });
export const groupRef = (namespace: string, id: string): ResourceRef => ({ type: 'config_groups', id, namespace });
/** A service about to be created in `namespace`. */
export const newServiceRef = (namespace: string): ResourceRef => ({ type: 'services', id: '', namespace });

/**
 * A rule as the server's rules guard names it from a request: by id, plus the namespace (and, for
 * rate limits, the service) when the request carries the whole rule (edits). Deletes and switches
 * send only the id, so only a grant on that rule or on every rule of its kind covers them.
 */
export function ruleRef(grants: Grants, kind: string, rule: any, whole: boolean): ResourceRef {
  const k = RULE_FN[kind];
  const id = String(rule?.id ?? '');
  if (!whole) return { type: k.type, id };
  const ns = rule?.namespace ? String(rule.namespace) : undefined;
  const serviceId = k.byService && ns && rule?.service ? grants.service(ns, String(rule.service)).serviceId : undefined;
  return { type: k.type, id, namespace: ns, serviceId };
}
