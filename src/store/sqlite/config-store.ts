import type {
  ConfigFile,
  ConfigFileKey,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  ReleaseHistory,
} from '../../common/model/config.js';
import type { Namespace } from '../../common/model/naming.js';
import type { Versioned } from '../api.js';
import type { ConfigChangeSet, ConfigStore, ConfigWrites, ReleaseHistoryQuery } from '../config-api.js';
import { CONFIG_SQL, SqliteConfigOps } from './config-ops.js';
import {
  FILE_META_COLUMNS,
  GROUP_COLUMNS,
  RELEASE_FEED_COLUMNS,
  fileMetaFromRow,
  groupFromRow,
  releaseFromRow,
} from './config-rows.js';
import type { SqliteFile } from './sqlite-file.js';
import { SqliteOps, type WriteContext } from './sqlite-ops.js';
import type { StatementCache } from './statement-cache.js';

type Row = Record<string, unknown>;

function feedSql(table: string, columns: string): { full: string; since: string } {
  return {
    full: `SELECT ${columns} FROM ${table} WHERE deleted = 0 ORDER BY seq, id`,
    since: `SELECT ${columns} FROM ${table} WHERE seq > ? ORDER BY seq, id`,
  };
}

const FEED = {
  group: feedSql('config_group', GROUP_COLUMNS),
  file: feedSql('config_file', FILE_META_COLUMNS),
  release: feedSql('config_release', RELEASE_FEED_COLUMNS),
} as const;

function versioned<T>(row: Row, from: (r: Row) => T): Versioned<T> {
  return { seq: Number(row.seq), deleted: Number(row.deleted) === 1, value: from(row) };
}

