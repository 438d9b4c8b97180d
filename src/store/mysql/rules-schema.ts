import type { Migration } from './migrations.js';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/**
 * The governance-rules migration of the MySQL store (RuleStore, src/store/rules-api.ts): the same
 * two tables as the SQLite store (src/store/sqlite/rules-schema.ts), with the conventions of every
 * change-feed table (see migrations.ts). Idempotent statements, like every MySQL migration.
 *
 * - `gov_rule`: one row per rule of every kind, keyed by (kind, id); `services` (JSON text) keeps
 *   the bound service keys in order; the body is JSON text the store never looks into.
 * - `gov_rule_binding`: the same service keys as rows, for lookups by service. Only live rules
 *   have bindings. Not part of the change feed; its `seq` (the change sequence of the rule write
 *   that placed the binding) exists because every table a transaction writes is re-stamped from
 *   the transaction's marker before COMMIT (see MysqlStore).
 *
 * Widths: rule names are at most 64 characters and v1 route rules are named
 * `namespace.service` (64 + 1 + 128); namespaces 64, service names 128. The columns leave room
 * above those limits while keeping every key under InnoDB's 3072-byte limit in utf8mb4.
 *
 * Version 3 of the MySQL store (appended in migrations.ts; never renumbered).
 */
export const RULES_MIGRATION: Migration = {
  version: 3,
  name: 'governance rules',
  statements: [
    `CREATE TABLE IF NOT EXISTS gov_rule (
       kind VARCHAR(32) NOT NULL,
       id VARCHAR(255) NOT NULL,
       name VARCHAR(255) NOT NULL,
       namespace VARCHAR(128) NOT NULL,
       services MEDIUMTEXT NOT NULL,
       enable TINYINT NOT NULL,
       revision VARCHAR(255) NOT NULL,
       priority BIGINT NOT NULL,
       body MEDIUMTEXT NOT NULL,
       etime BIGINT NOT NULL,
       ctime BIGINT NOT NULL,
       mtime BIGINT NOT NULL,
       seq BIGINT NOT NULL,
       deleted TINYINT NOT NULL DEFAULT 0,
       PRIMARY KEY (kind, id),
       KEY gov_rule_name (kind, namespace, name, deleted),
       KEY gov_rule_seq (seq)
     ) ${TABLE_OPTIONS}`,

    `CREATE TABLE IF NOT EXISTS gov_rule_binding (
       kind VARCHAR(32) NOT NULL,
       rule_id VARCHAR(255) NOT NULL,
       namespace VARCHAR(128) NOT NULL,
       service VARCHAR(255) NOT NULL,
       seq BIGINT NOT NULL,
       PRIMARY KEY (kind, rule_id, namespace, service),
       KEY gov_rule_binding_service (namespace, service, kind),
       KEY gov_rule_binding_seq (seq)
     ) ${TABLE_OPTIONS}`,
  ],
};
