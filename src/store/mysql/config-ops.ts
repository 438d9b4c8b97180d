import type { ResultSetHeader } from 'mysql2/promise';
import { Code } from '../../common/errors/codes.js';
import { PolarisError, StoreError } from '../../common/errors/polaris-error.js';
import type {
  ConfigFile,
  ConfigFileKey,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  ReleaseHistory,
} from '../../common/model/config.js';
import type { Namespace } from '../../common/model/naming.js';
import type { ConfigWrites } from '../config-api.js';
import {
  FILE_SELECT,
  GROUP_SELECT,
  HISTORY_SELECT,
  RELEASE_SELECT,
  TEMPLATE_SELECT,
  fileFromRow,
  groupFromRow,
  labelsText,
  metadataText,
  releaseFromRow,
  tagsText,
  templateFromRow,
} from './config-rows.js';
import type { MysqlOps, Session, WriteContext } from './mysql-ops.js';

/*
 * The ConfigWrites operations of the MySQL store over a Session (schema in config-schema.ts).
 *
 * Feed tables (config_group, config_file, config_release) are written through `session.write`:
 * their rows carry the transaction's marker and are re-stamped with the one shared change sequence
 * before COMMIT. The version counter, the history and the templates have no `seq` and are not part
 * of the feed: they are written through `session.rows` (same connection and transaction, same
 * failure handling) so they are never re-stamped, and a transaction touching only them takes no
 * sequence value, as in the SQLite store.
 */

const GROUP = 'config_group';
const FILE = 'config_file';
const RELEASE = 'config_release';

const FILE_WHERE = 'namespace = ? AND grp = ? AND file_name = ?';

