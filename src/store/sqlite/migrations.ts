import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../../common/errors/polaris-error.js';
import { CONFIG_MIGRATION } from './config-schema.js';
import { RULES_MIGRATION } from './rules-schema.js';
import { AUTH_MIGRATION } from './auth-schema.js';

/**
 * Schema migrations of the SQLite store, applied in order at start. A migration is never edited
 * once released: add a new version instead. `applyMigrations` is idempotent and safe when several
 * processes open the same file at once (it runs under BEGIN IMMEDIATE).
 *
 * Conventions of every data table:
 * - `seq`: the change sequence of the transaction that last wrote (or soft-deleted) the row;
 * - `deleted`: 1 for a tombstone (kept until `purgeTombstones`), 0 for a live row;
 * - `ctime`/`mtime`: epoch ms of the store's clock;
 * - lists and maps are JSON text.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial naming schema',
    statements: [
      `CREATE TABLE sys_seq (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         seq INTEGER NOT NULL
       )`,
      `INSERT INTO sys_seq (id, seq) VALUES (1, 0)`,

      `CREATE TABLE namespace (
         name TEXT PRIMARY KEY,
         comment TEXT NOT NULL DEFAULT '',
         owner TEXT NOT NULL DEFAULT '',
         token TEXT NOT NULL DEFAULT '',
         service_export_to TEXT NOT NULL DEFAULT '[]',
         metadata TEXT NOT NULL DEFAULT '{}',
         ctime INTEGER NOT NULL,
         mtime INTEGER NOT NULL,
         seq INTEGER NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0
       ) WITHOUT ROWID`,
      `CREATE INDEX namespace_seq ON namespace (seq)`,

      `CREATE TABLE service (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         namespace TEXT NOT NULL,
         ports TEXT NOT NULL DEFAULT '',
         business TEXT NOT NULL DEFAULT '',
         department TEXT NOT NULL DEFAULT '',
         cmdb_mod1 TEXT NOT NULL DEFAULT '',
         cmdb_mod2 TEXT NOT NULL DEFAULT '',
         cmdb_mod3 TEXT NOT NULL DEFAULT '',
         comment TEXT NOT NULL DEFAULT '',
         owner TEXT NOT NULL DEFAULT '',
         token TEXT NOT NULL DEFAULT '',
         revision TEXT NOT NULL DEFAULT '',
         reference TEXT NOT NULL DEFAULT '',
         alias_type INTEGER NOT NULL DEFAULT 0,
         platform_id TEXT NOT NULL DEFAULT '',
         export_to TEXT NOT NULL DEFAULT '[]',
         metadata TEXT NOT NULL DEFAULT '{}',
         ctime INTEGER NOT NULL,
         mtime INTEGER NOT NULL,
         seq INTEGER NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0
       )`,
      // A live (namespace, name) is unique; tombstones never block re-creating a name.
      `CREATE UNIQUE INDEX service_live_name ON service (namespace, name) WHERE deleted = 0`,
      `CREATE INDEX service_live_reference ON service (reference) WHERE deleted = 0 AND reference <> ''`,
      `CREATE INDEX service_seq ON service (seq)`,

      `CREATE TABLE instance (
         id TEXT PRIMARY KEY,
         service_id TEXT NOT NULL,
         service TEXT NOT NULL,
         namespace TEXT NOT NULL,
         vpc_id TEXT NOT NULL DEFAULT '',
         host TEXT NOT NULL,
         port INTEGER NOT NULL,
         protocol TEXT NOT NULL DEFAULT '',
         version TEXT NOT NULL DEFAULT '',
         priority INTEGER NOT NULL DEFAULT 0,
         weight INTEGER NOT NULL DEFAULT 100,
         enable_health_check INTEGER NOT NULL DEFAULT 0,
         health_check_type INTEGER,
         health_check_ttl INTEGER,
         healthy INTEGER NOT NULL DEFAULT 1,
         isolate INTEGER NOT NULL DEFAULT 0,
         logic_set TEXT NOT NULL DEFAULT '',
         region TEXT NOT NULL DEFAULT '',
         zone TEXT NOT NULL DEFAULT '',
         campus TEXT NOT NULL DEFAULT '',
         metadata TEXT NOT NULL DEFAULT '{}',
         revision TEXT NOT NULL DEFAULT '',
         ctime INTEGER NOT NULL,
         mtime INTEGER NOT NULL,
         seq INTEGER NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0
       )`,
      `CREATE INDEX instance_service ON instance (service_id, deleted)`,
      `CREATE INDEX instance_seq ON instance (seq)`,

      `CREATE TABLE client (
         id TEXT PRIMARY KEY,
         host TEXT NOT NULL DEFAULT '',
         type INTEGER NOT NULL DEFAULT 0,
         version TEXT NOT NULL DEFAULT '',
         region TEXT NOT NULL DEFAULT '',
         zone TEXT NOT NULL DEFAULT '',
         campus TEXT NOT NULL DEFAULT '',
         stat TEXT NOT NULL DEFAULT '[]',
         ctime INTEGER NOT NULL,
         mtime INTEGER NOT NULL,
         seq INTEGER NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0
       )`,
      `CREATE INDEX client_seq ON client (seq)`,

      // Not part of the change feed: no seq/deleted. One row per held lock.
      `CREATE TABLE start_lock (
         lock_key TEXT PRIMARY KEY,
         holder TEXT NOT NULL,
         token TEXT NOT NULL,
         pid INTEGER NOT NULL,
         acquired_at INTEGER NOT NULL,
         heartbeat INTEGER NOT NULL
       ) WITHOUT ROWID`,
    ],
  },
  // Version 2: the config center (config-schema.ts).
  CONFIG_MIGRATION,
  // Version 3: governance rules (rules-schema.ts).
  RULES_MIGRATION,
  // Version 4: users, groups and strategies (auth-schema.ts).
  AUTH_MIGRATION,
];

/** Applies every migration newer than the file's version; returns the resulting version. */
export function applyMigrations(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > latest) {
      throw new StoreError(`database schema version ${current} is newer than this server supports (${latest})`);
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      for (const sql of m.statements) db.exec(sql);
      record.run(m.version, m.name, Date.now());
    }
    db.exec('COMMIT');
    return Math.max(current, latest);
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
