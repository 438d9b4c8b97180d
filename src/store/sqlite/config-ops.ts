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
  FILE_COLUMNS,
  GROUP_COLUMNS,
  HISTORY_COLUMNS,
  RELEASE_COLUMNS,
  TEMPLATE_COLUMNS,
  fileFromRow,
  groupFromRow,
  historyFromRow,
  labelsText,
  releaseFromRow,
  tagsText,
  templateFromRow,
} from './config-rows.js';
import { toStoreError } from './sqlite-errors.js';
import type { SqliteOps, WriteContext } from './sqlite-ops.js';
import type { StatementCache } from './statement-cache.js';

type Row = Record<string, unknown>;

const FILE_WHERE = 'namespace = ? AND grp = ? AND file_name = ?';

export const CONFIG_SQL = {
  getGroup: `SELECT ${GROUP_COLUMNS} FROM config_group WHERE namespace = ? AND name = ? AND deleted = 0`,
  listGroups: `SELECT ${GROUP_COLUMNS} FROM config_group WHERE deleted = 0 ORDER BY id`,
  listGroupsOfNs: `SELECT ${GROUP_COLUMNS} FROM config_group WHERE namespace = ? AND deleted = 0 ORDER BY id`,
  createGroup: `INSERT INTO config_group (namespace, name, comment, owner, business, department, metadata, create_by,
    modify_by, ctime, mtime, seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
  updateGroup: `UPDATE config_group SET comment = ?, owner = ?, business = ?, department = ?, metadata = ?, modify_by = ?,
    mtime = ?, seq = ? WHERE namespace = ? AND name = ? AND deleted = 0`,
  deleteGroup: `UPDATE config_group SET deleted = 1, mtime = ?, seq = ? WHERE namespace = ? AND name = ? AND deleted = 0`,
  countFiles: `SELECT COUNT(*) FROM config_file WHERE namespace = ? AND grp = ? AND deleted = 0`,

  getFile: `SELECT ${FILE_COLUMNS} FROM config_file WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,
  listFilesOfNs: `SELECT ${FILE_COLUMNS} FROM config_file WHERE namespace = ? AND deleted = 0 ORDER BY id`,
  listFilesOfGroup: `SELECT ${FILE_COLUMNS} FROM config_file WHERE namespace = ? AND grp = ? AND deleted = 0 ORDER BY id`,
  createFile: `INSERT INTO config_file (namespace, grp, name, content, format, comment, tags, encrypt_algo, data_key, md5,
    create_by, modify_by, ctime, mtime, seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
  updateFile: `UPDATE config_file SET content = ?, format = ?, comment = ?, tags = ?, encrypt_algo = ?, data_key = ?, md5 = ?,
    modify_by = ?, mtime = ?, seq = ? WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,
  deleteFile: `UPDATE config_file SET deleted = 1, mtime = ?, seq = ? WHERE namespace = ? AND grp = ? AND name = ? AND deleted = 0`,

  getRelease: `SELECT ${RELEASE_COLUMNS} FROM config_release WHERE ${FILE_WHERE} AND name = ? AND deleted = 0`,
  listReleases: `SELECT ${RELEASE_COLUMNS} FROM config_release WHERE ${FILE_WHERE} AND deleted = 0 ORDER BY version DESC, id DESC`,
  countActiveInGroup: `SELECT COUNT(*) FROM config_release WHERE namespace = ? AND grp = ? AND active = 1 AND deleted = 0`,
  maxReleaseVersion: `SELECT MAX(version) FROM config_release WHERE ${FILE_WHERE}`,
  versionCounter: `SELECT version FROM config_release_version WHERE ${FILE_WHERE}`,
  setVersionCounter: `INSERT INTO config_release_version (namespace, grp, file_name, version) VALUES (?, ?, ?, ?)
    ON CONFLICT (namespace, grp, file_name) DO UPDATE SET version = excluded.version`,
  raiseVersionCounter: `INSERT INTO config_release_version (namespace, grp, file_name, version) VALUES (?, ?, ?, ?)
    ON CONFLICT (namespace, grp, file_name) DO UPDATE SET version = MAX(version, excluded.version)`,
  createRelease: `INSERT INTO config_release (namespace, grp, file_name, name, content, format, comment, md5, version, tags,
    encrypt_algo, data_key, active, release_type, beta_labels, release_description, create_by, modify_by, ctime, mtime,
    seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id, ctime`,
  updateRelease: `UPDATE config_release SET name = ?, content = ?, format = ?, comment = ?, md5 = ?, version = ?, tags = ?,
    encrypt_algo = ?, data_key = ?, active = ?, release_type = ?, beta_labels = ?, release_description = ?, modify_by = ?,
    mtime = ?, seq = ? WHERE id = ? AND deleted = 0 RETURNING ctime`,
  deleteRelease: `UPDATE config_release SET deleted = 1, active = 0, mtime = ?, seq = ?
    WHERE ${FILE_WHERE} AND name = ? AND deleted = 0`,

  addHistory: `INSERT INTO config_release_history (namespace, grp, file_name, name, content, format, comment, md5, version,
    type, status, reason, tags, encrypt_algo, data_key, release_description, create_by, modify_by, ctime, mtime)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  getTemplate: `SELECT ${TEMPLATE_COLUMNS} FROM config_template WHERE name = ?`,
  listTemplates: `SELECT ${TEMPLATE_COLUMNS} FROM config_template ORDER BY id`,
  createTemplate: `INSERT INTO config_template (name, content, format, comment, create_by, modify_by, ctime, mtime)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  historyColumns: HISTORY_COLUMNS,
} as const;

