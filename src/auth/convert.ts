import type {
  AuthStrategy as WireAuthStrategy,
  StrategyResourceEntry as WireResourceEntry,
  StrategyResources as WireStrategyResources,
  User as WireUser,
  UserGroup as WireUserGroup,
} from '../common/api/gen/wire.js';
import { RESOURCE_TYPES, UserType, type Strategy, type StrategyResource, type User, type UserGroup } from '../common/model/auth.js';
import { formatTime } from '../common/utils/time.js';
import type { AuthReader } from './auth-cache.js';

/** Domain → wire for the auth answers. Tokens and password hashes are never part of these. */

export const ROLE_NAMES: Record<number, string> = { [UserType.Admin]: 'admin', [UserType.Main]: 'main', [UserType.Sub]: 'sub' };

export function userToWire(u: User): WireUser {
  return {
    id: u.id,
    name: u.name,
    owner: u.owner,
    source: u.source,
    token_enable: u.tokenEnable,
    comment: u.comment,
    ctime: formatTime(u.ctime),
    mtime: formatTime(u.mtime),
    user_type: ROLE_NAMES[u.type] ?? 'sub',
    mobile: u.mobile,
    email: u.email,
    metadata: { ...u.metadata },
  };
}

export function groupToWire(g: UserGroup): WireUserGroup {
  return {
    id: g.id,
    name: g.name,
    owner: g.owner,
    token_enable: g.tokenEnable,
    comment: g.comment,
    ctime: formatTime(g.ctime),
    mtime: formatTime(g.mtime),
    user_count: g.userIds.length,
    source: g.source,
    metadata: { ...g.metadata },
  };
}

/** The group with its members, as `/usergroup/detail` answers it. */
export function groupDetailToWire(g: UserGroup, cache: AuthReader): WireUserGroup {
  const users: WireUser[] = [];
  for (const id of g.userIds) {
    const u = cache.user(id);
    if (u) users.push(userToWire(u));
  }
  return { ...groupToWire(g), relation: { group_id: g.id, users } };
}

export function emptyResources(): WireStrategyResources {
  const out: Record<string, WireResourceEntry[]> = {};
  for (const t of RESOURCE_TYPES) out[t] = [];
  return out as WireStrategyResources;
}

/** Resource entries by type, `*` shown as polaris does (`{id:*, namespace:*, name:*}`). */
export function resourcesToWire(resources: readonly StrategyResource[], strategyId = ''): WireStrategyResources {
  const out = emptyResources() as Record<string, unknown>;
  out.strategy_id = strategyId;
  const seen = new Set<string>();
  for (const r of resources) {
    const key = `${r.type}\u0000${r.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = out[r.type] as WireResourceEntry[];
    list.push(r.id === '*' ? { id: '*', namespace: '*', name: '*' } : { id: r.id, namespace: r.namespace, name: r.name });
  }
  return out as WireStrategyResources;
}

export function strategyToWire(s: Strategy, cache: AuthReader | undefined): WireAuthStrategy {
  const summary: WireAuthStrategy = {
    id: s.id,
    name: s.name,
    owner: s.owner,
    comment: s.comment,
    ctime: formatTime(s.ctime),
    mtime: formatTime(s.mtime),
    action: s.action,
    default_strategy: s.defaultStrategy,
    source: s.source,
    metadata: { ...s.metadata },
  };
  if (!cache) return summary;
  const users: { id: string; name: string }[] = [];
  const groups: { id: string; name: string }[] = [];
  for (const p of s.principals) {
    if (p.type === 'user') {
      const u = cache.user(p.id);
      if (u) users.push({ id: u.id, name: u.name });
    } else {
      const g = cache.group(p.id);
      if (g) groups.push({ id: g.id, name: g.name });
    }
  }
  return {
    ...summary,
    principals: { users, groups, roles: [] },
    resources: resourcesToWire(s.resources, s.id),
    functions: [...s.functions],
    resource_labels: s.resourceLabels.map((l) => ({ key: l.key, value: l.value, compare_type: l.compareType })),
  };
}
