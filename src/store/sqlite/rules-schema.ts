import type { Migration } from './migrations.js';

/**
 * Schema of the governance rules (RuleStore, src/store/rules-api.ts): migration version 3.
 *
 * - `gov_rule`: one row per rule of every kind, keyed by (kind, id), with the store's usual `seq`,
 *   `deleted`, `ctime`, `mtime` columns; `services` (JSON) keeps the bound service keys in order.
 * - `gov_rule_binding`: the same service keys as rows, for lookups by service. Only live rules
 *   have bindings; it is not part of the change feed.
 */
export const RULES_MIGRATION: Migration = {
  version: 3,
  name: 'governance rules',
  statements: [
    `CREATE TABLE gov_rule (
       kind TEXT NOT NULL,
       id TEXT NOT NULL,
       name TEXT NOT NULL DEFAULT '',
       namespace TEXT NOT NULL DEFAULT '',
       services TEXT NOT NULL DEFAULT '[]',
       enable INTEGER NOT NULL DEFAULT 0,
       revision TEXT NOT NULL DEFAULT '',
       priority INTEGER NOT NULL DEFAULT 0,
       body TEXT NOT NULL DEFAULT '{}',
       etime INTEGER NOT NULL DEFAULT 0,
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       deleted INTEGER NOT NULL DEFAULT 0,
       PRIMARY KEY (kind, id)
     ) WITHOUT ROWID`,
    `CREATE INDEX gov_rule_seq ON gov_rule (seq)`,
    `CREATE INDEX gov_rule_live_name ON gov_rule (kind, namespace, name) WHERE deleted = 0`,
    `CREATE TABLE gov_rule_binding (
       kind TEXT NOT NULL,
       rule_id TEXT NOT NULL,
       namespace TEXT NOT NULL,
       service TEXT NOT NULL,
       PRIMARY KEY (kind, rule_id, namespace, service)
     ) WITHOUT ROWID`,
    `CREATE INDEX gov_rule_binding_service ON gov_rule_binding (namespace, service, kind)`,
  ],
};
