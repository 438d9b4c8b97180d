import { defaultYaml } from './daemon.js';

/** A database name of its own for one test or benchmark run. */
export function uniqueDatabaseName(): string {
  return `polaris_ts_cluster_${process.pid}_${Date.now().toString(36)}`;
}

/**
 * The test daemon's YAML in cluster mode: the MySQL store on the local MariaDB (database `db`,
 * created by the server) and heartbeats in the local Redis.
 */
export function clusterConfigYaml(db: string, clusterId = 'cluster-a'): string {
  return defaultYaml()
    .replace(
      /store:\n  name: sqliteStore\n  option:\n    path: .*\n/,
      `store:
  name: defaultStore
  option:
    clusterId: ${clusterId}
    master:
      dbType: mysql
      dbName: ${db}
      dbUser: root
      dbPwd: ""
      dbAddr: 127.0.0.1:3306
      maxOpenConns: 10
`,
    )
    .replace(
      '  checkers:\n    - name: heartbeatMemory',
      '  checkers:\n    - name: heartbeatRedis\n      option:\n        kvAddr: 127.0.0.1:6379\n        msgTimeout: 500ms',
    );
}