/**
 * ConfigWrites over one connection. With a WriteContext it is a write transaction's handle (write
 * connection inside BEGIN IMMEDIATE, sharing the transaction's change sequence with `naming`);
 * without one it only reads. Ended handles reject with StoreError.
 */
export class SqliteConfigOps implements ConfigWrites {
  private ended = false;

  constructor(
    private readonly conn: StatementCache,
    private readonly writeCtx: WriteContext | null,
    private readonly naming: SqliteOps,
  ) {}

  end(): void {
    this.ended = true;
    this.naming.end();
  }

  // ---- namespaces ----

  async getNamespace(name: string): Promise<Namespace | undefined> {
    this.assertLive('get namespace');
    return this.naming.getNamespace(name);
  }

  async createNamespace(ns: Namespace): Promise<void> {
    this.assertLive('create namespace');
    if (!this.writeCtx) throw new StoreError('create namespace: write on the read-only connection');
    return this.naming.createNamespace(ns);
  }

  // ---- groups ----

  async getGroup(namespace: string, name: string): Promise<ConfigGroup | undefined> {
    return this.run('get config group', (c) => {
      const row = c.prep(CONFIG_SQL.getGroup).get(namespace, name) as Row | undefined;
      return row ? groupFromRow(row) : undefined;
    });
  }

  async listGroups(namespace?: string): Promise<ConfigGroup[]> {
    return this.run('list config groups', (c) => {
      const rows = (namespace === undefined
        ? c.prep(CONFIG_SQL.listGroups).all()
        : c.prep(CONFIG_SQL.listGroupsOfNs).all(namespace)) as Row[];
      return rows.map(groupFromRow);
    });
  }

  async createGroup(g: ConfigGroup): Promise<ConfigGroup> {
    return this.write(`create config group ${g.namespace}/${g.name}`, (c, w) => {
      const now = w.now();
      const row = c.prep(CONFIG_SQL.createGroup).get(g.namespace, g.name, g.comment, g.owner, g.business, g.department,
        JSON.stringify(g.metadata ?? {}), g.createBy, g.modifyBy, now, now, w.seq()) as { id: number };
      return { ...g, id: row.id, ctime: now, mtime: now };
    });
  }

