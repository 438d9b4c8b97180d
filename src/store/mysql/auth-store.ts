import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Strategy, User, UserGroup } from '../../common/model/auth.js';
import type { Versioned } from '../api.js';
import type { AuthChangeSet, AuthStore, AuthStoreTx } from '../auth-api.js';
import { AUTH_GROUP, AUTH_STRATEGY, AUTH_USER } from './auth-rows.js';
import type { Session, WriteContext } from './mysql-ops.js';
import { versioned, type Table } from './rows.js';

/** Runs a query inside the snapshot of `MysqlHandles.snapshot`. */
export type SnapshotRows = (sql: string, values?: unknown[]) => Promise<unknown[][]>;

/**
 * What the auth tables borrow from the MysqlStore that owns the database. Nothing here is
 * auth-specific: writes run through the store's own transaction machinery (retries, the private
 * negative marker, ONE re-stamp from the `sys_seq` row shared with the naming tables right before
 * COMMIT), and the change feed reads in the same kind of consistent snapshot as `readChanges`.
 */
export interface MysqlHandles {
  /** One write transaction of the store; every table `session.write` touched is stamped at commit. */
  transaction<T>(fn: (session: Session, write: WriteContext) => Promise<T>): Promise<T>;
  /** Reads outside a transaction (reader pool); writes on it reject. */
  reads: Session;
  /** Runs `fn` in one REPEATABLE READ snapshot; `seq` is sys_seq as of that snapshot. */
  snapshot<T>(what: string, fn: (seq: number, rows: SnapshotRows) => Promise<T>): Promise<T>;
  currentSeq(): Promise<number>;
}

function nonKey(t: Table<unknown>): string[] {
  return t.columns.filter((c) => c !== t.key);
}

