import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type { Strategy, User, UserGroup } from '../../common/model/auth.js';
import type { Versioned } from '../api.js';
import type { AuthChangeSet, AuthStore, AuthStoreTx } from '../auth-api.js';
import {
  GROUP_COLUMNS,
  STRATEGY_COLUMNS,
  USER_COLUMNS,
  groupFromRow,
  groupParams,
  strategyFromRow,
  strategyParams,
  userFromRow,
  userParams,
} from './auth-rows.js';
import { toStoreError } from './sqlite-errors.js';
import type { WriteContext } from './sqlite-ops.js';
import type { SqliteFile } from './sqlite-file.js';
import type { StatementCache } from './statement-cache.js';

interface Table<T> {
  name: string;
  columns: readonly string[];
  params(v: T): unknown[];
  from(r: Record<string, unknown>): T;
}

const USERS: Table<User> = { name: 'auth_user', columns: USER_COLUMNS, params: userParams, from: userFromRow };
const GROUPS: Table<UserGroup> = { name: 'auth_group', columns: GROUP_COLUMNS, params: groupParams, from: groupFromRow };
const STRATEGIES: Table<Strategy> = {
  name: 'auth_strategy',
  columns: STRATEGY_COLUMNS,
  params: strategyParams,
  from: strategyFromRow,
};

