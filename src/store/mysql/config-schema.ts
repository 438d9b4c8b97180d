import type { Migration } from './migrations.js';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/**
 * The config-center migration of the MySQL store (ConfigStore, src/store/config-api.ts): the same
 * six tables as the SQLite store (src/store/sqlite/config-schema.ts), with the conventions of every
 * change-feed table (see migrations.ts). Idempotent statements, like every MySQL migration.
 *
 * - `config_group`, `config_file`, `config_release`: the change feed (seq / deleted tombstones).
 *   MySQL has no partial unique index: as for `service`, the generated column `live` is 1 for a
 *   live row and NULL for a tombstone, so only live names are unique and tombstones never block a
 *   re-creation. Ids are AUTO_INCREMENT (persistent in InnoDB), so they are never reused.
 * - `config_release_version`: the highest release version ever handed out per file; never purged,
 *   so versions never go back. Its row is the lock that serialises version reservations of one file
 *   across every node of the cluster.
 * - `config_release_history` (append-only) and `config_template`: not part of the change feed,
 *   no `seq` (they are written outside the transaction's re-stamp, see config-ops.ts).
 *
 * Widths: namespaces are at most 64 characters and group names 128 (the config center checks
 * both); file names get 200 and release names 300 (a generated release name is the file name plus
 * `-<unix seconds>-<n>`), keeping the widest unique key, (namespace, grp, file_name, name, live),
 * under InnoDB's 3072-byte limit in utf8mb4. Free text is TEXT / MEDIUMTEXT.
 *
 * Version 4 of the MySQL store (appended in migrations.ts; never renumbered).
 */
export const CONFIG_MIGRATION: Migration = {
  version: 4,
  name: 'config center',
  statements: [
    `CREATE TABLE IF NOT EXISTS config_group (
       id BIGINT NOT NULL AUTO_INCREMENT,
       namespace VARCHAR(128) NOT NULL,
       name VARCHAR(128) NOT NULL,
       comment TEXT NOT NULL,
       owner TEXT NOT NULL,
       business TEXT NOT NULL,
       department TEXT NOT NULL,
       metadata MEDIUMTEXT NOT NULL,
       create_by TEXT NOT NULL,
       modify_by TEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
       PRIMARY KEY (id),
       UNIQUE KEY config_group_live_name (namespace, name, live),
       KEY config_group_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS config_file (
       id BIGINT NOT NULL AUTO_INCREMENT,
       namespace VARCHAR(128) NOT NULL,
       grp VARCHAR(128) NOT NULL,
       name VARCHAR(200) NOT NULL,
       content MEDIUMTEXT NOT NULL,
       format VARCHAR(255) NOT NULL,
       comment TEXT NOT NULL,
       tags MEDIUMTEXT NOT NULL,
       encrypt_algo VARCHAR(128) NOT NULL,
       data_key TEXT NOT NULL,
       md5 VARCHAR(128) NOT NULL,
       create_by TEXT NOT NULL,
       modify_by TEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
       PRIMARY KEY (id),
       UNIQUE KEY config_file_live_name (namespace, grp, name, live),
       KEY config_file_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS config_release (
       id BIGINT NOT NULL AUTO_INCREMENT,
       namespace VARCHAR(128) NOT NULL,
       grp VARCHAR(128) NOT NULL,
       file_name VARCHAR(200) NOT NULL,
       name VARCHAR(300) NOT NULL,
       content MEDIUMTEXT NOT NULL,
       format VARCHAR(255) NOT NULL,
       comment TEXT NOT NULL,
       md5 VARCHAR(128) NOT NULL,
       version BIGINT NOT NULL,
       tags MEDIUMTEXT NOT NULL,
       encrypt_algo VARCHAR(128) NOT NULL,
       data_key TEXT NOT NULL,
       active TINYINT NOT NULL,
       release_type VARCHAR(32) NOT NULL,
       beta_labels MEDIUMTEXT NOT NULL,
       release_description TEXT NOT NULL,
       create_by TEXT NOT NULL,
       modify_by TEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
       PRIMARY KEY (id),
       UNIQUE KEY config_release_live_name (namespace, grp, file_name, name, live),
       KEY config_release_file (namespace, grp, file_name, version),
       KEY config_release_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS config_release_version (
       namespace VARCHAR(128) NOT NULL,
       grp VARCHAR(128) NOT NULL,
       file_name VARCHAR(200) NOT NULL,
       version BIGINT NOT NULL,
       PRIMARY KEY (namespace, grp, file_name)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS config_release_history (
       id BIGINT NOT NULL AUTO_INCREMENT,
       namespace VARCHAR(128) NOT NULL,
       grp VARCHAR(128) NOT NULL,
       file_name VARCHAR(200) NOT NULL,
       name VARCHAR(300) NOT NULL,
       content MEDIUMTEXT NOT NULL,
       format VARCHAR(255) NOT NULL,
       comment TEXT NOT NULL,
       md5 VARCHAR(128) NOT NULL,
       version BIGINT NOT NULL,
       type VARCHAR(64) NOT NULL,
       status VARCHAR(64) NOT NULL,
       reason TEXT NOT NULL,
       tags MEDIUMTEXT NOT NULL,
       encrypt_algo VARCHAR(128) NOT NULL,
       data_key TEXT NOT NULL,
       release_description TEXT NOT NULL,
       create_by TEXT NOT NULL,
       modify_by TEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       PRIMARY KEY (id),
       KEY config_release_history_ns (namespace, id)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS config_template (
       id BIGINT NOT NULL AUTO_INCREMENT,
       name VARCHAR(255) NOT NULL,
       content MEDIUMTEXT NOT NULL,
       format VARCHAR(255) NOT NULL,
       comment TEXT NOT NULL,
       create_by TEXT NOT NULL,
       modify_by TEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       PRIMARY KEY (id),
       UNIQUE KEY config_template_name (name)
     ) ${TABLE_OPTIONS}`,
  ],
};