function sqlOf<T>(t: Table<T>) {
  const sets = nonKey(t as Table<unknown>).map((c) => `${c} = ?`).join(', ');
  return {
    get: `SELECT ${t.select} FROM ${t.name} WHERE id = ? AND deleted = 0`,
    getByName: `SELECT ${t.select} FROM ${t.name} WHERE owner = ? AND name = ? AND deleted = 0`,
    /** Parameters: columns, ctime, mtime, seq. */
    insert: `INSERT INTO ${t.name} (${t.columns.join(', ')}, ctime, mtime, seq, deleted)
      VALUES (${t.columns.map(() => '?').join(', ')}, ?, ?, ?, 0)`,
    /** A plain (non-locking) read of the key's state after a clash: see MysqlOps.create. */
    state: `SELECT deleted FROM ${t.name} WHERE id = ?`,
    /** Brings a tombstone back as a new row. Parameters: non-key columns, ctime, mtime, seq, id. */
    revive: `UPDATE ${t.name} SET ${sets}, ctime = ?, mtime = ?, seq = ?, deleted = 0 WHERE id = ? AND deleted = 1`,
    /** Parameters: non-key columns, mtime, seq, id. Live rows only. */
    update: `UPDATE ${t.name} SET ${sets}, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,
    /** Parameters: mtime, seq, id. */
    remove: `UPDATE ${t.name} SET deleted = 1, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`,
    feedFull: `SELECT ${t.select} FROM ${t.name} WHERE deleted = 0`,
    feedSince: `SELECT ${t.select} FROM ${t.name} WHERE seq > ? ORDER BY seq`,
  };
}

type Sql = ReturnType<typeof sqlOf>;

const USERS = { t: AUTH_USER, sql: sqlOf(AUTH_USER), noun: 'user' };
const GROUPS = { t: AUTH_GROUP, sql: sqlOf(AUTH_GROUP), noun: 'user group' };
const STRATEGIES = { t: AUTH_STRATEGY, sql: sqlOf(AUTH_STRATEGY), noun: 'strategy' };

interface Kind<T> {
  t: Table<T>;
  sql: Sql;
  noun: string;
}

const COUNT_SUB_USERS = 'SELECT COUNT(*) FROM auth_user WHERE owner = ? AND deleted = 0';

/**
 * The AuthStoreTx operations over a Session: a write transaction's handle with a WriteContext, the
 * read side (writes refused) without one. Rows keep the ctime / mtime of the value written (as the
 * SQLite store); a delete stamps this node's clock.
 */
class MysqlAuthOps implements AuthStoreTx {
  constructor(
    private readonly session: Session,
    private readonly writeCtx: WriteContext | null,
  ) {}

  private w(what: string): WriteContext {
    if (!this.writeCtx) throw new StoreError(`${what}: write outside a transaction`);
    return this.writeCtx;
  }

  private async getOne<T>(k: Kind<T>, sql: string, values: unknown[]): Promise<T | undefined> {
    const rows = await this.session.rows(`get ${k.noun}`, sql, values);
    return rows.length === 0 ? undefined : k.t.decode(rows[0]);
  }

  /**
   * Insert; on a key clash, bring back a tombstone with that id as a new row, or reject with
   * ExistedResource when the id or the live (owner, name) is taken.
   */
  private async create<T extends { id: string; ctime: number; mtime: number }>(k: Kind<T>, v: T): Promise<void> {
    const what = `create ${k.noun} ${v.id}`;
    const w = this.w(what);
    const values = k.t.values(v);
    try {
      await this.session.write(what, k.t.name, k.sql.insert, [...values, v.ctime, v.mtime, w.marker]);
      return;
    } catch (err) {
      if (!(err instanceof PolarisError) || err.code !== Code.ExistedResource) throw err;
    }
    const rows = await this.session.rows(what, k.sql.state, [v.id]);
    if (rows.length === 0 || Number(rows[0][0]) !== 1) throw new PolarisError(Code.ExistedResource, `${k.noun} ${v.id}`);
    const res = await this.session.write(what, k.t.name, k.sql.revive, [...values.slice(1), v.ctime, v.mtime, w.marker, v.id]);
    if (res.affectedRows === 0) throw new PolarisError(Code.ExistedResource, `${k.noun} ${v.id}`);
  }

  private async update<T extends { id: string; mtime: number }>(k: Kind<T>, v: T): Promise<boolean> {
    const what = `update ${k.noun} ${v.id}`;
    const w = this.w(what);
    const res = await this.session.write(what, k.t.name, k.sql.update, [...k.t.values(v).slice(1), v.mtime, w.marker, v.id]);
    return res.affectedRows > 0;
  }

  private async remove(k: Kind<unknown>, id: string): Promise<boolean> {
    const what = `delete ${k.noun} ${id}`;
    const w = this.w(what);
    // Nothing affected: the table is not marked changed, so the transaction takes no sequence value.
    const res = await this.session.write(what, k.t.name, k.sql.remove, [w.now(), w.marker, id]);
    return res.affectedRows > 0;
  }

  getUser(id: string) { return this.getOne(USERS, USERS.sql.get, [id]); }
  getUserByName(owner: string, name: string) { return this.getOne(USERS, USERS.sql.getByName, [owner, name]); }
  createUser(user: User) { return this.create(USERS, user); }
  updateUser(user: User) { return this.update(USERS, user); }
  deleteUser(id: string) { return this.remove(USERS as Kind<unknown>, id); }
  async countSubUsers(ownerId: string): Promise<number> {
    const rows = await this.session.rows('count sub-users', COUNT_SUB_USERS, [ownerId]);
    return Number(rows[0]?.[0] ?? 0);
  }

  getGroup(id: string) { return this.getOne(GROUPS, GROUPS.sql.get, [id]); }
  getGroupByName(owner: string, name: string) { return this.getOne(GROUPS, GROUPS.sql.getByName, [owner, name]); }
  createGroup(group: UserGroup) { return this.create(GROUPS, group); }
  updateGroup(group: UserGroup) { return this.update(GROUPS, group); }
  deleteGroup(id: string) { return this.remove(GROUPS as Kind<unknown>, id); }

  getStrategy(id: string) { return this.getOne(STRATEGIES, STRATEGIES.sql.get, [id]); }
  createStrategy(strategy: Strategy) { return this.create(STRATEGIES, strategy); }
  updateStrategy(strategy: Strategy) { return this.update(STRATEGIES, strategy); }
  deleteStrategy(id: string) { return this.remove(STRATEGIES as Kind<unknown>, id); }
}

/**
 * The auth tables of the cluster store. Reads outside a transaction use the reader pool; every
 * write is a transaction of the owning MysqlStore, so auth and naming writes take their values
 * from the one `sys_seq` row, in commit order and without gaps (see MysqlStore). Inside
 * `transaction(fn)` use the `tx` handle only.
 */
export class MysqlAuthStore implements AuthStore {
  private readonly readOps: MysqlAuthOps;

  constructor(private readonly h: MysqlHandles) {
    this.readOps = new MysqlAuthOps(h.reads, null);
  }

  transaction<T>(fn: (tx: AuthStoreTx) => Promise<T>): Promise<T> {
    return this.h.transaction((session, write) => fn(new MysqlAuthOps(session, write)));
  }

  readAuthChanges(since: number): Promise<AuthChangeSet> {
    return this.h.snapshot('read auth changes', async (seq, rows) => {
      const feed = async <T>(k: Kind<T>): Promise<Versioned<T>[]> => {
        const list = since <= 0 ? await rows(k.sql.feedFull) : await rows(k.sql.feedSince, [since]);
        return list.map((r) => versioned(k.t, r));
      };
      return { seq, users: await feed(USERS), groups: await feed(GROUPS), strategies: await feed(STRATEGIES) };
    });
  }

  currentSeq(): Promise<number> {
    return this.h.currentSeq();
  }

  // ---- single operations: reads on the reader pool, writes as their own transaction ----

  getUser(id: string) { return this.readOps.getUser(id); }
  getUserByName(owner: string, name: string) { return this.readOps.getUserByName(owner, name); }
  createUser(user: User) { return this.transaction((tx) => tx.createUser(user)); }
  updateUser(user: User) { return this.transaction((tx) => tx.updateUser(user)); }
  deleteUser(id: string) { return this.transaction((tx) => tx.deleteUser(id)); }
  countSubUsers(ownerId: string) { return this.readOps.countSubUsers(ownerId); }

  getGroup(id: string) { return this.readOps.getGroup(id); }
  getGroupByName(owner: string, name: string) { return this.readOps.getGroupByName(owner, name); }
  createGroup(group: UserGroup) { return this.transaction((tx) => tx.createGroup(group)); }
  updateGroup(group: UserGroup) { return this.transaction((tx) => tx.updateGroup(group)); }
  deleteGroup(id: string) { return this.transaction((tx) => tx.deleteGroup(id)); }

  getStrategy(id: string) { return this.readOps.getStrategy(id); }
  createStrategy(strategy: Strategy) { return this.transaction((tx) => tx.createStrategy(strategy)); }
  updateStrategy(strategy: Strategy) { return this.transaction((tx) => tx.updateStrategy(strategy)); }
  deleteStrategy(id: string) { return this.transaction((tx) => tx.deleteStrategy(id)); }
}