/** Insert, or revive a tombstone with the same id; a live row with that id is left alone (changes 0). */
function createSql(t: Table<unknown>): string {
  const cols = t.columns.join(', ');
  const marks = t.columns.map(() => '?').join(', ');
  const sets = t.columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${t.name} (${cols}, ctime, mtime, seq, deleted) VALUES (${marks}, ?, ?, ?, 0)
    ON CONFLICT (id) DO UPDATE SET ${sets.join(', ')}, ctime = excluded.ctime, mtime = excluded.mtime,
    seq = excluded.seq, deleted = 0 WHERE ${t.name}.deleted = 1`;
}

/** Parameters: the non-key columns, mtime, seq, id. */
function updateSql(t: Table<unknown>): string {
  const sets = t.columns.filter((c) => c !== 'id').map((c) => `${c} = ?`);
  return `UPDATE ${t.name} SET ${sets.join(', ')}, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`;
}

function feed<T>(r: StatementCache, t: Table<T>, since: number): Versioned<T>[] {
  const rows = (
    since <= 0
      ? r.prep(`SELECT * FROM ${t.name} WHERE deleted = 0`).all()
      : r.prep(`SELECT * FROM ${t.name} WHERE seq > ? ORDER BY seq`).all(since)
  ) as Record<string, unknown>[];
  return rows.map((row) => ({ seq: Number(row.seq), deleted: Number(row.deleted) === 1, value: t.from(row) }));
}

/** One transaction's (or the read connection's) view of the auth tables. */
class AuthOps implements AuthStoreTx {
  /** `c` is the connection; `w` is null for the read connection (writes are refused). */
  constructor(
    private readonly c: StatementCache,
    private readonly w: WriteContext | null,
  ) {}

  /** Nothing to close: the ops hold no per-transaction state beyond the write context. */
  end(): void {}

  private seq(): number {
    return this.writable().seq();
  }

  private writable(): WriteContext {
    if (!this.w) throw new StoreError('auth store: write outside a transaction');
    return this.w;
  }

  private assertWritable(): void {
    this.writable();
  }

  private getOne<T>(t: Table<T>, where: string, ...params: unknown[]): T | undefined {
    try {
      const row = this.c.prep(`SELECT * FROM ${t.name} WHERE ${where} AND deleted = 0`).get(...params);
      return row ? t.from(row as Record<string, unknown>) : undefined;
    } catch (err) {
      throw toStoreError(err, `read ${t.name}`);
    }
  }

  private create<T extends { ctime: number; mtime: number }>(t: Table<T>, v: T): void {
    this.assertWritable();
    let changes: number;
    try {
      changes = this.c.prep(createSql(t as Table<unknown>)).run(...t.params(v), v.ctime, v.mtime, this.seq()).changes;
    } catch (err) {
      throw toStoreError(err, `create ${t.name}`);
    }
    if (changes === 0) throw new PolarisError(Code.ExistedResource, `${t.name} ${t.params(v)[0] as string}`);
  }

  private update<T extends { mtime: number }>(t: Table<T>, v: T): boolean {
    this.assertWritable();
    const [id, ...rest] = t.params(v);
    try {
      return this.c.prep(updateSql(t as Table<unknown>)).run(...rest, v.mtime, this.seq(), id).changes > 0;
    } catch (err) {
      throw toStoreError(err, `update ${t.name}`);
    }
  }

  private remove(t: Table<unknown>, id: string): boolean {
    this.assertWritable();
    // Look first so a missing row takes no sequence value.
    if (!this.c.prep(`SELECT 1 FROM ${t.name} WHERE id = ? AND deleted = 0`).get(id)) return false;
    try {
      return (
        this.c.prep(`UPDATE ${t.name} SET deleted = 1, mtime = ?, seq = ? WHERE id = ? AND deleted = 0`).run(this.writable().now(), this.seq(), id)
          .changes > 0
      );
    } catch (err) {
      throw toStoreError(err, `delete ${t.name}`);
    }
  }

  async getUser(id: string) {
    return this.getOne(USERS, 'id = ?', id);
  }
  async getUserByName(owner: string, name: string) {
    return this.getOne(USERS, 'owner = ? AND name = ?', owner, name);
  }
  async createUser(user: User) {
    this.create(USERS, user);
  }
  async updateUser(user: User) {
    return this.update(USERS, user);
  }
  async deleteUser(id: string) {
    return this.remove(USERS as Table<unknown>, id);
  }
  async countSubUsers(ownerId: string) {
    try {
      return (this.c.prep('SELECT COUNT(*) AS n FROM auth_user WHERE owner = ? AND deleted = 0').get(ownerId) as { n: number }).n;
    } catch (err) {
      throw toStoreError(err, 'count sub-users');
    }
  }

  async getGroup(id: string) {
    return this.getOne(GROUPS, 'id = ?', id);
  }
  async getGroupByName(owner: string, name: string) {
    return this.getOne(GROUPS, 'owner = ? AND name = ?', owner, name);
  }
  async createGroup(group: UserGroup) {
    this.create(GROUPS, group);
  }
  async updateGroup(group: UserGroup) {
    return this.update(GROUPS, group);
  }
  async deleteGroup(id: string) {
    return this.remove(GROUPS as Table<unknown>, id);
  }

  async getStrategy(id: string) {
    return this.getOne(STRATEGIES, 'id = ?', id);
  }
  async createStrategy(strategy: Strategy) {
    this.create(STRATEGIES, strategy);
  }
  async updateStrategy(strategy: Strategy) {
    return this.update(STRATEGIES, strategy);
  }
  async deleteStrategy(id: string) {
    return this.remove(STRATEGIES as Table<unknown>, id);
  }
}

/**
 * The auth tables of the embedded SQLite store. Reads outside a transaction use the read
 * connection (committed data only); every write runs as a transaction on the owner's write
 * connection under its mutex, so auth and naming writes never interleave.
 */
export class SqliteAuthStore implements AuthStore {
  private readonly readOps: AuthOps;

  constructor(private readonly file: SqliteFile) {
    this.readOps = new AuthOps(file.reader, null);
  }

  async transaction<T>(fn: (tx: AuthStoreTx) => Promise<T>): Promise<T> {
    return this.file.writeTransaction('auth transaction', (w, ctx) => new AuthOps(w, ctx), fn);
  }

  async readAuthChanges(since: number): Promise<AuthChangeSet> {
    return this.file.readSnapshot('read auth changes', (r, seq) => ({
      seq,
      users: feed(r, USERS, since),
      groups: feed(r, GROUPS, since),
      strategies: feed(r, STRATEGIES, since),
    }));
  }

  async currentSeq(): Promise<number> {
    return this.file.currentSeq();
  }

  // ---- single operations: reads on the read connection, writes as their own transaction ----

  private read<T>(fn: (ops: AuthOps) => Promise<T>): Promise<T> {
    this.file.assertOpen();
    return fn(this.readOps);
  }

  getUser(id: string) { return this.read((o) => o.getUser(id)); }
  getUserByName(owner: string, name: string) { return this.read((o) => o.getUserByName(owner, name)); }
  createUser(user: User) { return this.transaction((tx) => tx.createUser(user)); }
  updateUser(user: User) { return this.transaction((tx) => tx.updateUser(user)); }
  deleteUser(id: string) { return this.transaction((tx) => tx.deleteUser(id)); }
  countSubUsers(ownerId: string) { return this.read((o) => o.countSubUsers(ownerId)); }

  getGroup(id: string) { return this.read((o) => o.getGroup(id)); }
  getGroupByName(owner: string, name: string) { return this.read((o) => o.getGroupByName(owner, name)); }
  createGroup(group: UserGroup) { return this.transaction((tx) => tx.createGroup(group)); }
  updateGroup(group: UserGroup) { return this.transaction((tx) => tx.updateGroup(group)); }
  deleteGroup(id: string) { return this.transaction((tx) => tx.deleteGroup(id)); }

  getStrategy(id: string) { return this.read((o) => o.getStrategy(id)); }
  createStrategy(strategy: Strategy) { return this.transaction((tx) => tx.createStrategy(strategy)); }
  updateStrategy(strategy: Strategy) { return this.transaction((tx) => tx.updateStrategy(strategy)); }
  deleteStrategy(id: string) { return this.transaction((tx) => tx.deleteStrategy(id)); }
}
