import type { Logger } from 'pino';
import { FeedCache, type FeedFollowerConfig } from '../common/feed-follower.js';
import type { Lifecycle } from '../common/lifecycle.js';
import type { PrincipalRef, Strategy, User, UserGroup } from '../common/model/auth.js';
import type { AuthChangeSet, AuthStore } from '../store/auth-api.js';

/** Read side of users, groups and strategies; refreshed from the store's change sequence. */
export interface AuthReader {
  /** The store sequence this cache reflects. */
  seq(): number;
  /** Resolves once the cache reflects at least `seq` (read-your-writes). */
  waitFor(seq: number): Promise<void>;
  user(id: string): User | undefined;
  userByName(owner: string, name: string): User | undefined;
  users(): Iterable<User>;
  group(id: string): UserGroup | undefined;
  groups(): Iterable<UserGroup>;
  /** Groups the user is a member of. */
  groupsOf(userId: string): UserGroup[];
  strategy(id: string): Strategy | undefined;
  strategies(): Iterable<Strategy>;
  /** Strategies naming this principal directly (not through its groups). */
  strategiesOf(principal: PrincipalRef): Strategy[];
  /** The principal's own default strategy. */
  defaultStrategyOf(principal: PrincipalRef): Strategy | undefined;
}

export type AuthCacheConfig = FeedFollowerConfig;

const pkey = (p: PrincipalRef): string => `${p.type}:${p.id}`;
const nameKey = (owner: string, name: string): string => `${owner}\u0000${name}`;

/**
 * In-memory read model of the auth tables. Loads everything at start, then applies the change
 * feed. Writers call `waitFor(seq)` after committing, so a disabled token, a refreshed token or a
 * new grant is in force for the very next request on this node.
 */
export class AuthCache extends FeedCache<AuthChangeSet> implements AuthReader {
  private readonly userMap = new Map<string, User>();
  private readonly userNames = new Map<string, User>();
  private readonly groupMap = new Map<string, UserGroup>();
  private readonly groupsByUser = new Map<string, Set<string>>();
  private readonly strategyMap = new Map<string, Strategy>();
  private readonly byPrincipal = new Map<string, Set<string>>();

  constructor(
    private readonly deps: { store: AuthStore; logger: Logger },
    config: AuthCacheConfig,
  ) {
    super(
      {
        name: 'auth',
        logger: deps.logger,
        currentSeq: () => deps.store.currentSeq(),
        read: (since) => deps.store.readAuthChanges(since),
      },
      config,
    );
  }

  protected apply(cs: AuthChangeSet): void {
    for (const row of cs.users) this.applyUser(row.value, row.deleted);
    for (const row of cs.groups) this.applyGroup(row.value, row.deleted);
    for (const row of cs.strategies) this.applyStrategy(row.value, row.deleted);
  }

  private applyUser(u: User, deleted: boolean): void {
    const old = this.userMap.get(u.id);
    if (old) this.userNames.delete(nameKey(old.owner, old.name));
    if (deleted) {
      this.userMap.delete(u.id);
      return;
    }
    this.userMap.set(u.id, u);
    this.userNames.set(nameKey(u.owner, u.name), u);
  }

  private applyGroup(g: UserGroup, deleted: boolean): void {
    const old = this.groupMap.get(g.id);
    for (const uid of old?.userIds ?? []) this.groupsByUser.get(uid)?.delete(g.id);
    if (deleted) {
      this.groupMap.delete(g.id);
      return;
    }
    this.groupMap.set(g.id, g);
    for (const uid of g.userIds) {
      let set = this.groupsByUser.get(uid);
      if (!set) this.groupsByUser.set(uid, (set = new Set()));
      set.add(g.id);
    }
  }

  private applyStrategy(s: Strategy, deleted: boolean): void {
    const old = this.strategyMap.get(s.id);
    for (const p of old?.principals ?? []) this.byPrincipal.get(pkey(p))?.delete(s.id);
    if (deleted) {
      this.strategyMap.delete(s.id);
      return;
    }
    this.strategyMap.set(s.id, s);
    for (const p of s.principals) {
      let set = this.byPrincipal.get(pkey(p));
      if (!set) this.byPrincipal.set(pkey(p), (set = new Set()));
      set.add(s.id);
    }
  }

  user(id: string): User | undefined {
    return this.userMap.get(id);
  }
  userByName(owner: string, name: string): User | undefined {
    return this.userNames.get(nameKey(owner, name));
  }
  users(): Iterable<User> {
    return this.userMap.values();
  }
  group(id: string): UserGroup | undefined {
    return this.groupMap.get(id);
  }
  groups(): Iterable<UserGroup> {
    return this.groupMap.values();
  }
  groupsOf(userId: string): UserGroup[] {
    const out: UserGroup[] = [];
    for (const id of this.groupsByUser.get(userId) ?? []) {
      const g = this.groupMap.get(id);
      if (g) out.push(g);
    }
    return out;
  }
  strategy(id: string): Strategy | undefined {
    return this.strategyMap.get(id);
  }
  strategies(): Iterable<Strategy> {
    return this.strategyMap.values();
  }
  strategiesOf(principal: PrincipalRef): Strategy[] {
    const out: Strategy[] = [];
    for (const id of this.byPrincipal.get(pkey(principal)) ?? []) {
      const s = this.strategyMap.get(id);
      if (s) out.push(s);
    }
    return out;
  }
  defaultStrategyOf(principal: PrincipalRef): Strategy | undefined {
    return this.strategiesOf(principal).find(
      (s) => s.defaultStrategy && s.principals.length === 1 && s.principals[0].type === principal.type,
    );
  }
}
