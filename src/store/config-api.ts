import type {
  ConfigFile,
  ConfigFileKey,
  ConfigFileMeta,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  ReleaseHistory,
} from '../common/model/config.js';
import type { Namespace } from '../common/model/naming.js';
import type { Versioned } from './api.js';

/**
 * The config-center persistence contract, next to the naming contract in `api.ts` and sharing its
 * rules: every write transaction takes ONE value of the store's global change sequence (the same
 * `sys_seq` naming writes use, so config and naming changes are ordered together) and stamps it on
 * every row it writes or soft-deletes; caches follow `readConfigChanges(since)`.
 *
 * Not-found: `get*` resolves `undefined`. Duplicates: `create*` (and `saveRelease` of a new release)
 * reject with PolarisError(ExistedResource); updates of a missing row reject with
 * PolarisError(NotFoundResource). Deletes are soft and resolve whether a live row was deleted.
 * Ids are assigned by the store (positive, never reused); `ctime`/`mtime` are the store's clock.
 *
 * Backends: SQLite (`sqlite/config-store.ts`); MySQL must pass the same suite
 * (test/store/conformance/config-*.suite.ts).
 */

export interface ConfigChangeSet {
  /** The store's sequence at the snapshot; pass it as `since` next time. */
  seq: number;
  groups: Versioned<ConfigGroup>[];
  /** Files without content or data key. */
  files: Versioned<ConfigFileMeta>[];
  /**
   * Releases. `content` and `dataKey` are filled only for rows that are live AND active (what a
   * client can fetch); other rows carry '' there, so a full load never pulls old snapshots.
   */
  releases: Versioned<ConfigRelease>[];
}

export interface ReleaseHistoryQuery {
  /** Exact; '' = every namespace. */
  namespace: string;
  /** Substring of the group; '' = any. */
  group: string;
  /** Substring of the file name; '' = any. */
  fileName: string;
  /** Only ids below this (cursor); 0 = no cursor. */
  endId: number;
  offset: number;
  limit: number;
}

/** Operations usable inside a config transaction (and, outside one, as single writes / reads). */
export interface ConfigWrites {
  // Namespaces (auto-created by config writes in the same transaction).
  getNamespace(name: string): Promise<Namespace | undefined>;
  createNamespace(ns: Namespace): Promise<void>;

  // Groups.
  getGroup(namespace: string, name: string): Promise<ConfigGroup | undefined>;
  /** Live groups, of one namespace when given. */
  listGroups(namespace?: string): Promise<ConfigGroup[]>;
  createGroup(group: ConfigGroup): Promise<ConfigGroup>;
  /** Updates comment, owner, business, department, metadata and modifyBy (by namespace + name). */
  updateGroup(group: ConfigGroup): Promise<void>;
  deleteGroup(namespace: string, name: string): Promise<boolean>;
  countFilesInGroup(namespace: string, name: string): Promise<number>;

  // Files.
  getFile(key: ConfigFileKey): Promise<ConfigFile | undefined>;
  /** Live files (with content) of a namespace, or of one of its groups. */
  listFiles(namespace: string, group?: string): Promise<ConfigFile[]>;
  createFile(file: ConfigFile): Promise<ConfigFile>;
  /** Updates content, format, comment, tags, encryption and modifyBy (by key). */
  updateFile(file: ConfigFile): Promise<void>;
  deleteFile(key: ConfigFileKey): Promise<boolean>;

  // Releases (`key.name` = the FILE name; the release name is separate).
  getRelease(file: ConfigFileKey, releaseName: string): Promise<ConfigRelease | undefined>;
  /** Live releases of a file, highest version first. */
  listReleases(file: ConfigFileKey): Promise<ConfigRelease[]>;
  countActiveReleasesInGroup(namespace: string, group: string): Promise<number>;
  /**
   * Reserves the next version of a file: one more than any version ever handed out or saved for it,
   * even after its releases or the file itself were deleted or purged (clients compare versions, so
   * they must never go back). Only meaningful inside a transaction that then saves the release.
   */
  nextReleaseVersion(file: ConfigFileKey): Promise<number>;
  /**
   * `id` 0: creates the release (ExistedResource when a live release of that file has the name).
   * Otherwise replaces the live row with that id (NotFoundResource when there is none). Either way
   * the file's version counter is raised to `version` when below it.
   */
  saveRelease(release: ConfigRelease): Promise<ConfigRelease>;
  deleteRelease(file: ConfigFileKey, releaseName: string): Promise<boolean>;

  // History and templates.
  addReleaseHistory(entry: ReleaseHistory): Promise<ReleaseHistory>;
  getTemplate(name: string): Promise<ConfigTemplate | undefined>;
  createTemplate(template: ConfigTemplate): Promise<ConfigTemplate>;
}

export interface ConfigStore extends ConfigWrites {
  /**
   * Runs `fn` in one write transaction (the naming store's lock and sequence); commits when it
   * resolves, rolls back when it rejects. Use only `tx` inside.
   */
  transaction<T>(fn: (tx: ConfigWrites) => Promise<T>): Promise<T>;
  /** Changes with seq > since from one consistent snapshot; since = 0 gives live rows only. */
  readConfigChanges(since: number): Promise<ConfigChangeSet>;
  currentSeq(): Promise<number>;
  /** History ordered by id, newest first; `total` counts every match ignoring offset/limit. */
  listReleaseHistory(query: ReleaseHistoryQuery): Promise<{ total: number; items: ReleaseHistory[] }>;
  /** Every template, by id. */
  listTemplates(): Promise<ConfigTemplate[]>;
  /** Hard-deletes config tombstones older than `olderThanMs` and with seq < `belowSeq`. */
  purgeConfigTombstones(olderThanMs: number, belowSeq: number): Promise<number>;
}

/** A naming store that also hosts the config tables (same database, lock and sequence). */
export interface ConfigStoreProvider {
  config(): ConfigStore;
}

export function providesConfigStore(store: object): store is ConfigStoreProvider {
  return typeof (store as Partial<ConfigStoreProvider>).config === 'function';
}
