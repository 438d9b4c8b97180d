import type { Migration } from './migrations.js';

/**
 * Migration 4: users, user groups and strategies (the auth tables). Same conventions as every data
 * table of the store (seq, deleted, epoch-ms times, JSON text for lists and maps). A live
 * (owner, name) is unique for users and for groups; tombstones never block a name.
 */
export const AUTH_MIGRATION: Migration = {
  version: 4,
  name: 'auth: users, groups, strategies',
  statements: [
    `CREATE TABLE auth_user (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       password TEXT NOT NULL DEFAULT '',
       owner TEXT NOT NULL DEFAULT '',
       source TEXT NOT NULL DEFAULT '',
       token TEXT NOT NULL DEFAULT '',
       token_enable INTEGER NOT NULL DEFAULT 1,
       user_type INTEGER NOT NULL,
       comment TEXT NOT NULL DEFAULT '',
       mobile TEXT NOT NULL DEFAULT '',
       email TEXT NOT NULL DEFAULT '',
       metadata TEXT NOT NULL DEFAULT '{}',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     ) WITHOUT ROWID`,
    `CREATE UNIQUE INDEX auth_user_live_name ON auth_user (owner, name) WHERE deleted = 0`,
    `CREATE INDEX auth_user_seq ON auth_user (seq)`,

    `CREATE TABLE auth_group (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       owner TEXT NOT NULL DEFAULT '',
       token TEXT NOT NULL DEFAULT '',
       token_enable INTEGER NOT NULL DEFAULT 1,
       comment TEXT NOT NULL DEFAULT '',
       source TEXT NOT NULL DEFAULT '',
       metadata TEXT NOT NULL DEFAULT '{}',
       user_ids TEXT NOT NULL DEFAULT '[]',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     ) WITHOUT ROWID`,
    `CREATE UNIQUE INDEX auth_group_live_name ON auth_group (owner, name) WHERE deleted = 0`,
    `CREATE INDEX auth_group_seq ON auth_group (seq)`,

    `CREATE TABLE auth_strategy (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       action TEXT NOT NULL,
       comment TEXT NOT NULL DEFAULT '',
       owner TEXT NOT NULL DEFAULT '',
       is_default INTEGER NOT NULL DEFAULT 0,
       source TEXT NOT NULL DEFAULT '',
       metadata TEXT NOT NULL DEFAULT '{}',
       functions TEXT NOT NULL DEFAULT '[]',
       resource_labels TEXT NOT NULL DEFAULT '[]',
       principals TEXT NOT NULL DEFAULT '[]',
       resources TEXT NOT NULL DEFAULT '[]',
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0
     ) WITHOUT ROWID`,
    `CREATE INDEX auth_strategy_seq ON auth_strategy (seq)`,
  ],
};
