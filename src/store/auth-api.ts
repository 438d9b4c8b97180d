import type { Strategy, User, UserGroup } from '../common/model/auth.js';
import type { Versioned } from './api.js';

/**
 * The persistence contract of users, user groups and strategies. Same rules as the naming store
 * (src/store/api.ts): every write transaction takes the next value of the store's ONE global change
 * sequence (shared with the naming tables) and stamps it on the rows it writes; deletes leave
 * tombstones; `get*` resolves undefined when nothing matches; duplicates reject with
 * PolarisError(ExistedResource). Group membership is part of the group row (`userIds`), and
 * principals and resources are part of the strategy row, so one row carries one whole aggregate.
 *
 * Tokens are stored on their user or group row (`token`, `tokenEnable`).
 */

/** Everything that changed after a sequence value, read from one consistent snapshot. */
export interface AuthChangeSet {
  /** The store's sequence at the snapshot; pass it as `since` next time. */
  seq: number;
  users: Versioned<User>[];
  groups: Versioned<UserGroup>[];
  strategies: Versioned<Strategy>[];
}

export interface AuthStoreTx {
  getUser(id: string): Promise<User | undefined>;
  /** A live user by owner id ('' for main accounts) and name. */
  getUserByName(owner: string, name: string): Promise<User | undefined>;
  /** Rejects with ExistedResource when the id or a live (owner, name) exists. */
  createUser(user: User): Promise<void>;
  /** Replaces a live user; resolves false when it does not exist. */
  updateUser(user: User): Promise<boolean>;
  /** Soft-deletes; resolves false when it did not exist. */
  deleteUser(id: string): Promise<boolean>;
  countSubUsers(ownerId: string): Promise<number>;

  getGroup(id: string): Promise<UserGroup | undefined>;
  getGroupByName(owner: string, name: string): Promise<UserGroup | undefined>;
  createGroup(group: UserGroup): Promise<void>;
  updateGroup(group: UserGroup): Promise<boolean>;
  deleteGroup(id: string): Promise<boolean>;

  getStrategy(id: string): Promise<Strategy | undefined>;
  createStrategy(strategy: Strategy): Promise<void>;
  updateStrategy(strategy: Strategy): Promise<boolean>;
  deleteStrategy(id: string): Promise<boolean>;
}

export interface AuthStore extends AuthStoreTx {
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it rejects. All writes
   * of one transaction share one sequence value. Use only `tx` inside `fn`.
   */
  transaction<T>(fn: (tx: AuthStoreTx) => Promise<T>): Promise<T>;
  /** Changes with seq > since; since = 0 gives a full load without tombstones. */
  readAuthChanges(since: number): Promise<AuthChangeSet>;
  /** The global change sequence (the same counter as the naming store's). */
  currentSeq(): Promise<number>;
}
