import type {
  ConfigFile,
  ConfigFileMeta,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  GrayLabel,
  ReleaseHistory,
  Tags,
} from '../../common/model/config.js';

/** Row ↔ domain conversions of the config tables (schema in config-schema.ts). */

type Row = Record<string, unknown>;

function json<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  return JSON.parse(text) as T;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));
const num = (v: unknown): number => Number(v ?? 0);

export const GROUP_COLUMNS = `id, namespace, name, comment, owner, business, department, metadata, create_by, modify_by,
  ctime, mtime, seq, deleted`;

export function groupFromRow(r: Row): ConfigGroup {
  return {
    id: num(r.id),
    namespace: str(r.namespace),
    name: str(r.name),
    comment: str(r.comment),
    owner: str(r.owner),
    business: str(r.business),
    department: str(r.department),
    metadata: json<Record<string, string>>(r.metadata, {}),
    createBy: str(r.create_by),
    modifyBy: str(r.modify_by),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export const FILE_META_COLUMNS = `id, namespace, grp, name, format, comment, tags, encrypt_algo, md5, create_by,
  modify_by, ctime, mtime, seq, deleted`;
export const FILE_COLUMNS = `${FILE_META_COLUMNS}, content, data_key`;

export function fileMetaFromRow(r: Row): ConfigFileMeta {
  return {
    id: num(r.id),
    namespace: str(r.namespace),
    group: str(r.grp),
    name: str(r.name),
    format: str(r.format),
    comment: str(r.comment),
    tags: json<Tags>(r.tags, {}),
    encryptAlgo: str(r.encrypt_algo),
    md5: str(r.md5),
    createBy: str(r.create_by),
    modifyBy: str(r.modify_by),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export function fileFromRow(r: Row): ConfigFile {
  return { ...fileMetaFromRow(r), content: str(r.content), dataKey: str(r.data_key) };
}

const RELEASE_BASE_COLUMNS = `id, namespace, grp, file_name, name, format, comment, md5, version, tags, encrypt_algo,
  active, release_type, beta_labels, release_description, create_by, modify_by, ctime, mtime, seq, deleted`;
export const RELEASE_COLUMNS = `${RELEASE_BASE_COLUMNS}, content, data_key`;
/** For the change feed: content and key only while the row is live and active. */
export const RELEASE_FEED_COLUMNS = `${RELEASE_BASE_COLUMNS},
  CASE WHEN active = 1 AND deleted = 0 THEN content ELSE '' END AS content,
  CASE WHEN active = 1 AND deleted = 0 THEN data_key ELSE '' END AS data_key`;

export function releaseFromRow(r: Row): ConfigRelease {
  return {
    id: num(r.id),
    namespace: str(r.namespace),
    group: str(r.grp),
    fileName: str(r.file_name),
    name: str(r.name),
    content: str(r.content),
    format: str(r.format),
    comment: str(r.comment),
    md5: str(r.md5),
    version: num(r.version),
    tags: json<Tags>(r.tags, {}),
    encryptAlgo: str(r.encrypt_algo),
    dataKey: str(r.data_key),
    active: num(r.active) === 1,
    releaseType: str(r.release_type) === 'gray' ? 'gray' : 'full',
    betaLabels: json<GrayLabel[]>(r.beta_labels, []),
    releaseDescription: str(r.release_description),
    createBy: str(r.create_by),
    modifyBy: str(r.modify_by),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export const HISTORY_COLUMNS = `id, namespace, grp, file_name, name, content, format, comment, md5, version, type,
  status, reason, tags, encrypt_algo, data_key, release_description, create_by, modify_by, ctime, mtime`;

export function historyFromRow(r: Row): ReleaseHistory {
  return {
    id: num(r.id),
    namespace: str(r.namespace),
    group: str(r.grp),
    fileName: str(r.file_name),
    name: str(r.name),
    content: str(r.content),
    format: str(r.format),
    comment: str(r.comment),
    md5: str(r.md5),
    version: num(r.version),
    type: str(r.type),
    status: str(r.status),
    reason: str(r.reason),
    tags: json<Tags>(r.tags, {}),
    encryptAlgo: str(r.encrypt_algo),
    dataKey: str(r.data_key),
    releaseDescription: str(r.release_description),
    createBy: str(r.create_by),
    modifyBy: str(r.modify_by),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export const TEMPLATE_COLUMNS = 'id, name, content, format, comment, create_by, modify_by, ctime, mtime';

export function templateFromRow(r: Row): ConfigTemplate {
  return {
    id: num(r.id),
    name: str(r.name),
    content: str(r.content),
    format: str(r.format),
    comment: str(r.comment),
    createBy: str(r.create_by),
    modifyBy: str(r.modify_by),
    ctime: num(r.ctime),
    mtime: num(r.mtime),
  };
}

export function tagsText(tags: Tags | undefined): string {
  return JSON.stringify(tags ?? {});
}

export function labelsText(labels: GrayLabel[] | undefined): string {
  return JSON.stringify(labels ?? []);
}
