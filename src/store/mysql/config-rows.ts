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
import type { Versioned } from '../api.js';

/**
 * Row ↔ domain conversions of the MySQL config tables (schema in config-schema.ts). Rows come back
 * as arrays; each table keeps its select list next to a decoder that reads the slots by column
 * name, so the two cannot drift apart. Maps and lists are JSON text, so every field round-trips as
 * written. Feed rows end with `seq, deleted`.
 */

type Row = unknown[];

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string' || v === '') return fallback;
  return JSON.parse(v) as T;
}

/** A select list and the slot of every column in it. */
interface Columns<K extends string> {
  readonly list: string;
  readonly at: Readonly<Record<K, number>>;
}

function columns<K extends string>(names: readonly K[], expr: Partial<Record<K, string>> = {}): Columns<K> {
  const at = {} as Record<K, number>;
  names.forEach((n, i) => (at[n] = i));
  return { list: names.map((n) => expr[n] ?? n).join(', '), at };
}

// ---- groups ----

const GROUP = columns([
  'id', 'namespace', 'name', 'comment', 'owner', 'business', 'department', 'metadata', 'create_by', 'modify_by',
  'ctime', 'mtime', 'seq', 'deleted',
] as const);

export const GROUP_SELECT = GROUP.list;

export function groupFromRow(r: Row): ConfigGroup {
  const a = GROUP.at;
  return {
    id: num(r[a.id]),
    namespace: str(r[a.namespace]),
    name: str(r[a.name]),
    comment: str(r[a.comment]),
    owner: str(r[a.owner]),
    business: str(r[a.business]),
    department: str(r[a.department]),
    metadata: json<Record<string, string>>(r[a.metadata], {}),
    createBy: str(r[a.create_by]),
    modifyBy: str(r[a.modify_by]),
    ctime: num(r[a.ctime]),
    mtime: num(r[a.mtime]),
  };
}

// ---- files ----

const FILE_META_NAMES = [
  'id', 'namespace', 'grp', 'name', 'format', 'comment', 'tags', 'encrypt_algo', 'md5', 'create_by', 'modify_by',
  'ctime', 'mtime', 'seq', 'deleted',
] as const;
const FILE_META = columns(FILE_META_NAMES);
const FILE = columns([...FILE_META_NAMES, 'content', 'data_key'] as const);

/** Everything but content and data key (the change feed). */
export const FILE_META_SELECT = FILE_META.list;
export const FILE_SELECT = FILE.list;

export function fileMetaFromRow(r: Row): ConfigFileMeta {
  const a = FILE_META.at;
  return {
    id: num(r[a.id]),
    namespace: str(r[a.namespace]),
    group: str(r[a.grp]),
    name: str(r[a.name]),
    format: str(r[a.format]),
    comment: str(r[a.comment]),
    tags: json<Tags>(r[a.tags], {}),
    encryptAlgo: str(r[a.encrypt_algo]),
    md5: str(r[a.md5]),
    createBy: str(r[a.create_by]),
    modifyBy: str(r[a.modify_by]),
    ctime: num(r[a.ctime]),
    mtime: num(r[a.mtime]),
  };
}

export function fileFromRow(r: Row): ConfigFile {
  return { ...fileMetaFromRow(r), content: str(r[FILE.at.content]), dataKey: str(r[FILE.at.data_key]) };
}

// ---- releases ----

const RELEASE_NAMES = [
  'id', 'namespace', 'grp', 'file_name', 'name', 'format', 'comment', 'md5', 'version', 'tags', 'encrypt_algo',
  'active', 'release_type', 'beta_labels', 'release_description', 'create_by', 'modify_by', 'ctime', 'mtime', 'seq',
  'deleted', 'content', 'data_key',
] as const;
const RELEASE = columns(RELEASE_NAMES);
/** For the change feed: content and key only while the row is live and active. */
const RELEASE_FEED = columns(RELEASE_NAMES, {
  content: `CASE WHEN active = 1 AND deleted = 0 THEN content ELSE '' END`,
  data_key: `CASE WHEN active = 1 AND deleted = 0 THEN data_key ELSE '' END`,
});

