import type { Migration } from './migrations.js';

/**
 * Schema of the config center (ConfigStore, src/store/config-api.ts): migration version 2.
 * Same conventions as the naming tables (seq / deleted tombstones / epoch-ms times / JSON text for
 * maps and lists). Ids are AUTOINCREMENT so they are never reused after a purge. `grp` holds the
 * group name (GROUP is an SQL keyword). A live name is unique; tombstones never block re-creation.
 */
export const CONFIG_MIGRATION: Migration = {
  version: 2,
  name: 'config center schema',
  statements: [
    `CREATE TABLE config_group (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       namespace TEXT NOT NULL,
       name TEXT NOT NULL,
       comment TEXT NOT NULL DEFAULT '',
       owner TEXT NOT NULL DEFAULT '',
       business TEXT NOT NULL DEFAULT '',
       department TEXT NOT NULL DEFAULT '',
       metadata TEXT NOT NULL DEFAULT '{}',
       create_by TEXT NOT NULL DEFAULT '',
       modify_by TEXT NOT NULL DEFAULT '',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     )`,
    `CREATE UNIQUE INDEX config_group_live_name ON config_group (namespace, name) WHERE deleted = 0`,
    `CREATE INDEX config_group_seq ON config_group (seq)`,

    `CREATE TABLE config_file (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       namespace TEXT NOT NULL,
       grp TEXT NOT NULL,
       name TEXT NOT NULL,
       content TEXT NOT NULL DEFAULT '',
       format TEXT NOT NULL DEFAULT '',
       comment TEXT NOT NULL DEFAULT '',
       tags TEXT NOT NULL DEFAULT '{}',
       encrypt_algo TEXT NOT NULL DEFAULT '',
       data_key TEXT NOT NULL DEFAULT '',
       md5 TEXT NOT NULL DEFAULT '',
       create_by TEXT NOT NULL DEFAULT '',
       modify_by TEXT NOT NULL DEFAULT '',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     )`,
    `CREATE UNIQUE INDEX config_file_live_name ON config_file (namespace, grp, name) WHERE deleted = 0`,
    `CREATE INDEX config_file_seq ON config_file (seq)`,

    `CREATE TABLE config_release (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       namespace TEXT NOT NULL,
       grp TEXT NOT NULL,
       file_name TEXT NOT NULL,
       name TEXT NOT NULL,
       content TEXT NOT NULL DEFAULT '',
       format TEXT NOT NULL DEFAULT '',
       comment TEXT NOT NULL DEFAULT '',
       md5 TEXT NOT NULL DEFAULT '',
       version INTEGER NOT NULL,
       tags TEXT NOT NULL DEFAULT '{}',
       encrypt_algo TEXT NOT NULL DEFAULT '',
       data_key TEXT NOT NULL DEFAULT '',
       active INTEGER NOT NULL DEFAULT 0,
       release_type TEXT NOT NULL DEFAULT 'full',
       beta_labels TEXT NOT NULL DEFAULT '[]',
       release_description TEXT NOT NULL DEFAULT '',
       create_by TEXT NOT NULL DEFAULT '',
       modify_by TEXT NOT NULL DEFAULT '',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     )`,
    `CREATE UNIQUE INDEX config_release_live_name ON config_release (namespace, grp, file_name, name) WHERE deleted = 0`,
    `CREATE INDEX config_release_file ON config_release (namespace, grp, file_name)`,
    `CREATE INDEX config_release_seq ON config_release (seq)`,

    // The highest version ever handed out per file; never purged, so versions never go back.
    `CREATE TABLE config_release_version (
       namespace TEXT NOT NULL,
       grp TEXT NOT NULL,
       file_name TEXT NOT NULL,
       version INTEGER NOT NULL,
       PRIMARY KEY (namespace, grp, file_name)
     ) WITHOUT ROWID`,

    // Append-only; not part of the change feed.
    `CREATE TABLE config_release_history (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       namespace TEXT NOT NULL,
       grp TEXT NOT NULL,
       file_name TEXT NOT NULL,
       name TEXT NOT NULL DEFAULT '',
       content TEXT NOT NULL DEFAULT '',
       format TEXT NOT NULL DEFAULT '',
       comment TEXT NOT NULL DEFAULT '',
       md5 TEXT NOT NULL DEFAULT '',
       version INTEGER NOT NULL DEFAULT 0,
       type TEXT NOT NULL DEFAULT '',
       status TEXT NOT NULL DEFAULT '',
       reason TEXT NOT NULL DEFAULT '',
       tags TEXT NOT NULL DEFAULT '{}',
       encrypt_algo TEXT NOT NULL DEFAULT '',
       data_key TEXT NOT NULL DEFAULT '',
       release_description TEXT NOT NULL DEFAULT '',
       create_by TEXT NOT NULL DEFAULT '',
       modify_by TEXT NOT NULL DEFAULT '',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL
     )`,
    `CREATE INDEX config_release_history_ns ON config_release_history (namespace, id)`,

    // Global templates; not part of the change feed (read from the store).
    `CREATE TABLE config_template (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       name TEXT NOT NULL UNIQUE,
       content TEXT NOT NULL DEFAULT '',
       format TEXT NOT NULL DEFAULT '',
       comment TEXT NOT NULL DEFAULT '',
       create_by TEXT NOT NULL DEFAULT '',
       modify_by TEXT NOT NULL DEFAULT '',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL
     )`,
  ],
};