export const CONFIG_SQL = {
  getGroup: `SELECT ${GROUP_SELECT} FROM ${GROUP} WHERE namespace = ? AND name = ? AND deleted = 0`,
  listGroups: `SELECT ${GROUP_SELECT} FROM ${GROUP} WHERE deleted = 0 ORDER BY id`,
  listGroupsOfNs: `SELECT ${GROUP_SELECT} FROM ${GROUP} WHERE namespace = ? AND deleted = 0 ORDER BY id`,
  /** Parameters: namespace … modify_by, ctime, mtime, seq. */
  createGroup: `INSERT INTO ${GROUP} (namespace, name, comment, owner, business, department, metadata, create_by,
      modify_by, ctime, mtime, seq, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  updateGroup: `UPDATE ${GROUP} SET comment = ?, owner = ?, business = ?, department = ?, metadata = ?, modify_by = ?,
      mtime = ?, seq = ?
    WHERE namespace = ? AND name = ? AND deleted = 0`,
  deleteGroup: `UPDATE ${GROUP} SET deleted = 1, mtime = ?, seq = ? WHERE namespace = ? AND name = ? AND deleted = 0`,
  countFiles: `SELECT COUNT(*) FROM ${FILE} WHERE namespace = ? AND grp = ? AND deleted = 0`,

  getFile: `SELECT ${FILE_SELECT} FROM ${FILE} WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,
  listFilesOfNs: `SELECT ${FILE_SELECT} FROM ${FILE} WHERE namespace = ? AND deleted = 0 ORDER BY id`,
  listFilesOfGroup: `SELECT ${FILE_SELECT} FROM ${FILE} WHERE namespace = ? AND grp = ? AND deleted = 0 ORDER BY id`,
  createFile: `INSERT INTO ${FILE} (namespace, grp, name, content, format, comment, tags, encrypt_algo, data_key, md5,
      create_by, modify_by, ctime, mtime, seq, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  updateFile: `UPDATE ${FILE} SET content = ?, format = ?, comment = ?, tags = ?, encrypt_algo = ?, data_key = ?, md5 = ?,
      modify_by = ?, mtime = ?, seq = ?
    WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,
  deleteFile: `UPDATE ${FILE} SET deleted = 1, mtime = ?, seq = ? WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,

  getRelease: `SELECT ${RELEASE_SELECT} FROM ${RELEASE} WHERE ${FILE_WHERE} AND name = ? AND deleted = 0`,
  listReleases: `SELECT ${RELEASE_SELECT} FROM ${RELEASE} WHERE ${FILE_WHERE} AND deleted = 0 ORDER BY version DESC, id DESC`,
  /** Locking reads of a file's releases inside a write transaction (latest committed rows, any isolation). */
  getReleaseLocked: `SELECT ${RELEASE_SELECT} FROM ${RELEASE} WHERE ${FILE_WHERE} AND name = ? AND deleted = 0 FOR UPDATE`,
  listReleasesLocked: `SELECT ${RELEASE_SELECT} FROM ${RELEASE} WHERE ${FILE_WHERE} AND deleted = 0
    ORDER BY version DESC, id DESC FOR UPDATE`,
  countActiveInGroup: `SELECT COUNT(*) FROM ${RELEASE} WHERE namespace = ? AND grp = ? AND active = 1 AND deleted = 0`,
  maxReleaseVersion: `SELECT MAX(version) FROM ${RELEASE} WHERE ${FILE_WHERE}`,
  /**
   * Takes the file's counter row with an exclusive lock (held to COMMIT: concurrent reservations
   * of one file on any node queue here) and moves it one up, creating it at 1.
   */
  bumpVersionCounter: `INSERT INTO config_release_version (namespace, grp, file_name, version) VALUES (?, ?, ?, 1)
    ON DUPLICATE KEY UPDATE version = version + 1`,
  /**
   * Takes the file's counter row with an exclusive lock, creating it at 0 (nothing handed out yet),
   * without changing it: the per-file lock of a write transaction (see MysqlConfigOps.lockFile).
   */
  lockFile: `INSERT INTO config_release_version (namespace, grp, file_name, version) VALUES (?, ?, ?, 0)
    ON DUPLICATE KEY UPDATE version = version`,
  versionCounter: `SELECT version FROM config_release_version WHERE ${FILE_WHERE}`,
  setVersionCounter: `UPDATE config_release_version SET version = ? WHERE ${FILE_WHERE}`,
  raiseVersionCounter: `INSERT INTO config_release_version (namespace, grp, file_name, version) VALUES (?, ?, ?, ?)
    ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))`,
  createRelease: `INSERT INTO ${RELEASE} (namespace, grp, file_name, name, content, format, comment, md5, version, tags,
      encrypt_algo, data_key, active, release_type, beta_labels, release_description, create_by, modify_by, ctime, mtime,
      seq, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  updateRelease: `UPDATE ${RELEASE} SET name = ?, content = ?, format = ?, comment = ?, md5 = ?, version = ?, tags = ?,
      encrypt_algo = ?, data_key = ?, active = ?, release_type = ?, beta_labels = ?, release_description = ?,
      modify_by = ?, mtime = ?, seq = ?
    WHERE id = ? AND deleted = 0`,
  releaseCtime: `SELECT ctime FROM ${RELEASE} WHERE id = ?`,
  deleteRelease: `UPDATE ${RELEASE} SET deleted = 1, active = 0, mtime = ?, seq = ?
    WHERE ${FILE_WHERE} AND name = ? AND deleted = 0`,

  addHistory: `INSERT INTO config_release_history (namespace, grp, file_name, name, content, format, comment, md5,
      version, type, status, reason, tags, encrypt_algo, data_key, release_description, create_by, modify_by, ctime, mtime)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  historyColumns: HISTORY_SELECT,
  getTemplate: `SELECT ${TEMPLATE_SELECT} FROM config_template WHERE name = ?`,
  listTemplates: `SELECT ${TEMPLATE_SELECT} FROM config_template ORDER BY id`,
  createTemplate: `INSERT INTO config_template (name, content, format, comment, create_by, modify_by, ctime, mtime)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,

  /** Parameters: belowSeq, cutoff (epoch ms). In batches: short locks. */
  purge: (table: string, batch: number) =>
    `DELETE FROM ${table} WHERE deleted = 1 AND seq < ? AND mtime < ? ORDER BY seq LIMIT ${batch}`,
} as const;

