import { createConnection, type Connection } from 'mysql2/promise';
import { StoreError } from '../../common/errors/polaris-error.js';
import { applyMigrations, claimClusterIdentity, withMigrationLock } from './migrations.js';
import { ER_BAD_DB_ERROR } from './mysql-errors.js';
import { CHARSET, type Endpoint, type Timeouts } from './mysql-pool.js';

/* Config parsing and the start-up work of MysqlStore.open: database, migrations, identity. */

/** One database server, in the shape of the `store.option.master` / `slave` config keys. */
export interface MysqlEndpointConfig {
  /** "mysql" when given. */
  dbType?: string;
  dbName: string;
  dbUser: string;
  dbPwd: string;
  /** host:port, or [ipv6]:port; port 3306 when omitted. */
  dbAddr: string;
  /** Pool size; 0 or less = 10. */
  maxOpenConns?: number;
  /** Idle connections kept; 0 or less = maxOpenConns. */
  maxIdleConns?: number;
  /** Seconds a connection is reused; 0 or less = 1800. */
  connMaxLifetime?: number;
  /**
   * Go sql isolation level of write transactions: 0 (default) and 2 = READ COMMITTED (the store's
   * choice: no gap locks, fewest deadlocks), 4 = REPEATABLE READ, 6 = SERIALIZABLE.
   */
  txIsolationLevel?: number;
}

export function positive(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

const DB_NAME = /^[A-Za-z0-9_$]{1,64}$/;

export function endpointOf(c: MysqlEndpointConfig, role: 'master' | 'slave'): Endpoint {
  if (!c) throw new StoreError(`mysql ${role}: missing`);
  if (c.dbType !== undefined && c.dbType !== '' && c.dbType.toLowerCase() !== 'mysql') {
    throw new StoreError(`mysql ${role}: dbType ${c.dbType} is not supported (mysql only)`);
  }
  if (!DB_NAME.test(c.dbName ?? '')) {
    throw new StoreError(`mysql ${role}: dbName ${JSON.stringify(c.dbName)} must match ${DB_NAME.source}`);
  }
  const { host, port } = parseAddr(c.dbAddr, role);
  const connectionLimit = c.maxOpenConns && c.maxOpenConns > 0 ? Math.floor(c.maxOpenConns) : 10;
  const maxIdle = c.maxIdleConns && c.maxIdleConns > 0 ? Math.min(Math.floor(c.maxIdleConns), connectionLimit) : connectionLimit;
  return {
    role,
    host,
    port,
    user: c.dbUser ?? '',
    password: c.dbPwd ?? '',
    database: c.dbName,
    connectionLimit,
    maxIdle,
    lifetimeMs: positive(c.connMaxLifetime, 1800) * 1000,
  };
}

function parseAddr(addr: string, role: string): { host: string; port: number } {
  const s = (addr ?? '').trim();
  const hit = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(s);
  if (!hit) throw new StoreError(`mysql ${role}: dbAddr ${JSON.stringify(addr)} is not host:port`);
  const port = hit[2] === undefined ? 3306 : Number(hit[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new StoreError(`mysql ${role}: bad port in ${addr}`);
  return { host: hit[1], port };
}

export function isolationOf(level: number | undefined): string {
  switch (level ?? 0) {
    case 4:
    case 5:
      return 'REPEATABLE READ';
    case 6:
    case 7:
      return 'SERIALIZABLE';
    default:
      return 'READ COMMITTED';
  }
}

async function connect(ep: Endpoint, timeouts: Timeouts, withDatabase: boolean): Promise<Connection> {
  return createConnection({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database: withDatabase ? ep.database : undefined,
    charset: CHARSET,
    connectTimeout: timeouts.connectMs,
    multipleStatements: false,
  });
}

/** Creates the database when missing, migrates it and checks the cluster identity. */
export async function prepareDatabase(ep: Endpoint, timeouts: Timeouts, identity: string | undefined): Promise<number> {
  let conn: Connection;
  try {
    conn = await connect(ep, timeouts, true);
  } catch (err) {
    if ((err as { errno?: unknown }).errno !== ER_BAD_DB_ERROR) throw err;
    const admin = await connect(ep, timeouts, false);
    try {
      await admin.query(`CREATE DATABASE IF NOT EXISTS \`${ep.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    } finally {
      await admin.end().catch(() => admin.destroy());
    }
    conn = await connect(ep, timeouts, true);
  }
  try {
    const version = await applyMigrations(conn);
    if (identity !== undefined && identity !== '') {
      await withMigrationLock(conn, () => claimClusterIdentity(conn, ep.database, identity));
    }
    return version;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
