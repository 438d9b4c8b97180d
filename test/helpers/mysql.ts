import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createConnection, type Connection } from 'mysql2/promise';
import { MysqlStore, type MysqlEndpointConfig, type MysqlStoreOptions } from '../../src/store/mysql/mysql-store.js';

/*
 * The MySQL/MariaDB server the store tests use (the local MariaDB here and in CI); override with
 * POLARIS_TEST_MYSQL_ADDR / _USER / _PASSWORD. Every store gets a fresh database
 * polaris_test_<random>, dropped afterwards. Sessions run in non-UTC time zones (+05:30, and
 * -08:00 for peers) to flush out time zone bugs.
 */
export const MYSQL_ADDR = process.env.POLARIS_TEST_MYSQL_ADDR ?? '127.0.0.1:3306';
export const MYSQL_USER = process.env.POLARIS_TEST_MYSQL_USER ?? 'root';
export const MYSQL_PASSWORD = process.env.POLARIS_TEST_MYSQL_PASSWORD ?? '';
export const [MYSQL_HOST, MYSQL_PORT] = [MYSQL_ADDR.split(':')[0], Number(MYSQL_ADDR.split(':')[1] ?? 3306)];
export const TZ = '+05:30';
export const PEER_TZ = '-08:00';

export function dbConfig(dbName: string, addr = MYSQL_ADDR): MysqlEndpointConfig {
  return {
    dbType: 'mysql',
    dbName,
    dbUser: MYSQL_USER,
    dbPwd: MYSQL_PASSWORD,
    dbAddr: addr,
    maxOpenConns: 10,
    maxIdleConns: 10,
    connMaxLifetime: 1800,
    txIsolationLevel: 2,
  };
}

export function freshDbName(): string {
  return `polaris_test_${randomBytes(6).toString('hex')}`;
}

export function adminConnection(database?: string): Promise<Connection> {
  return createConnection({ host: MYSQL_HOST, port: MYSQL_PORT, user: MYSQL_USER, password: MYSQL_PASSWORD, database, connectTimeout: 5_000 });
}

export async function dropDatabase(dbName: string): Promise<void> {
  const admin = await adminConnection();
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  } finally {
    await admin.end();
  }
}

export function openStore(dbName: string, over: Partial<MysqlStoreOptions> = {}): Promise<MysqlStore> {
  return MysqlStore.open({ master: dbConfig(dbName), sessionTimeZone: TZ, ...over });
}

/** Two stores (two "nodes", in different session time zones) on one fresh database. */
export async function withTwoStores(fn: (a: MysqlStore, b: MysqlStore, dbName: string) => Promise<void>): Promise<void> {
  const dbName = freshDbName();
  const a = await openStore(dbName);
  let b: MysqlStore | undefined;
  try {
    b = await openStore(dbName, { sessionTimeZone: PEER_TZ });
    await fn(a, b, dbName);
  } finally {
    await b?.close();
    await a.close();
    await dropDatabase(dbName);
  }
}

async function unreachableReason(): Promise<string | undefined> {
  try {
    const c = await adminConnection();
    await c.query('SELECT 1');
    await c.end();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Runs `suites` when the server answers; otherwise registers one failing test saying why (never a
 * silent skip: this machine and CI always run MariaDB).
 */
export async function whenMysqlReachable(name: string, suites: () => void): Promise<void> {
  const unreachable = await unreachableReason();
  if (unreachable === undefined) {
    suites();
    return;
  }
  describe(name, () => {
    it('needs a MySQL/MariaDB server', () => {
      const where = process.env.CI === 'true' ? 'CI must provide one' : 'this machine is expected to run one';
      assert.fail(
        `no MySQL/MariaDB at ${MYSQL_USER}@${MYSQL_ADDR} (${unreachable}); ${where}. ` +
          'Set POLARIS_TEST_MYSQL_ADDR / POLARIS_TEST_MYSQL_USER / POLARIS_TEST_MYSQL_PASSWORD to point elsewhere.',
      );
    });
  });
}

/** A promise and the function that resolves it. */
export function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}
