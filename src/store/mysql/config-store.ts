import type { ResultSetHeader } from 'mysql2/promise';
import type {
  ConfigFile,
  ConfigFileKey,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  ReleaseHistory,
} from '../../common/model/config.js';
import type { Namespace } from '../../common/model/naming.js';
import type { ConfigChangeSet, ConfigStore, ConfigWrites, ReleaseHistoryQuery } from '../config-api.js';
import type { MysqlHandles } from './auth-store.js';
import { CONFIG_FEED_TABLES, CONFIG_SQL, MysqlConfigOps } from './config-ops.js';
import {
  FILE_META_SELECT,
  GROUP_SELECT,
  RELEASE_FEED_SELECT,
  fileMetaFromRow,
  groupFromRow,
  historyFromRow,
  releaseFromRow,
  templateFromRow,
  versionedRow,
} from './config-rows.js';
import { MysqlOps } from './mysql-ops.js';

/**
 * What the config tables borrow from the MysqlStore that owns the database: its transaction
 * machinery, reader session and consistent snapshot (the handles the auth and rule tables use
 * too), plus one statement on the master outside the change sequence, for purges.
 */
export interface MysqlConfigHandles extends MysqlHandles {
  /** Runs one statement on the master as its own implicit transaction; takes no sequence value. */
  exec(what: string, sql: string, values: unknown[]): Promise<ResultSetHeader>;
}

const PURGE_BATCH = 1000;

function feedSql(table: string, select: string): { full: string; since: string } {
  return {
    full: `SELECT ${select} FROM ${table} WHERE deleted = 0 ORDER BY seq, id`,
    since: `SELECT ${select} FROM ${table} WHERE seq > ? ORDER BY seq, id`,
  };
}

const FEED = {
  group: feedSql('config_group', GROUP_SELECT),
  file: feedSql('config_file', FILE_META_SELECT),
  release: feedSql('config_release', RELEASE_FEED_SELECT),
} as const;

