import { Section, invalid, readString, warn } from './section.js';
import type { MysqlDbConfig, StoreConfig } from './types.js';

const DEFAULT_SQLITE_PATH = './polaris.db';
const DEFAULT_BOLT_PATH = './polaris.bolt';

/**
 * The SQLite file that stands in for a boltdb file: the bolt path with `.db` appended
 * (`./polaris.bolt` → `./polaris.bolt.db`). It sits beside the bolt file, never overwrites it, and
 * its name says where it came from. The bolt file's data is not imported.
 */
export function sqlitePathForBolt(boltPath: string): string {
  return `${boltPath}.db`;
}

const REQUIRED_DB_KEYS = ['dbType', 'dbUser', 'dbPwd', 'dbAddr', 'dbName'] as const;

function parseDb(s: Section): MysqlDbConfig {
  for (const key of REQUIRED_DB_KEYS) {
    if (!s.written(key)) invalid(s.ctx, s.at(key), 'required for defaultStore (MySQL)');
    if (!s.has(key) && key !== 'dbPwd') warn(s.ctx, s.at(key), 'is empty');
  }
  const dbType = s.str('dbType', '');
  if (dbType !== 'mysql') invalid(s.ctx, s.at('dbType'), `only "mysql" is supported, got "${dbType}"`, s.get('dbType'));
  const out: MysqlDbConfig = {
    dbType,
    dbName: s.str('dbName', ''),
    dbUser: s.str('dbUser', ''),
    dbPwd: s.str('dbPwd', ''),
    dbAddr: s.str('dbAddr', ''),
    maxOpenConns: s.int('maxOpenConns', 0, { min: 0 }),
    maxIdleConns: s.int('maxIdleConns', 0, { min: 0 }),
    connMaxLifetime: s.int('connMaxLifetime', 1800, { min: 0 }) || 1800,
    txIsolationLevel: s.int('txIsolationLevel', 0, { min: 0, max: 7 }),
  };
  s.finish();
  return out;
}

/**
 * `store`: `sqliteStore` (our embedded store, option.path), `defaultStore` (MySQL, option.master
 * and optional option.slave) or `boltdbStore`, which is served by the SQLite store (warning). No
 * store section means sqliteStore at ./polaris.db.
 */
export function parseStore(s: Section): StoreConfig {
  const name = s.str('name', 'sqliteStore');
  const opt = s.section('option');
  let out: StoreConfig;
  switch (name) {
    case 'sqliteStore':
      out = {
        name,
        option: { path: opt.str('path', DEFAULT_SQLITE_PATH) || DEFAULT_SQLITE_PATH, loadFile: opt.str('loadFile', '') },
      };
      break;
    case 'boltdbStore': {
      const boltPath = opt.str('path', DEFAULT_BOLT_PATH) || DEFAULT_BOLT_PATH;
      const path = sqlitePathForBolt(boltPath);
      warn(
        s.ctx,
        s.at('name'),
        `boltdbStore is served by the embedded SQLite store; option.path ${boltPath} is used as ${path} (the bolt file itself is not read)`,
      );
      out = { name: 'sqliteStore', option: { path, loadFile: opt.str('loadFile', '') }, fromBoltdb: { path: boltPath } };
      break;
    }
    case 'defaultStore': {
      const slave = opt.has('slave') ? parseDb(opt.section('slave')) : undefined;
      out = {
        name,
        option: {
          master: parseDb(opt.section('master')),
          ...(slave ? { slave } : {}),
          // polaris-ts addition: the identity recorded in the database on first start; a cluster
          // with another identity pointed at the same database is refused.
          clusterId: opt.str('clusterId', ''),
        },
      };
      break;
    }
    default:
      invalid(
        s.ctx,
        s.at('name'),
        `unknown store "${readString(s.ctx, s.at('name'), s.get('name')!)}" (expected sqliteStore, defaultStore or boltdbStore)`,
        s.get('name'),
      );
  }
  opt.finish();
  s.finish();
  return out;
}
