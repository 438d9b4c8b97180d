import type { Connection } from 'mysql2/promise';
import { StoreError } from '../../common/errors/polaris-error.js';
import { AUTH_MIGRATION } from './auth-schema.js';
import { CONFIG_MIGRATION } from './config-schema.js';
import { RULES_MIGRATION } from './rules-schema.js';

/**
 * Schema migrations of the MySQL store, applied in order at start. A released migration is never
 * edited: add a new version instead.
 *
 * DDL commits implicitly in MySQL, so a migration cannot be rolled back as a whole; instead every
 * statement is idempotent (`CREATE TABLE IF NOT EXISTS`, indexes declared inside the table,
 * `INSERT IGNORE`) and the version is recorded after the last one. A process that died half-way
 * leaves a schema the next start completes. Concurrent starts are serialised by a named server
 * lock (`GET_LOCK`), so only one process migrates at a time.
 *
 * Conventions of every change-feed table:
 * - `seq`: the change sequence of the transaction that last wrote (or soft-deleted) the row;
 * - `deleted`: 1 for a tombstone (kept until `purgeTombstones`), 0 for a live row;
 * - `ctime`/`mtime`: epoch ms from the writing node (never the DB session's clock or zone);
 * - lists and maps are JSON text; InnoDB, utf8mb4_bin (names compare byte-wise, as upstream).
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial naming schema',
    statements: [
      `CREATE TABLE IF NOT EXISTS sys_seq (
         id TINYINT NOT NULL PRIMARY KEY,
         seq BIGINT NOT NULL
       ) ${TABLE_OPTIONS}`,
      `INSERT IGNORE INTO sys_seq (id, seq) VALUES (1, 0)`,

      `CREATE TABLE IF NOT EXISTS namespace (
         name VARCHAR(128) NOT NULL,
         comment TEXT NOT NULL,
         owner VARCHAR(1024) NOT NULL,
         token VARCHAR(128) NOT NULL,
         service_export_to TEXT NOT NULL,
         metadata MEDIUMTEXT NOT NULL,
         ctime BIGINT NOT NULL,
         mtime BIGINT NOT NULL,
         seq BIGINT NOT NULL,
         deleted TINYINT NOT NULL DEFAULT 0,
         PRIMARY KEY (name),
         KEY namespace_seq (seq)
       ) ${TABLE_OPTIONS}`,

      // MySQL has no partial unique index: column live is 1 for a live row and NULL for a tombstone,
      // and NULLs never clash in a unique key, so only live (namespace, name) pairs are unique.
      `CREATE TABLE IF NOT EXISTS service (
         id VARCHAR(128) NOT NULL,
         name VARCHAR(128) NOT NULL,
         namespace VARCHAR(128) NOT NULL,
         ports TEXT NOT NULL,
         business VARCHAR(1024) NOT NULL,
         department VARCHAR(1024) NOT NULL,
         cmdb_mod1 VARCHAR(1024) NOT NULL,
         cmdb_mod2 VARCHAR(1024) NOT NULL,
         cmdb_mod3 VARCHAR(1024) NOT NULL,
         comment TEXT NOT NULL,
         owner VARCHAR(1024) NOT NULL,
         token VARCHAR(128) NOT NULL,
         revision VARCHAR(128) NOT NULL,
         reference VARCHAR(128) NOT NULL,
         alias_type INT NOT NULL,
         platform_id VARCHAR(128) NOT NULL,
         export_to TEXT NOT NULL,
         metadata MEDIUMTEXT NOT NULL,
         ctime BIGINT NOT NULL,
         mtime BIGINT NOT NULL,
         seq BIGINT NOT NULL,
         deleted TINYINT NOT NULL DEFAULT 0,
         live TINYINT AS (IF(deleted = 0, 1, NULL)) STORED,
         PRIMARY KEY (id),
         UNIQUE KEY service_live_name (namespace, name, live),
         KEY service_reference (reference, deleted),
         KEY service_seq (seq)
       ) ${TABLE_OPTIONS}`,

      `CREATE TABLE IF NOT EXISTS instance (
         id VARCHAR(255) NOT NULL,
         service_id VARCHAR(128) NOT NULL,
         service VARCHAR(128) NOT NULL,
         namespace VARCHAR(128) NOT NULL,
         vpc_id VARCHAR(128) NOT NULL,
         host VARCHAR(255) NOT NULL,
         port INT NOT NULL,
         protocol VARCHAR(128) NOT NULL,
         version VARCHAR(128) NOT NULL,
         priority INT NOT NULL,
         weight INT NOT NULL,
         enable_health_check TINYINT NOT NULL,
         health_check_type INT NULL,
         health_check_ttl INT NULL,
         healthy TINYINT NOT NULL,
         isolate TINYINT NOT NULL,
         logic_set VARCHAR(128) NOT NULL,
         region VARCHAR(128) NOT NULL,
         zone VARCHAR(128) NOT NULL,
         campus VARCHAR(128) NOT NULL,
         metadata MEDIUMTEXT NOT NULL,
         revision VARCHAR(128) NOT NULL,
         ctime BIGINT NOT NULL,
         mtime BIGINT NOT NULL,
         seq BIGINT NOT NULL,
         deleted TINYINT NOT NULL DEFAULT 0,
         PRIMARY KEY (id),
         KEY instance_service (service_id, deleted),
         KEY instance_seq (seq)
       ) ${TABLE_OPTIONS}`,

      `CREATE TABLE IF NOT EXISTS client (
         id VARCHAR(255) NOT NULL,
         host VARCHAR(255) NOT NULL,
         type INT NOT NULL,
         version VARCHAR(128) NOT NULL,
         region VARCHAR(128) NOT NULL,
         zone VARCHAR(128) NOT NULL,
         campus VARCHAR(128) NOT NULL,
         stat MEDIUMTEXT NOT NULL,
         ctime BIGINT NOT NULL,
         mtime BIGINT NOT NULL,
         seq BIGINT NOT NULL,
         deleted TINYINT NOT NULL DEFAULT 0,
         PRIMARY KEY (id),
         KEY client_seq (seq)
       ) ${TABLE_OPTIONS}`,

      // Not part of the change feed. One row per held lock; times are the DB server's clock.
      `CREATE TABLE IF NOT EXISTS start_lock (
         lock_key VARCHAR(128) NOT NULL,
         holder VARCHAR(255) NOT NULL,
         token VARCHAR(64) NOT NULL,
         host VARCHAR(255) NOT NULL,
         pid INT NOT NULL,
         acquired_at BIGINT NOT NULL,
         heartbeat BIGINT NOT NULL,
         PRIMARY KEY (lock_key)
       ) ${TABLE_OPTIONS}`,

      // Which cluster owns this database (one row, id = 1); see MysqlStore.open.
      `CREATE TABLE IF NOT EXISTS cluster_identity (
         id TINYINT NOT NULL PRIMARY KEY,
         identity VARCHAR(255) NOT NULL,
         created_at BIGINT NOT NULL
       ) ${TABLE_OPTIONS}`,
    ],
  },
  // Version 2: users, groups and strategies (auth-schema.ts).
  AUTH_MIGRATION,
  // Version 3: governance rules (rules-schema.ts).
  RULES_MIGRATION,
  // Version 4: config center (config-schema.ts).
  CONFIG_MIGRATION,
];

/** The server-wide named lock serialising migrations of concurrent starts. */
export const MIGRATION_LOCK = 'polaris_ts_migrate';
const MIGRATION_LOCK_WAIT_S = 60;

