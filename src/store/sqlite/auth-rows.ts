import type {
  PrincipalRef,
  ResourceLabel,
  Strategy,
  StrategyAction,
  StrategyResource,
  User,
  UserGroup,
  UserTypeValue,
} from '../../common/model/auth.js';

/**
 * Column lists and row mappings of the auth tables. Each `*_COLUMNS` list is the order of the
 * parameters of `*Params` (key first), used for inserts and updates alike.
 */

export const USER_COLUMNS = [
  'id', 'name', 'password', 'owner', 'source', 'token', 'token_enable', 'user_type', 'comment', 'mobile', 'email', 'metadata',
] as const;

export const GROUP_COLUMNS = [
  'id', 'name', 'owner', 'token', 'token_enable', 'comment', 'source', 'metadata', 'user_ids',
] as const;

export const STRATEGY_COLUMNS = [
  'id', 'name', 'action', 'comment', 'owner', 'is_default', 'source', 'metadata', 'functions', 'resource_labels', 'principals', 'resources',
] as const;

export function userParams(u: User): unknown[] {
  return [
    u.id, u.name, u.password, u.owner, u.source, u.token, u.tokenEnable ? 1 : 0, u.type, u.comment, u.mobile, u.email,
    JSON.stringify(u.metadata),
  ];
}

export function groupParams(g: UserGroup): unknown[] {
  return [
    g.id, g.name, g.owner, g.token, g.tokenEnable ? 1 : 0, g.comment, g.source, JSON.stringify(g.metadata), JSON.stringify(g.userIds),
  ];
}

export function strategyParams(s: Strategy): unknown[] {
  return [
    s.id, s.name, s.action, s.comment, s.owner, s.defaultStrategy ? 1 : 0, s.source, JSON.stringify(s.metadata),
    JSON.stringify(s.functions), JSON.stringify(s.resourceLabels), JSON.stringify(s.principals), JSON.stringify(s.resources),
  ];
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => Number(v ?? 0);

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string' || v === '') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

export function userFromRow(r: Row): User {
  return {
    id: str(r.id),
    name: str(r.name),
    password: str(r.password),
    owner: str(r.owner),
    source: str(r.source),
    token: str(r.token),
    tokenEnable: num(r.token_enable) === 1,
    type: num(r.user_type) as UserTypeValue,
    comment: str(r.comment),
    mobile: str(r.mobile),
    email: str(r.email),
    metadata: json<Record<string, string>>(r.metadata, {}),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export function groupFromRow(r: Row): UserGroup {
  return {
    id: str(r.id),
    name: str(r.name),
    owner: str(r.owner),
    token: str(r.token),
    tokenEnable: num(r.token_enable) === 1,
    comment: str(r.comment),
    source: str(r.source),
    metadata: json<Record<string, string>>(r.metadata, {}),
    userIds: json<string[]>(r.user_ids, []),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export function strategyFromRow(r: Row): Strategy {
  return {
    id: str(r.id),
    name: str(r.name),
    action: str(r.action) as StrategyAction,
    comment: str(r.comment),
    owner: str(r.owner),
    defaultStrategy: num(r.is_default) === 1,
    source: str(r.source),
    metadata: json<Record<string, string>>(r.metadata, {}),
    functions: json<string[]>(r.functions, []),
    resourceLabels: json<ResourceLabel[]>(r.resource_labels, []),
    principals: json<PrincipalRef[]>(r.principals, []),
    resources: json<StrategyResource[]>(r.resources, []),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}