/** Where-clause and parameters of a history query (substrings matched byte-wise, as SQLite's instr). */
function historyWhere(q: ReleaseHistoryQuery): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.namespace) {
    parts.push('namespace = ?');
    params.push(q.namespace);
  }
  if (q.group) {
    parts.push('LOCATE(?, grp) > 0');
    params.push(q.group);
  }
  if (q.fileName) {
    parts.push('LOCATE(?, file_name) > 0');
    params.push(q.fileName);
  }
  if (q.endId > 0) {
    parts.push('id < ?');
    params.push(q.endId);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** A non-negative integer for LIMIT / OFFSET. */
function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * The config center of the cluster store. Every write is a transaction of the owning MysqlStore:
 * config, naming, auth and rule writes take their values from the one `sys_seq` row, in commit
 * order and without gaps (see MysqlStore), so a publish on one node is read by every other node's
 * config cache at its next probe of the sequence. Inside a transaction, namespace writes go
 * through the naming ops of the same connection (an auto-created namespace commits with the
 * config rows, or not at all). Reads outside a transaction use the reader pool; the change feed
 * reads sys_seq and the config rows in one consistent snapshot. Inside `transaction(fn)` use the
 * `tx` handle only; `fn` may be re-run on a deadlock, so it must not have side effects outside the
 * store.
 */
export class MysqlConfigStore implements ConfigStore {
  private readonly readOps: MysqlConfigOps;

  constructor(private readonly h: MysqlConfigHandles) {
    this.readOps = new MysqlConfigOps(h.reads, null, new MysqlOps(h.reads, null));
  }

  transaction<T>(fn: (tx: ConfigWrites) => Promise<T>): Promise<T> {
    return this.h.transaction((session, write) => fn(new MysqlConfigOps(session, write, new MysqlOps(session, write))));
  }

  readConfigChanges(since: number): Promise<ConfigChangeSet> {
    return this.h.snapshot('read config changes', async (seq, rows) => {
      const read = (sql: { full: string; since: string }) => (since <= 0 ? rows(sql.full) : rows(sql.since, [since]));
      return {
        seq,
        groups: (await read(FEED.group)).map((r) => versionedRow('group', r, groupFromRow)),
        files: (await read(FEED.file)).map((r) => versionedRow('file', r, fileMetaFromRow)),
        releases: (await read(FEED.release)).map((r) => versionedRow('release', r, releaseFromRow)),
      };
    });
  }

  currentSeq(): Promise<number> {
    return this.h.currentSeq();
  }

  async listReleaseHistory(q: ReleaseHistoryQuery): Promise<{ total: number; items: ReleaseHistory[] }> {
    const { where, params } = historyWhere(q);
    const totalRows = await this.h.reads.rows('count release history', `SELECT COUNT(*) FROM config_release_history ${where}`, params);
    const rows = await this.h.reads.rows(
      'list release history',
      `SELECT ${CONFIG_SQL.historyColumns} FROM config_release_history ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, count(q.limit), count(q.offset)],
    );
    return { total: Number(totalRows[0]?.[0] ?? 0), items: rows.map(historyFromRow) };
  }

  async listTemplates(): Promise<ConfigTemplate[]> {
    const rows = await this.h.reads.rows('list config templates', CONFIG_SQL.listTemplates);
    return rows.map(templateFromRow);
  }

  /**
   * Hard-deletes group, file and release tombstones in batches (short locks); the age is judged
   * by this node's clock. The per-file version counters are never purged.
   */
  async purgeConfigTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let n = 0;
    for (const table of CONFIG_FEED_TABLES) {
      for (;;) {
        const res = await this.h.exec('purge config tombstones', CONFIG_SQL.purge(table, PURGE_BATCH), [belowSeq, cutoff]);
        n += res.affectedRows;
        if (res.affectedRows < PURGE_BATCH) break;
      }
    }
    return n;
  }

  // ---- single operations: reads on the reader pool, writes as their own transaction ----

  getNamespace(name: string): Promise<Namespace | undefined> { return this.readOps.getNamespace(name); }
  createNamespace(ns: Namespace): Promise<void> { return this.transaction((tx) => tx.createNamespace(ns)); }

  getGroup(namespace: string, name: string): Promise<ConfigGroup | undefined> { return this.readOps.getGroup(namespace, name); }
  listGroups(namespace?: string): Promise<ConfigGroup[]> { return this.readOps.listGroups(namespace); }
  createGroup(group: ConfigGroup): Promise<ConfigGroup> { return this.transaction((tx) => tx.createGroup(group)); }
  updateGroup(group: ConfigGroup): Promise<void> { return this.transaction((tx) => tx.updateGroup(group)); }
  deleteGroup(namespace: string, name: string): Promise<boolean> { return this.transaction((tx) => tx.deleteGroup(namespace, name)); }
  countFilesInGroup(namespace: string, name: string): Promise<number> { return this.readOps.countFilesInGroup(namespace, name); }

  getFile(key: ConfigFileKey): Promise<ConfigFile | undefined> { return this.readOps.getFile(key); }
  listFiles(namespace: string, group?: string): Promise<ConfigFile[]> { return this.readOps.listFiles(namespace, group); }
  createFile(file: ConfigFile): Promise<ConfigFile> { return this.transaction((tx) => tx.createFile(file)); }
  updateFile(file: ConfigFile): Promise<void> { return this.transaction((tx) => tx.updateFile(file)); }
  deleteFile(key: ConfigFileKey): Promise<boolean> { return this.transaction((tx) => tx.deleteFile(key)); }

  getRelease(file: ConfigFileKey, releaseName: string): Promise<ConfigRelease | undefined> {
    return this.readOps.getRelease(file, releaseName);
  }
  listReleases(file: ConfigFileKey): Promise<ConfigRelease[]> { return this.readOps.listReleases(file); }
  countActiveReleasesInGroup(namespace: string, group: string): Promise<number> {
    return this.readOps.countActiveReleasesInGroup(namespace, group);
  }
  nextReleaseVersion(file: ConfigFileKey): Promise<number> { return this.transaction((tx) => tx.nextReleaseVersion(file)); }
  saveRelease(release: ConfigRelease): Promise<ConfigRelease> { return this.transaction((tx) => tx.saveRelease(release)); }
  deleteRelease(file: ConfigFileKey, releaseName: string): Promise<boolean> {
    return this.transaction((tx) => tx.deleteRelease(file, releaseName));
  }

  addReleaseHistory(entry: ReleaseHistory): Promise<ReleaseHistory> { return this.transaction((tx) => tx.addReleaseHistory(entry)); }
  getTemplate(name: string): Promise<ConfigTemplate | undefined> { return this.readOps.getTemplate(name); }
  createTemplate(template: ConfigTemplate): Promise<ConfigTemplate> { return this.transaction((tx) => tx.createTemplate(template)); }
}
