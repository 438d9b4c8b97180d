import type { Migration } from './migrations.js';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/**
 * The auth migration of the MySQL store: users, user groups and strategies, with the conventions
 * of every change-feed table (seq, deleted, epoch-ms times from the writing node, JSON text for
 * lists and maps; see migrations.ts). Idempotent statements, like every MySQL migration.
 *
 * A live (owner, name) is unique for users and for groups; tombstones never block a name. MySQL
 * has no partial unique index, so, as for services, the generated column `live` is 1 for a live
 * row and NULL for a tombstone, and NULLs never clash in a unique key. The (owner, name, live) key
 * also serves lookups by name and the count of an owner's sub-accounts.
 *
 * Version 2 of the MySQL store (appended in migrations.ts; never renumbered).
 */
export const AUTH_MIGRATION: Migration = {
  version: 2,
  name: 'auth: users, groups, strategies',
  statements: [
    `CREATE TABLE IF NOT EXISTS auth_user (
       id VARCHAR(128) NOT NULL,
       name VARCHAR(128) NOT NULL,
       password VARCHAR(1024) NOT NULL,
       owner VARCHAR(128) NOT NULL,
       source VARCHAR(128) NOT NULL,
       token VARCHAR(1024) NOT NULL,
       token_enable TINYINT NOT NULL,
       user_type INT NOT NULL,
       comment TEXT NOT NULL,
       mobile VARCHAR(128) NOT NULL,
       email VARCHAR(1024) NOT NULL,
       metadata MEDIUMTEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
       PRIMARY KEY (id),
       UNIQUE KEY auth_user_live_name (owner, name, live),
       KEY auth_user_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS auth_group (
       id VARCHAR(128) NOT NULL,
       name VARCHAR(128) NOT NULL,
       owner VARCHAR(128) NOT NULL,
       token VARCHAR(1024) NOT NULL,
       token_enable TINYINT NOT NULL,
       comment TEXT NOT NULL,
       source VARCHAR(128) NOT NULL,
       metadata MEDIUMTEXT NOT NULL,
       user_ids MEDIUMTEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
       PRIMARY KEY (id),
       UNIQUE KEY auth_group_live_name (owner, name, live),
       KEY auth_group_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS auth_strategy (
       id VARCHAR(128) NOT NULL,
       name VARCHAR(255) NOT NULL,
       action VARCHAR(32) NOT NULL,
       comment TEXT NOT NULL,
       owner VARCHAR(128) NOT NULL,
       is_default TINYINT NOT NULL,
       source VARCHAR(128) NOT NULL,
       metadata MEDIUMTEXT NOT NULL,
       functions MEDIUMTEXT NOT NULL,
       resource_labels MEDIUMTEXT NOT NULL,
       principals MEDIUMTEXT NOT NULL,
       resources MEDIUMTEXT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       PRIMARY KEY (id),
       KEY auth_strategy_seq (seq)
     ) ${TABLE_OPTIONS}`,
  ],
};
