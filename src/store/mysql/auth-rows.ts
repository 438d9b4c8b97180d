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
import type { Table } from './rows.js';

/**
 * Row ↔ domain conversions of the MySQL auth tables (schema in auth-schema.ts), in the shape of
 * rows.ts: each table lists the columns its value sets (key first), their values in that order,
 * and a decoder for a SELECT of `columns` then `ctime, mtime, seq, deleted` (rows as arrays).
 * Lists and maps are always stored as JSON text, so every field round-trips as written.
 */

function authTable<T>(def: Omit<Table<T>, 'select' | 'key'>): Table<T> {
  return { ...def, key: def.columns[0], select: [...def.columns, 'ctime', 'mtime', 'seq', 'deleted'].join(', ') };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string' || v === '') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

export const AUTH_USER: Table<User> = authTable({
  name: 'auth_user',
  columns: ['id', 'name', 'password', 'owner', 'source', 'token', 'token_enable', 'user_type', 'comment', 'mobile', 'email', 'metadata'],
  values: (u) => [
    u.id,
    u.name,
    u.password,
    u.owner,
    u.source,
    u.token,
    u.tokenEnable ? 1 : 0,
    u.type,
    u.comment,
    u.mobile,
    u.email,
    JSON.stringify(u.metadata ?? {}),
  ],
  decode: (r) => ({
    id: str(r[0]),
    name: str(r[1]),
    password: str(r[2]),
    owner: str(r[3]),
    source: str(r[4]),
    token: str(r[5]),
    tokenEnable: num(r[6]) === 1,
    type: num(r[7]) as UserTypeValue,
    comment: str(r[8]),
    mobile: str(r[9]),
    email: str(r[10]),
    metadata: json<Record<string, string>>(r[11], {}),
    ctime: num(r[12]),
    mtime: num(r[13]),
  }),
});

export const AUTH_GROUP: Table<UserGroup> = authTable({
  name: 'auth_group',
  columns: ['id', 'name', 'owner', 'token', 'token_enable', 'comment', 'source', 'metadata', 'user_ids'],
  values: (g) => [
    g.id,
    g.name,
    g.owner,
    g.token,
    g.tokenEnable ? 1 : 0,
    g.comment,
    g.source,
    JSON.stringify(g.metadata ?? {}),
    JSON.stringify(g.userIds ?? []),
  ],
  decode: (r) => ({
    id: str(r[0]),
    name: str(r[1]),
    owner: str(r[2]),
    token: str(r[3]),
    tokenEnable: num(r[4]) === 1,
    comment: str(r[5]),
    source: str(r[6]),
    metadata: json<Record<string, string>>(r[7], {}),
    userIds: json<string[]>(r[8], []),
    ctime: num(r[9]),
    mtime: num(r[10]),
  }),
});

export const AUTH_STRATEGY: Table<Strategy> = authTable({
  name: 'auth_strategy',
  columns: [
    'id', 'name', 'action', 'comment', 'owner', 'is_default', 'source', 'metadata', 'functions', 'resource_labels', 'principals', 'resources',
  ],
  values: (s) => [
    s.id,
    s.name,
    s.action,
    s.comment,
    s.owner,
    s.defaultStrategy ? 1 : 0,
    s.source,
    JSON.stringify(s.metadata ?? {}),
    JSON.stringify(s.functions ?? []),
    JSON.stringify(s.resourceLabels ?? []),
    JSON.stringify(s.principals ?? []),
    JSON.stringify(s.resources ?? []),
  ],
  decode: (r) => ({
    id: str(r[0]),
    name: str(r[1]),
    action: str(r[2]) as StrategyAction,
    comment: str(r[3]),
    owner: str(r[4]),
    defaultStrategy: num(r[5]) === 1,
    source: str(r[6]),
    metadata: json<Record<string, string>>(r[7], {}),
    functions: json<string[]>(r[8], []),
    resourceLabels: json<ResourceLabel[]>(r[9], []),
    principals: json<PrincipalRef[]>(r[10], []),
    resources: json<StrategyResource[]>(r[11], []),
    ctime: num(r[12]),
    mtime: num(r[13]),
  }),
});

/** The auth tables of the change feed. */
export const AUTH_TABLES = [AUTH_USER.name, AUTH_GROUP.name, AUTH_STRATEGY.name] as const;