export const RELEASE_SELECT = RELEASE.list;
export const RELEASE_FEED_SELECT = RELEASE_FEED.list;

export function releaseFromRow(r: Row): ConfigRelease {
  const a = RELEASE.at;
  return {
    id: num(r[a.id]),
    namespace: str(r[a.namespace]),
    group: str(r[a.grp]),
    fileName: str(r[a.file_name]),
    name: str(r[a.name]),
    content: str(r[a.content]),
    format: str(r[a.format]),
    comment: str(r[a.comment]),
    md5: str(r[a.md5]),
    version: num(r[a.version]),
    tags: json<Tags>(r[a.tags], {}),
    encryptAlgo: str(r[a.encrypt_algo]),
    dataKey: str(r[a.data_key]),
    active: num(r[a.active]) === 1,
    releaseType: str(r[a.release_type]) === 'gray' ? 'gray' : 'full',
    betaLabels: json<GrayLabel[]>(r[a.beta_labels], []),
    releaseDescription: str(r[a.release_description]),
    createBy: str(r[a.create_by]),
    modifyBy: str(r[a.modify_by]),
    ctime: num(r[a.ctime]),
    mtime: num(r[a.mtime]),
  };
}

// ---- the change feed ----

const FEED_SLOTS = { group: GROUP.at, file: FILE_META.at, release: RELEASE.at } as const;

/** A feed row of `kind` (selected with its *_SELECT / *_FEED_SELECT list) with seq and deleted. */
export function versionedRow<T>(kind: keyof typeof FEED_SLOTS, r: Row, from: (r: Row) => T): Versioned<T> {
  const a = FEED_SLOTS[kind];
  return { seq: num(r[a.seq]), deleted: num(r[a.deleted]) === 1, value: from(r) };
}

// ---- history and templates ----

const HISTORY = columns([
  'id', 'namespace', 'grp', 'file_name', 'name', 'content', 'format', 'comment', 'md5', 'version', 'type', 'status',
  'reason', 'tags', 'encrypt_algo', 'data_key', 'release_description', 'create_by', 'modify_by', 'ctime', 'mtime',
] as const);

export const HISTORY_SELECT = HISTORY.list;

export function historyFromRow(r: Row): ReleaseHistory {
  const a = HISTORY.at;
  return {
    id: num(r[a.id]),
    namespace: str(r[a.namespace]),
    group: str(r[a.grp]),
    fileName: str(r[a.file_name]),
    name: str(r[a.name]),
    content: str(r[a.content]),
    format: str(r[a.format]),
    comment: str(r[a.comment]),
    md5: str(r[a.md5]),
    version: num(r[a.version]),
    type: str(r[a.type]),
    status: str(r[a.status]),
    reason: str(r[a.reason]),
    tags: json<Tags>(r[a.tags], {}),
    encryptAlgo: str(r[a.encrypt_algo]),
    dataKey: str(r[a.data_key]),
    releaseDescription: str(r[a.release_description]),
    createBy: str(r[a.create_by]),
    modifyBy: str(r[a.modify_by]),
    ctime: num(r[a.ctime]),
    mtime: num(r[a.mtime]),
  };
}

const TEMPLATE = columns(['id', 'name', 'content', 'format', 'comment', 'create_by', 'modify_by', 'ctime', 'mtime'] as const);

export const TEMPLATE_SELECT = TEMPLATE.list;

export function templateFromRow(r: Row): ConfigTemplate {
  const a = TEMPLATE.at;
  return {
    id: num(r[a.id]),
    name: str(r[a.name]),
    content: str(r[a.content]),
    format: str(r[a.format]),
    comment: str(r[a.comment]),
    createBy: str(r[a.create_by]),
    modifyBy: str(r[a.modify_by]),
    ctime: num(r[a.ctime]),
    mtime: num(r[a.mtime]),
  };
}

export function tagsText(tags: Tags | undefined): string {
  return JSON.stringify(tags ?? {});
}

export function labelsText(labels: GrayLabel[] | undefined): string {
  return JSON.stringify(labels ?? []);
}

export function metadataText(m: Record<string, string> | undefined): string {
  return JSON.stringify(m ?? {});
}