/** Where-clause and parameters of a history query. */
function historyWhere(q: ReleaseHistoryQuery): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.namespace) {
    parts.push('namespace = ?');
    params.push(q.namespace);
  }
  if (q.group) {
    parts.push('instr(grp, ?) > 0');
    params.push(q.group);
  }
  if (q.fileName) {
    parts.push('instr(file_name, ?) > 0');
    params.push(q.fileName);
  }
  if (q.endId > 0) {
    parts.push('id < ?');
    params.push(q.endId);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * The config center's tables on the SQLite store's file: the same two connections, write mutex and
 * change sequence as the naming data (and the rules), so one sequence orders every change. Inside a
 * transaction, namespace writes go through naming ops sharing the transaction's sequence value.
 */
export class SqliteConfigStore implements ConfigStore {
  private readonly readOps: SqliteConfigOps;

  constructor(private readonly file: SqliteFile) {
    this.readOps = new SqliteConfigOps(file.reader, null, new SqliteOps(file.reader, null));
  }

  async transaction<T>(fn: (tx: ConfigWrites) => Promise<T>): Promise<T> {
    const makeOps = (w: StatementCache, ctx: WriteContext) => new SqliteConfigOps(w, ctx, new SqliteOps(w, ctx));
    return this.file.writeTransaction('config transaction', makeOps, fn);
  }

  async readConfigChanges(since: number): Promise<ConfigChangeSet> {
    return this.file.readSnapshot('read config changes', (r, seq) => {
      const read = (sql: { full: string; since: string }): Row[] =>
        (since <= 0 ? r.prep(sql.full).all() : r.prep(sql.since).all(since)) as Row[];
      return {
        seq,
        groups: read(FEED.group).map((row) => versioned(row, groupFromRow)),
        files: read(FEED.file).map((row) => versioned(row, fileMetaFromRow)),
        releases: read(FEED.release).map((row) => versioned(row, releaseFromRow)),
      };
    });
  }

  async currentSeq(): Promise<number> {
    return this.file.currentSeq();
  }

  async listReleaseHistory(q: ReleaseHistoryQuery): Promise<{ total: number; items: ReleaseHistory[] }> {
    this.file.assertOpen();
    const { where, params } = historyWhere(q);
    const total = this.readOps.countRows(`SELECT COUNT(*) FROM config_release_history ${where}`, params);
    const items = this.readOps.listHistoryRows(
      `SELECT ${CONFIG_SQL.historyColumns} FROM config_release_history ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, Math.max(0, q.limit), Math.max(0, q.offset)],
    );
    return { total, items };
  }

  async listTemplates(): Promise<ConfigTemplate[]> {
    this.file.assertOpen();
    return this.readOps.listTemplateRows();
  }

  async purgeConfigTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    return this.file.writeStatement('purge config tombstones', (w) => {
      const cutoff = Date.now() - olderThanMs;
      let n = 0;
      for (const table of ['config_group', 'config_file', 'config_release']) {
        n += w.prep(`DELETE FROM ${table} WHERE deleted = 1 AND mtime < ? AND seq < ?`).run(cutoff, belowSeq).changes;
      }
      return n;
    });
  }

  // ---- ConfigWrites outside a transaction: reads on the read connection, writes as their own tx ----

  getNamespace(name: string): Promise<Namespace | undefined> {
    return this.read(() => this.readOps.getNamespace(name));
  }
  createNamespace(ns: Namespace): Promise<void> {
    return this.transaction((tx) => tx.createNamespace(ns));
  }
  getGroup(namespace: string, name: string): Promise<ConfigGroup | undefined> {
    return this.read(() => this.readOps.getGroup(namespace, name));
  }
  listGroups(namespace?: string): Promise<ConfigGroup[]> {
    return this.read(() => this.readOps.listGroups(namespace));
  }
  createGroup(group: ConfigGroup): Promise<ConfigGroup> {
    return this.transaction((tx) => tx.createGroup(group));
  }
  updateGroup(group: ConfigGroup): Promise<void> {
    return this.transaction((tx) => tx.updateGroup(group));
  }
  deleteGroup(namespace: string, name: string): Promise<boolean> {
    return this.transaction((tx) => tx.deleteGroup(namespace, name));
  }
  countFilesInGroup(namespace: string, name: string): Promise<number> {
    return this.read(() => this.readOps.countFilesInGroup(namespace, name));
  }
  getFile(key: ConfigFileKey): Promise<ConfigFile | undefined> {
    return this.read(() => this.readOps.getFile(key));
  }
  listFiles(namespace: string, group?: string): Promise<ConfigFile[]> {
    return this.read(() => this.readOps.listFiles(namespace, group));
  }
  createFile(file: ConfigFile): Promise<ConfigFile> {
    return this.transaction((tx) => tx.createFile(file));
  }
  updateFile(file: ConfigFile): Promise<void> {
    return this.transaction((tx) => tx.updateFile(file));
  }
  deleteFile(key: ConfigFileKey): Promise<boolean> {
    return this.transaction((tx) => tx.deleteFile(key));
  }
  getRelease(file: ConfigFileKey, releaseName: string): Promise<ConfigRelease | undefined> {
    return this.read(() => this.readOps.getRelease(file, releaseName));
  }
  listReleases(file: ConfigFileKey): Promise<ConfigRelease[]> {
    return this.read(() => this.readOps.listReleases(file));
  }
  countActiveReleasesInGroup(namespace: string, group: string): Promise<number> {
    return this.read(() => this.readOps.countActiveReleasesInGroup(namespace, group));
  }
  nextReleaseVersion(file: ConfigFileKey): Promise<number> {
    return this.transaction((tx) => tx.nextReleaseVersion(file));
  }
  saveRelease(release: ConfigRelease): Promise<ConfigRelease> {
    return this.transaction((tx) => tx.saveRelease(release));
  }
  deleteRelease(file: ConfigFileKey, releaseName: string): Promise<boolean> {
    return this.transaction((tx) => tx.deleteRelease(file, releaseName));
  }
  addReleaseHistory(entry: ReleaseHistory): Promise<ReleaseHistory> {
    return this.transaction((tx) => tx.addReleaseHistory(entry));
  }
  getTemplate(name: string): Promise<ConfigTemplate | undefined> {
    return this.read(() => this.readOps.getTemplate(name));
  }
  createTemplate(template: ConfigTemplate): Promise<ConfigTemplate> {
    return this.transaction((tx) => tx.createTemplate(template));
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    this.file.assertOpen();
    return fn();
  }
}