/**
 * Applies every migration newer than the database's version, holding the migration lock, and
 * returns the resulting version. `conn` must be a dedicated connection on the store's database
 * (the named lock belongs to its session).
 */
export async function applyMigrations(conn: Connection, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  return withMigrationLock(conn, async () => {
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT NOT NULL PRIMARY KEY,
      name VARCHAR(255) NOT NULL,
      applied_at BIGINT NOT NULL
    ) ${TABLE_OPTIONS}`);
    const [rows] = await conn.query({ sql: 'SELECT MAX(version) FROM schema_migrations', rowsAsArray: true });
    const current = Number((rows as unknown[][])[0]?.[0] ?? 0);
    if (current > latest) {
      throw new StoreError(`database schema version ${current} is newer than this server supports (${latest})`);
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      for (const sql of m.statements) await conn.query(sql);
      await conn.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    return Math.max(current, latest);
  });
}

/** Runs `fn` holding the migration lock (also used for the cluster identity check). */
export async function withMigrationLock<T>(conn: Connection, fn: () => Promise<T>): Promise<T> {
  const [rows] = await conn.query({ sql: 'SELECT GET_LOCK(?, ?)', values: [MIGRATION_LOCK, MIGRATION_LOCK_WAIT_S], rowsAsArray: true });
  const got = (rows as unknown[][])[0]?.[0];
  if (Number(got) !== 1) {
    throw new StoreError(`could not take the schema migration lock ${MIGRATION_LOCK} within ${MIGRATION_LOCK_WAIT_S} s`);
  }
  try {
    return await fn();
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}

/**
 * Records `identity` as the owner of the database on first use; refuses a different one later.
 * Call under the migration lock.
 */
export async function claimClusterIdentity(conn: Connection, dbName: string, identity: string): Promise<void> {
  await conn.query('INSERT IGNORE INTO cluster_identity (id, identity, created_at) VALUES (1, ?, ?)', [identity, Date.now()]);
  const [rows] = await conn.query({ sql: 'SELECT identity FROM cluster_identity WHERE id = 1', rowsAsArray: true });
  const owner = (rows as unknown[][])[0]?.[0];
  if (owner !== identity) {
    throw new StoreError(
      `database ${dbName} already belongs to cluster ${String(owner)}; refusing to start cluster ${identity} on it ` +
        '(two clusters must not share one database)',
    );
  }
}
