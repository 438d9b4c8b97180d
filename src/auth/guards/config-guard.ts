import type { ConfigCenter, ConfigQuery } from '../../config/api.js';
import type { ClientConfigFileInfo } from '../../common/api/gen/wire.js';
import type { PolarisError } from '../../common/errors/polaris-error.js';
import type { AuthChecker, ResourceRef } from '../api.js';
import { guard, PASS, type OperationTable } from './guard.js';

/** Config-group ids by namespace + name, when the config center can tell (grants may name groups by id). */
export type ConfigGroupIds = (namespace: string, group: string) => string | undefined;

/**
 * The config center's operations (polaris config/interceptor/auth). Files, releases and histories
 * are guarded as their config group, and a config group as itself or its namespace, so a sub-user
 * granted one namespace can edit config there and nowhere else (v1.18.1 let any sub-user edit any
 * group no policy named). Templates are global: writing one needs a grant on every namespace.
 */
export function configOperations(groupIds: ConfigGroupIds): OperationTable<ConfigCenter> {
  const group = (namespace: string | null | undefined, name: string | null | undefined): ResourceRef => {
    const ns = namespace ?? '';
    const id = ns !== '' && name ? (groupIds(ns, name) ?? '') : '';
    return { type: 'config_groups', id, namespace: ns };
  };
  const q = (query: ConfigQuery, key: string): string | undefined => {
    const v = query[key];
    return Array.isArray(v) ? v[0] : (v as string | undefined);
  };
  const files = (list: readonly ClientConfigFileInfo[] | null | undefined): ResourceRef[] =>
    (list ?? []).map((f) => group(f.namespace, f.group));
  const refused = (err: PolarisError) => ({ code: err.code, info: err.info });
  const console = 'console' as const;
  const client = 'client' as const;
  return {
    createGroup: { plane: console, access: 'write', fn: 'CreateConfigFileGroup', resources: (r) => [group(r.namespace, r.name)] },
    updateGroup: { plane: console, access: 'write', fn: 'UpdateConfigFileGroup', resources: (r) => [group(r.namespace, r.name)] },
    deleteGroup: { plane: console, access: 'write', fn: 'DeleteConfigFileGroup', resources: (ns, name) => [group(ns, name)] },
    listGroups: { plane: console, access: 'read', fn: 'DescribeConfigFileGroups' },

    createFile: { plane: console, access: 'write', fn: 'CreateConfigFile', resources: (r) => [group(r.namespace, r.group)] },
    getFile: { plane: console, access: 'read', fn: 'DescribeConfigFileRichInfo', resources: (ns, g) => [group(ns, g)] },
    searchFiles: { plane: console, access: 'read', fn: 'DescribeConfigFiles' },
    updateFile: { plane: console, access: 'write', fn: 'UpdateConfigFile', resources: (r) => [group(r.namespace, r.group)] },
    deleteFile: { plane: console, access: 'write', fn: 'DeleteConfigFile', resources: (ns, g) => [group(ns, g)] },
    batchDeleteFiles: {
      plane: console,
      access: 'write',
      fn: 'BatchDeleteConfigFiles',
      resources: (reqs) => reqs.map((r) => group(r.namespace, r.group)),
    },
    exportFiles: {
      plane: console,
      access: 'read',
      fn: 'ExportConfigFiles',
      resources: (r) => (r.groups ?? []).map((g) => group(r.namespace, g)),
    },
    importFiles: {
      plane: console,
      access: 'write',
      fn: 'ImportConfigFiles',
      // Without a group the archive may hold any group of the namespace: the namespace is needed.
      resources: (_zip, o) => [o.group ? group(o.namespace, o.group) : { type: 'namespaces', id: o.namespace }],
    },
    encryptAlgorithms: PASS,

    publish: { plane: console, access: 'write', fn: 'PublishConfigFile', resources: (r) => [group(r.namespace, r.group)] },
    getRelease: {
      plane: console,
      access: 'read',
      fn: 'DescribeConfigFileRelease',
      resources: (query) => [group(q(query, 'namespace'), q(query, 'group'))],
    },
    listReleases: { plane: console, access: 'read', fn: 'DescribeConfigFileReleases' },
    releaseVersions: { plane: console, access: 'read', fn: 'DescribeConfigFileReleaseVersions' },
    deleteReleases: {
      plane: console,
      access: 'write',
      fn: 'DeleteConfigFileReleases',
      resources: (reqs) => reqs.map((r) => group(r.namespace, r.group)),
    },
    rollbackReleases: {
      plane: console,
      access: 'write',
      fn: 'RollbackConfigFileReleases',
      resources: (reqs) => reqs.map((r) => group(r.namespace, r.group)),
    },
    stopBeta: {
      plane: console,
      access: 'write',
      fn: 'StopGrayConfigFileReleases',
      resources: (reqs) => reqs.map((r) => group(r.namespace, r.group)),
    },
    createAndPublish: {
      plane: console,
      access: 'write',
      fn: 'UpsertAndReleaseConfigFile',
      resources: (r) => [group(r.namespace, r.group)],
    },
    listHistory: { plane: console, access: 'read', fn: 'DescribeConfigFileReleaseHistories' },

    listTemplates: { plane: console, access: 'read', fn: 'DescribeConfigFileTemplates' },
    createTemplate: { plane: console, access: 'write', fn: 'CreateConfigFileTemplate' },

    getConfigFile: {
      plane: client,
      access: 'read',
      fn: 'GetConfigFile',
      resources: (r) => files([r]),
      refuse: refused,
    },
    watchConfigFiles: {
      plane: client,
      access: 'read',
      fn: 'WatchConfigFiles',
      resources: (r) => files(r.watch_files),
      refuse: refused,
    },
    getFileMetadataList: {
      plane: client,
      access: 'read',
      fn: 'GetConfigFileNamesWithCache',
      resources: (r) => [group(r.config_file_group?.namespace, r.config_file_group?.name)],
      refuse: refused,
    },
    discover: {
      plane: client,
      access: 'read',
      fn: 'DiscoverConfigFile',
      resources: (r) => (r.config_file ? files([r.config_file]) : []),
      refuse: (err, r) => ({ code: err.code, info: err.info, type: r.type ?? 'UNKNOWN' }),
    },
    clientCreateFile: {
      plane: client,
      access: 'write',
      fn: 'CreateConfigFile',
      resources: (r) => [group(r.namespace, r.group)],
      refuse: refused,
    },
    clientUpdateFile: {
      plane: client,
      access: 'write',
      fn: 'UpdateConfigFile',
      resources: (r) => [group(r.namespace, r.group)],
      refuse: refused,
    },
    clientPublishFile: {
      plane: client,
      access: 'write',
      fn: 'PublishConfigFile',
      resources: (r) => [group(r.namespace, r.group)],
      refuse: refused,
    },
    clientUpsertAndPublish: {
      plane: client,
      access: 'write',
      fn: 'UpsertAndReleaseConfigFile',
      resources: (r) => [group(r.namespace, r.group)],
      refuse: refused,
    },

    listWatchers: { plane: console, access: 'read', fn: 'DescribeConfigFileWatchers' },
    start: PASS,
    stop: PASS,
    releaseWatchers: PASS,
  };
}

/** The config center as the API servers should see it. */
export function guardConfig(inner: ConfigCenter, checker: AuthChecker, groupIds: ConfigGroupIds): ConfigCenter {
  return guard(inner, configOperations(groupIds), checker);
}
