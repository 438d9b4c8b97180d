import type {
  AuthStrategy as WireAuthStrategy,
  LoginRequest as WireLoginRequest,
  LoginResponse as WireLoginResponse,
  ModifyAuthStrategy as WireModifyAuthStrategy,
  ModifyUserGroup as WireModifyUserGroup,
  ModifyUserPassword as WireModifyUserPassword,
  StrategyResources as WireStrategyResources,
  User as WireUser,
  UserGroup as WireUserGroup,
} from '../common/api/gen/wire.js';
import type { ItemResult } from '../common/errors/batch.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Access, ResourceRef } from '../common/model/auth.js';

/**
 * The auth module's front doors. Inputs and outputs are wire objects; single-object operations
 * throw PolarisError (refusals carry polaris' codes: 401001–401004, 403001, 403002), batches
 * return one ItemResult per item in request order.
 */

/** Query string as received: a key may repeat (only the first value counts). */
export type AuthQuery = Record<string, string | string[] | undefined>;

export interface ListResult<T> {
  amount: number;
  items: T[];
}

// ---------------------------------------------------------------- authorization

/** Which switch governs an operation: console (OpenAPI management) or client (SDK). */
export type Plane = 'console' | 'client';
// Access and ResourceRef live with the model so the policy decision (evaluate.ts) depends on
// nothing else and the web console can run the very same decision.
export type { Access, ResourceRef } from '../common/model/auth.js';

export interface AccessRequest {
  plane: Plane;
  access: Access;
  /** polaris server-function name (e.g. CreateServices), matched against strategies' functions. */
  fn: string;
  /** The resources touched; only evaluated when the switch of the plane is on. */
  resources: () => ResourceRef[];
}

/** Who the checker let through. */
export interface Operator {
  /** 'open': the plane's switch is off; 'internal': the server itself; 'anonymous': non-strict mode. */
  kind: 'user' | 'group' | 'anonymous' | 'internal' | 'open';
  id: string;
  name: string;
  /** Main account the caller acts for: itself for a main account, its owner for a sub-account or group. */
  ownerId: string;
  role: 'admin' | 'main' | 'sub' | 'group' | 'none';
}

/** What guards ask. */
export interface AuthChecker {
  /**
   * Resolves the caller and decides: resolves the Operator when allowed, rejects with
   * PolarisError(401001 / 401003 / 401004) when not. Writes need a grant covering every
   * resource; reads need a valid credential (or anonymous in non-strict mode).
   */
  authorize(ctx: RequestContext, req: AccessRequest): Promise<Operator>;
  isOpen(plane: Plane): boolean;
}

// ---------------------------------------------------------------- users, groups, policies

export interface UserService {
  /** Never permission-checked. Unknown user → 400312; wrong password → 401001. */
  login(req: WireLoginRequest, clientIp?: string): Promise<WireLoginResponse>;
  createUsers(ctx: RequestContext, reqs: WireUser[]): Promise<ItemResult<WireUser>[]>;
  deleteUsers(ctx: RequestContext, reqs: WireUser[]): Promise<ItemResult<WireUser>[]>;
  updateUser(ctx: RequestContext, req: WireUser): Promise<WireUser>;
  /** Changing one's own password needs the old one (400412 when wrong). */
  updatePassword(ctx: RequestContext, req: WireModifyUserPassword): Promise<void>;
  listUsers(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireUser>>;
  getUserToken(ctx: RequestContext, query: AuthQuery): Promise<WireUser>;
  enableUserToken(ctx: RequestContext, req: WireUser): Promise<WireUser>;
  resetUserToken(ctx: RequestContext, req: WireUser): Promise<WireUser>;
}

export interface GroupService {
  createGroup(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup>;
  updateGroups(ctx: RequestContext, reqs: WireModifyUserGroup[]): Promise<ItemResult<WireModifyUserGroup>[]>;
  deleteGroups(ctx: RequestContext, reqs: WireUserGroup[]): Promise<ItemResult<WireUserGroup>[]>;
  listGroups(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireUserGroup>>;
  /** The group with its members (`relation.users`). */
  getGroup(ctx: RequestContext, id: string): Promise<WireUserGroup>;
  getGroupToken(ctx: RequestContext, id: string): Promise<WireUserGroup>;
  enableGroupToken(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup>;
  resetGroupToken(ctx: RequestContext, req: WireUserGroup): Promise<WireUserGroup>;
}

export interface PolicyService {
  createStrategy(ctx: RequestContext, req: WireAuthStrategy): Promise<WireAuthStrategy>;
  updateStrategies(ctx: RequestContext, reqs: WireModifyAuthStrategy[]): Promise<ItemResult<WireModifyAuthStrategy>[]>;
  deleteStrategies(ctx: RequestContext, reqs: WireAuthStrategy[]): Promise<ItemResult<WireAuthStrategy>[]>;
  listStrategies(ctx: RequestContext, query: AuthQuery): Promise<ListResult<WireAuthStrategy>>;
  getStrategy(ctx: RequestContext, id: string): Promise<WireAuthStrategy>;
  /** Everything granted to a user (directly or through its groups) or to a group. */
  principalResources(ctx: RequestContext, query: AuthQuery): Promise<WireStrategyResources>;
  /** `/core/v1/auth/status`: the switches as "true"/"false" strings. */
  status(): Record<string, string>;
}

/** The whole module as the HTTP server takes it. */
export interface AuthServices {
  users: UserService;
  groups: GroupService;
  policies: PolicyService;
}