  async updateGroup(g: ConfigGroup): Promise<void> {
    this.write(`update config group ${g.namespace}/${g.name}`, (c, w) => {
      const info = c.prep(CONFIG_SQL.updateGroup).run(g.comment, g.owner, g.business, g.department,
        JSON.stringify(g.metadata ?? {}), g.modifyBy, w.now(), w.seq(), g.namespace, g.name);
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `config group ${g.namespace}/${g.name}`);
    });
  }

  async deleteGroup(namespace: string, name: string): Promise<boolean> {
    return this.write('delete config group', (c, w) => c.prep(CONFIG_SQL.deleteGroup).run(w.now(), w.seq(), namespace, name).changes > 0);
  }

  async countFilesInGroup(namespace: string, name: string): Promise<number> {
    return this.run('count config files', (c) => c.pluck(CONFIG_SQL.countFiles).get(namespace, name) as number);
  }

  // ---- files ----

  async getFile(key: ConfigFileKey): Promise<ConfigFile | undefined> {
    return this.run('get config file', (c) => {
      const row = c.prep(CONFIG_SQL.getFile).get(key.namespace, key.group, key.name) as Row | undefined;
      return row ? fileFromRow(row) : undefined;
    });
  }

  async listFiles(namespace: string, group?: string): Promise<ConfigFile[]> {
    return this.run('list config files', (c) => {
      const rows = (group === undefined
        ? c.prep(CONFIG_SQL.listFilesOfNs).all(namespace)
        : c.prep(CONFIG_SQL.listFilesOfGroup).all(namespace, group)) as Row[];
      return rows.map(fileFromRow);
    });
  }

  async createFile(f: ConfigFile): Promise<ConfigFile> {
    return this.write(`create config file ${f.namespace}/${f.group}/${f.name}`, (c, w) => {
      const now = w.now();
      const row = c.prep(CONFIG_SQL.createFile).get(f.namespace, f.group, f.name, f.content, f.format, f.comment,
        tagsText(f.tags), f.encryptAlgo, f.dataKey, f.md5, f.createBy, f.modifyBy, now, now, w.seq()) as { id: number };
      return { ...f, id: row.id, ctime: now, mtime: now };
    });
  }

  async updateFile(f: ConfigFile): Promise<void> {
    this.write(`update config file ${f.namespace}/${f.group}/${f.name}`, (c, w) => {
      const info = c.prep(CONFIG_SQL.updateFile).run(f.content, f.format, f.comment, tagsText(f.tags), f.encryptAlgo,
        f.dataKey, f.md5, f.modifyBy, w.now(), w.seq(), f.namespace, f.group, f.name);
      if (info.changes === 0) throw new PolarisError(Code.NotFoundResource, `config file ${f.namespace}/${f.group}/${f.name}`);
    });
  }

  async deleteFile(key: ConfigFileKey): Promise<boolean> {
    return this.write('delete config file', (c, w) =>
      c.prep(CONFIG_SQL.deleteFile).run(w.now(), w.seq(), key.namespace, key.group, key.name).changes > 0);
  }

  // ---- releases ----

  async getRelease(file: ConfigFileKey, releaseName: string): Promise<ConfigRelease | undefined> {
    return this.run('get config release', (c) => {
      const row = c.prep(CONFIG_SQL.getRelease).get(file.namespace, file.group, file.name, releaseName) as Row | undefined;
      return row ? releaseFromRow(row) : undefined;
    });
  }

  async listReleases(file: ConfigFileKey): Promise<ConfigRelease[]> {
    return this.run('list config releases', (c) =>
      (c.prep(CONFIG_SQL.listReleases).all(file.namespace, file.group, file.name) as Row[]).map(releaseFromRow));
  }

  async countActiveReleasesInGroup(namespace: string, group: string): Promise<number> {
    return this.run('count active releases', (c) => c.pluck(CONFIG_SQL.countActiveInGroup).get(namespace, group) as number);
  }

  async nextReleaseVersion(file: ConfigFileKey): Promise<number> {
    return this.write('next release version', (c) => {
      const k = [file.namespace, file.group, file.name];
      const counter = Number(c.pluck(CONFIG_SQL.versionCounter).get(...k) ?? 0);
      const max = Number(c.pluck(CONFIG_SQL.maxReleaseVersion).get(...k) ?? 0);
      const next = Math.max(counter, max) + 1;
      c.prep(CONFIG_SQL.setVersionCounter).run(...k, next);
      return next;
    });
  }

  async saveRelease(r: ConfigRelease): Promise<ConfigRelease> {
    return this.write(`save config release ${r.namespace}/${r.group}/${r.fileName}/${r.name}`, (c, w) => {
      const now = w.now();
      c.prep(CONFIG_SQL.raiseVersionCounter).run(r.namespace, r.group, r.fileName, r.version);
      if (!r.id) {
        const row = c.prep(CONFIG_SQL.createRelease).get(r.namespace, r.group, r.fileName, r.name, r.content, r.format,
          r.comment, r.md5, r.version, tagsText(r.tags), r.encryptAlgo, r.dataKey, r.active ? 1 : 0, r.releaseType,
          labelsText(r.betaLabels), r.releaseDescription, r.createBy, r.modifyBy, now, now, w.seq()) as { id: number };
        return { ...r, id: row.id, ctime: now, mtime: now };
      }
      const row = c.prep(CONFIG_SQL.updateRelease).get(r.name, r.content, r.format, r.comment, r.md5, r.version,
        tagsText(r.tags), r.encryptAlgo, r.dataKey, r.active ? 1 : 0, r.releaseType, labelsText(r.betaLabels),
        r.releaseDescription, r.modifyBy, now, w.seq(), r.id) as { ctime: number } | undefined;
      if (!row) throw new PolarisError(Code.NotFoundResource, `config release id ${r.id}`);
      return { ...r, ctime: row.ctime, mtime: now };
    });
  }

  async deleteRelease(file: ConfigFileKey, releaseName: string): Promise<boolean> {
    return this.write('delete config release', (c, w) =>
      c.prep(CONFIG_SQL.deleteRelease).run(w.now(), w.seq(), file.namespace, file.group, file.name, releaseName).changes > 0);
  }

  // ---- history and templates ----

  async addReleaseHistory(h: ReleaseHistory): Promise<ReleaseHistory> {
    return this.write('add release history', (c, w) => {
      const now = w.now();
      const row = c.prep(CONFIG_SQL.addHistory).get(h.namespace, h.group, h.fileName, h.name, h.content, h.format,
        h.comment, h.md5, h.version, h.type, h.status, h.reason, tagsText(h.tags), h.encryptAlgo, h.dataKey,
        h.releaseDescription, h.createBy, h.modifyBy, now, now) as { id: number };
      return { ...h, id: row.id, ctime: now, mtime: now };
    });
  }

  async getTemplate(name: string): Promise<ConfigTemplate | undefined> {
    return this.run('get config template', (c) => {
      const row = c.prep(CONFIG_SQL.getTemplate).get(name) as Row | undefined;
      return row ? templateFromRow(row) : undefined;
    });
  }

  async createTemplate(t: ConfigTemplate): Promise<ConfigTemplate> {
    return this.write(`create config template ${t.name}`, (c, w) => {
      const now = w.now();
      const row = c.prep(CONFIG_SQL.createTemplate).get(t.name, t.content, t.format, t.comment, t.createBy, t.modifyBy,
        now, now) as { id: number };
      return { ...t, id: row.id, ctime: now, mtime: now };
    });
  }

  listHistoryRows(sql: string, params: unknown[]): ReleaseHistory[] {
    return this.run('list release history', (c) => (c.prep(sql).all(...params) as Row[]).map(historyFromRow));
  }

  countRows(sql: string, params: unknown[]): number {
    return this.run('count release history', (c) => Number(c.pluck(sql).get(...params) ?? 0));
  }

  listTemplateRows(): ConfigTemplate[] {
    return this.run('list config templates', (c) => (c.prep(CONFIG_SQL.listTemplates).all() as Row[]).map(templateFromRow));
  }

  // ---- plumbing ----

  private assertLive(what: string): void {
    if (this.ended) throw new StoreError(`${what}: transaction already finished`);
  }

  private run<T>(what: string, fn: (c: StatementCache) => T): T {
    this.assertLive(what);
    try {
      return fn(this.conn);
    } catch (err) {
      throw toStoreError(err, what);
    }
  }

  private write<T>(what: string, fn: (c: StatementCache, w: WriteContext) => T): T {
    const w = this.writeCtx;
    if (!w) throw new StoreError(`${what}: write on the read-only connection`);
    return this.run(what, (c) => fn(c, w));
  }
}
