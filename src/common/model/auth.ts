/**
 * Plain domain types of users, user groups and authorization strategies (policies). They never
 * carry wire types: src/auth converts at its edge. Times are epoch milliseconds.
 */

/** polaris' user roles: admin (0), main account (20), sub-account (50). */
export const UserType = { Admin: 0, Main: 20, Sub: 50 } as const;
export type UserTypeValue = (typeof UserType)[keyof typeof UserType];

export interface User {
  id: string;
  name: string;
  /** A slow hash of the password (see src/auth/password.ts); never the password itself. */
  password: string;
  /** Id of the main account a sub-account belongs to; '' for main accounts and admins. */
  owner: string;
  source: string;
  /** The user's current token; a token that is not this exact string is refused. */
  token: string;
  tokenEnable: boolean;
  type: UserTypeValue;
  comment: string;
  mobile: string;
  email: string;
  metadata: Record<string, string>;
  ctime: number;
  mtime: number;
}

export interface UserGroup {
  id: string;
  name: string;
  /** Id of the main account that owns the group. */
  owner: string;
  token: string;
  tokenEnable: boolean;
  comment: string;
  source: string;
  metadata: Record<string, string>;
  /** Member user ids, without duplicates. */
  userIds: string[];
  ctime: number;
  mtime: number;
}

export type PrincipalType = 'user' | 'group';

export interface PrincipalRef {
  type: PrincipalType;
  id: string;
}

/** Grantable resource kinds, named as the JSON keys of `StrategyResources`. */
export const RESOURCE_TYPES = [
  'namespaces',
  'services',
  'config_groups',
  'route_rules',
  'ratelimit_rules',
  'circuitbreaker_rules',
  'faultdetect_rules',
  'lane_rules',
  'users',
  'user_groups',
  'roles',
  'auth_policies',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Whether an operation reads or writes. */
export type Access = 'read' | 'write';

/**
 * A resource an operation touches. `id` is '' for a resource that does not exist yet (a service
 * being created); `namespace` / `serviceId` name the resources it lives in, whose grants cover it.
 */
export interface ResourceRef {
  type: ResourceType;
  id: string;
  namespace?: string;
  serviceId?: string;
}

/** One resource a strategy covers; id `*` covers every resource of the type. */
export interface StrategyResource {
  type: ResourceType;
  id: string;
  /** As given when granted (display only). */
  namespace: string;
  name: string;
}

/** v1.AuthAction names. READ_WRITE (v1.12 to v1.18) is an ALLOW; ONLY_READ allows reads only. */
export type StrategyAction = 'ALLOW' | 'DENY' | 'READ_WRITE' | 'ONLY_READ';

export interface ResourceLabel {
  key: string;
  value: string;
  compareType: string;
}

export interface Strategy {
  id: string;
  name: string;
  action: StrategyAction;
  comment: string;
  /** Id of the main account that owns the strategy. */
  owner: string;
  /** The default strategy of its single principal; deleted with it, never by hand. */
  defaultStrategy: boolean;
  source: string;
  metadata: Record<string, string>;
  /** Server-function names (`*`, `Describe*`, exact); empty = every function. */
  functions: string[];
  resourceLabels: ResourceLabel[];
  principals: PrincipalRef[];
  resources: StrategyResource[];
  ctime: number;
  mtime: number;
}
