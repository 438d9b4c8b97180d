/**
 * Plain domain types of the config center. No wire types: the config module converts at its front
 * door. Times are epoch milliseconds; ids are store-assigned positive integers (0 = not stored yet).
 */

/** Key → value labels of a file or release (duplicate keys collapse, as polaris stores them). */
export type Tags = Record<string, string>;

export interface ConfigFileKey {
  namespace: string;
  group: string;
  /** The file name; may contain `/`. */
  name: string;
}

export interface ConfigGroup {
  id: number;
  namespace: string;
  name: string;
  comment: string;
  owner: string;
  business: string;
  department: string;
  metadata: Record<string, string>;
  createBy: string;
  modifyBy: string;
  ctime: number;
  mtime: number;
}

/**
 * The editable draft of a configuration file. For an encrypted file `content` is the Base64 AES
 * ciphertext, `encryptAlgo` names the algorithm and `dataKey` is the Base64 data key; both are ''
 * for a plain file. `md5` is the hex MD5 of the stored `content`.
 */
export interface ConfigFile extends ConfigFileKey {
  id: number;
  content: string;
  format: string;
  comment: string;
  /** User tags only (never the internal encryption keys). */
  tags: Tags;
  encryptAlgo: string;
  dataKey: string;
  md5: string;
  createBy: string;
  modifyBy: string;
  ctime: number;
  mtime: number;
}

/** A file as the change feed carries it: everything but the content and the data key. */
export type ConfigFileMeta = Omit<ConfigFile, 'content' | 'dataKey'>;

/** polaris' `releaseType`: '' (full) or 'gray'. */
export type ReleaseType = 'full' | 'gray';

/** One condition of a gray (beta) release, matched against a client label. */
export interface GrayLabel {
  key: string;
  /** MatchString type name: EXACT, REGEX, NOT_EQUALS, IN, NOT_IN, RANGE. */
  type: string;
  value: string;
  /** MatchString value_type name (TEXT, PARAMETER, VARIABLE); kept for round trips. */
  valueType: string;
}

/**
 * A named snapshot of a file. At most one live release per file and type is `active`; clients only
 * see active releases. `version` is unique per file, forever (see ConfigWrites.nextReleaseVersion).
 */
export interface ConfigRelease {
  id: number;
  namespace: string;
  group: string;
  fileName: string;
  name: string;
  content: string;
  format: string;
  comment: string;
  md5: string;
  version: number;
  tags: Tags;
  encryptAlgo: string;
  dataKey: string;
  active: boolean;
  releaseType: ReleaseType;
  /** Non-empty only for gray releases. */
  betaLabels: GrayLabel[];
  releaseDescription: string;
  createBy: string;
  modifyBy: string;
  ctime: number;
  mtime: number;
}

/** One row of the append-only release log. */
export interface ReleaseHistory {
  id: number;
  namespace: string;
  group: string;
  fileName: string;
  /** The release name. */
  name: string;
  content: string;
  format: string;
  comment: string;
  md5: string;
  version: number;
  /** normal, gray (betaing), rollback, delete, cancel-gray, clean. */
  type: string;
  /** success or failure. */
  status: string;
  reason: string;
  tags: Tags;
  encryptAlgo: string;
  dataKey: string;
  releaseDescription: string;
  createBy: string;
  modifyBy: string;
  ctime: number;
  mtime: number;
}

export interface ConfigTemplate {
  id: number;
  name: string;
  content: string;
  format: string;
  comment: string;
  createBy: string;
  modifyBy: string;
  ctime: number;
  mtime: number;
}

export function fileKeyString(k: { namespace: string; group: string; name: string }): string {
  return `${k.namespace}\u0000${k.group}\u0000${k.name}`;
}

export function groupKeyString(namespace: string, group: string): string {
  return `${namespace}\u0000${group}`;
}