/** The tables whose tombstones `purgeConfigTombstones` removes. */
export const CONFIG_FEED_TABLES = [GROUP, FILE, RELEASE] as const;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** The id MySQL assigned to the row an INSERT just wrote. */
function insertedId(res: ResultSetHeader, what: string): number {
  const id = Number(res.insertId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError(`${what}: no id assigned (${String(res.insertId)})`);
  return id;
}

/**
 * The ConfigWrites operations over a Session: with a WriteContext the handle of one write
 * transaction of the MysqlStore (namespace operations go through `naming`, the naming ops of the
 * same session, so an auto-created namespace commits, or rolls back, with the config rows), without
 * one the read side (writes refused). Times are this node's clock, as for the naming tables.
 */
export class MysqlConfigOps implements ConfigWrites {
  constructor(
    private readonly session: Session,
    private readonly writeCtx: WriteContext | null,
    private readonly naming: MysqlOps,
  ) {}

  // ---- namespaces ----

  getNamespace(name: string): Promise<Namespace | undefined> {
    return this.naming.getNamespace(name);
  }

  async createNamespace(ns: Namespace): Promise<void> {
    this.w(`create namespace ${ns.name}`);
    await this.naming.createNamespace(ns);
  }

  // ---- groups ----

  async getGroup(namespace: string, name: string): Promise<ConfigGroup | undefined> {
    const rows = await this.session.rows('get config group', CONFIG_SQL.getGroup, [namespace, name]);
    return rows.length === 0 ? undefined : groupFromRow(rows[0]);
  }

  async listGroups(namespace?: string): Promise<ConfigGroup[]> {
    const rows = namespace === undefined
      ? await this.session.rows('list config groups', CONFIG_SQL.listGroups)
      : await this.session.rows('list config groups', CONFIG_SQL.listGroupsOfNs, [namespace]);
    return rows.map(groupFromRow);
  }

  async createGroup(g: ConfigGroup): Promise<ConfigGroup> {
    const what = `create config group ${g.namespace}/${g.name}`;
    const w = this.w(what);
    const now = w.now();
    const res = await this.session.write(what, GROUP, CONFIG_SQL.createGroup, [
      g.namespace, g.name, g.comment, g.owner, g.business, g.department, metadataText(g.metadata), g.createBy,
      g.modifyBy, now, now, w.marker,
    ]);
    return { ...g, id: insertedId(res, what), ctime: now, mtime: now };
  }

  async updateGroup(g: ConfigGroup): Promise<void> {
    const what = `update config group ${g.namespace}/${g.name}`;
    const w = this.w(what);
    const res = await this.session.write(what, GROUP, CONFIG_SQL.updateGroup, [
      g.comment, g.owner, g.business, g.department, metadataText(g.metadata), g.modifyBy, w.now(), w.marker,
      g.namespace, g.name,
    ]);
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `config group ${g.namespace}/${g.name}`);
  }

  async deleteGroup(namespace: string, name: string): Promise<boolean> {
    const what = `delete config group ${namespace}/${name}`;
    const w = this.w(what);
    // Nothing affected: the table is not marked changed, so the transaction takes no sequence value.
    const res = await this.session.write(what, GROUP, CONFIG_SQL.deleteGroup, [w.now(), w.marker, namespace, name]);
    return res.affectedRows > 0;
  }

  async countFilesInGroup(namespace: string, name: string): Promise<number> {
    const rows = await this.session.rows('count config files', CONFIG_SQL.countFiles, [namespace, name]);
    return num(rows[0]?.[0]);
  }

  // ---- files ----

  async getFile(key: ConfigFileKey): Promise<ConfigFile | undefined> {
    const rows = await this.session.rows('get config file', CONFIG_SQL.getFile, [key.namespace, key.group, key.name]);
    return rows.length === 0 ? undefined : fileFromRow(rows[0]);
  }

  async listFiles(namespace: string, group?: string): Promise<ConfigFile[]> {
    const rows = group === undefined
      ? await this.session.rows('list config files', CONFIG_SQL.listFilesOfNs, [namespace])
      : await this.session.rows('list config files', CONFIG_SQL.listFilesOfGroup, [namespace, group]);
    return rows.map(fileFromRow);
  }

  async createFile(f: ConfigFile): Promise<ConfigFile> {
    const what = `create config file ${f.namespace}/${f.group}/${f.name}`;
    const w = this.w(what);
    const now = w.now();
    const res = await this.session.write(what, FILE, CONFIG_SQL.createFile, [
      f.namespace, f.group, f.name, f.content, f.format, f.comment, tagsText(f.tags), f.encryptAlgo, f.dataKey, f.md5,
      f.createBy, f.modifyBy, now, now, w.marker,
    ]);
    return { ...f, id: insertedId(res, what), ctime: now, mtime: now };
  }

  async updateFile(f: ConfigFile): Promise<void> {
    const what = `update config file ${f.namespace}/${f.group}/${f.name}`;
    const w = this.w(what);
    const res = await this.session.write(what, FILE, CONFIG_SQL.updateFile, [
      f.content, f.format, f.comment, tagsText(f.tags), f.encryptAlgo, f.dataKey, f.md5, f.modifyBy, w.now(), w.marker,
      f.namespace, f.group, f.name,
    ]);
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `config file ${f.namespace}/${f.group}/${f.name}`);
  }

  async deleteFile(key: ConfigFileKey): Promise<boolean> {
    const what = `delete config file ${key.namespace}/${key.group}/${key.name}`;
    const w = this.w(what);
    const res = await this.session.write(what, FILE, CONFIG_SQL.deleteFile, [w.now(), w.marker, key.namespace, key.group, key.name]);
    return res.affectedRows > 0;
  }

  // ---- releases ----

  async getRelease(file: ConfigFileKey, releaseName: string): Promise<ConfigRelease | undefined> {
    const what = 'get config release';
    const locked = await this.lockFile(what, file);
    const rows = await this.session.rows(what, locked ? CONFIG_SQL.getReleaseLocked : CONFIG_SQL.getRelease, [
      file.namespace, file.group, file.name, releaseName,
    ]);
    return rows.length === 0 ? undefined : releaseFromRow(rows[0]);
  }

  async listReleases(file: ConfigFileKey): Promise<ConfigRelease[]> {
    const what = 'list config releases';
    const locked = await this.lockFile(what, file);
    const rows = await this.session.rows(what, locked ? CONFIG_SQL.listReleasesLocked : CONFIG_SQL.listReleases, [
      file.namespace, file.group, file.name,
    ]);
    return rows.map(releaseFromRow);
  }

  async countActiveReleasesInGroup(namespace: string, group: string): Promise<number> {
    const rows = await this.session.rows('count active releases', CONFIG_SQL.countActiveInGroup, [namespace, group]);
    return num(rows[0]?.[0]);
  }

  /**
   * One more than the counter and than any release row of the file. The counter row stays locked
   * until the transaction ends, and saveRelease raises it under the same lock, so every committed
   * release version is at or below the counter read here: two nodes never hand out one version.
   */
  async nextReleaseVersion(file: ConfigFileKey): Promise<number> {
    const what = `next release version of ${file.namespace}/${file.group}/${file.name}`;
    this.w(what);
    const k = [file.namespace, file.group, file.name];
    await this.plainWrite(what, CONFIG_SQL.bumpVersionCounter, k);
    const counter = num((await this.session.rows(what, CONFIG_SQL.versionCounter, k))[0]?.[0]);
    const max = num((await this.session.rows(what, CONFIG_SQL.maxReleaseVersion, k))[0]?.[0]);
    if (max < counter) return counter;
    await this.plainWrite(what, CONFIG_SQL.setVersionCounter, [max + 1, ...k]);
    return max + 1;
  }

  async saveRelease(r: ConfigRelease): Promise<ConfigRelease> {
    const what = `save config release ${r.namespace}/${r.group}/${r.fileName}/${r.name}`;
    const w = this.w(what);
    const now = w.now();
    await this.plainWrite(what, CONFIG_SQL.raiseVersionCounter, [r.namespace, r.group, r.fileName, r.version]);
    const body = [
      r.name, r.content, r.format, r.comment, r.md5, r.version, tagsText(r.tags), r.encryptAlgo, r.dataKey,
      r.active ? 1 : 0, r.releaseType, labelsText(r.betaLabels), r.releaseDescription,
    ];
    if (!r.id) {
      const res = await this.session.write(what, RELEASE, CONFIG_SQL.createRelease, [
        r.namespace, r.group, r.fileName, ...body, r.createBy, r.modifyBy, now, now, w.marker,
      ]);
      return { ...r, id: insertedId(res, what), ctime: now, mtime: now };
    }
    const res = await this.session.write(what, RELEASE, CONFIG_SQL.updateRelease, [...body, r.modifyBy, now, w.marker, r.id]);
    if (res.affectedRows === 0) throw new PolarisError(Code.NotFoundResource, `config release id ${r.id}`);
    const rows = await this.session.rows(what, CONFIG_SQL.releaseCtime, [r.id]);
    return { ...r, ctime: num(rows[0]?.[0]), mtime: now };
  }

  async deleteRelease(file: ConfigFileKey, releaseName: string): Promise<boolean> {
    const what = `delete config release ${file.namespace}/${file.group}/${file.name}/${releaseName}`;
    const w = this.w(what);
    const res = await this.session.write(what, RELEASE, CONFIG_SQL.deleteRelease, [
      w.now(), w.marker, file.namespace, file.group, file.name, releaseName,
    ]);
    return res.affectedRows > 0;
  }

  // ---- history and templates ----

  async addReleaseHistory(h: ReleaseHistory): Promise<ReleaseHistory> {
    const what = `add release history ${h.namespace}/${h.group}/${h.fileName}`;
    const w = this.w(what);
    const now = w.now();
    const res = await this.plainWrite(what, CONFIG_SQL.addHistory, [
      h.namespace, h.group, h.fileName, h.name, h.content, h.format, h.comment, h.md5, h.version, h.type, h.status,
      h.reason, tagsText(h.tags), h.encryptAlgo, h.dataKey, h.releaseDescription, h.createBy, h.modifyBy, now, now,
    ]);
    return { ...h, id: insertedId(res, what), ctime: now, mtime: now };
  }

  async getTemplate(name: string): Promise<ConfigTemplate | undefined> {
    const rows = await this.session.rows('get config template', CONFIG_SQL.getTemplate, [name]);
    return rows.length === 0 ? undefined : templateFromRow(rows[0]);
  }

  async createTemplate(t: ConfigTemplate): Promise<ConfigTemplate> {
    const what = `create config template ${t.name}`;
    const w = this.w(what);
    const now = w.now();
    const res = await this.plainWrite(what, CONFIG_SQL.createTemplate, [
      t.name, t.content, t.format, t.comment, t.createBy, t.modifyBy, now, now,
    ]);
    return { ...t, id: insertedId(res, what), ctime: now, mtime: now };
  }

  // ---- plumbing ----

  /**
   * Inside a write transaction: locks the file's release set until the transaction ends (its
   * version-counter row, exclusively) and resolves true; outside one resolves false. The SQLite
   * store runs one write transaction at a time, so a publish, rollback or release delete reads the
   * releases it then deactivates or replaces without interference; here transactions of many nodes
   * run side by side, and without this two publishes of one file that both read the releases
   * before either committed would each leave their own release active. With the lock they queue
   * per file, and the locking reads that follow see every release committed before.
   */
  private async lockFile(what: string, file: ConfigFileKey): Promise<boolean> {
    if (!this.writeCtx) return false;
    await this.plainWrite(what, CONFIG_SQL.lockFile, [file.namespace, file.group, file.name]);
    return true;
  }

  /**
   * A write of a table outside the change feed (no `seq`): through `session.rows`, which runs it
   * on the transaction's connection without marking the table for the re-stamp. Only reached with
   * a WriteContext (callers check `w()` first), so the session is a transaction's.
   */
  private async plainWrite(what: string, sql: string, values: unknown[]): Promise<ResultSetHeader> {
    return (await this.session.rows(what, sql, values)) as unknown as ResultSetHeader;
  }

  private w(what: string): WriteContext {
    if (!this.writeCtx) throw new StoreError(`${what}: write outside a transaction`);
    return this.writeCtx;
  }
}
