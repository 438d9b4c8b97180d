import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { FeedCache, type FeedFollowerConfig } from '../common/feed-follower.js';
import type { Lifecycle } from '../common/lifecycle.js';
import {
  fileKeyString,
  groupKeyString,
  type ConfigFileMeta,
  type ConfigGroup,
  type ConfigRelease,
  type ReleaseType,
} from '../common/model/config.js';
import type { ConfigChangeSet, ConfigStore } from '../store/config-api.js';

/** Longest time between two reads of the feed (1 s) and the sequence probe; own writes never wait. */
export type ConfigCacheConfig = FeedFollowerConfig;

/** Files (fileKeyString) whose releases changed in one refresh, handed to listeners after applying. */
export type ReleaseChangeListener = (fileKeys: ReadonlySet<string>) => void;

/** The active releases of a group with polaris' group revision. */
export interface GroupReleases {
  releases: readonly ConfigRelease[];
  /** '' when the group has no active release. */
  revision: string;
}

const EMPTY_GROUP: GroupReleases = { releases: [], revision: '' };

/**
 * In-memory read model of the config center, fed by the store's change sequence: groups, file
 * metadata (no content), every live release's metadata and the content of active releases. Client
 * fetches and watches read only from here. A refresh applies one consistent snapshot at once, so a
 * reader never sees a file without its active release in the middle of a publish or rollback.
 */
export class ConfigCache extends FeedCache<ConfigChangeSet> {
  private readonly groupsByKey = new Map<string, ConfigGroup>();
  private readonly groupsByNs = new Map<string, Map<string, ConfigGroup>>();
  private readonly filesByKey = new Map<string, ConfigFileMeta>();
  private readonly filesByGroup = new Map<string, Map<string, ConfigFileMeta>>();
  private readonly releasesById = new Map<number, ConfigRelease>();
  private readonly releasesByFile = new Map<string, Map<number, ConfigRelease>>();
  private readonly activeFull = new Map<string, ConfigRelease>();
  private readonly activeGray = new Map<string, ConfigRelease>();
  /** Version of the last active full release removed by a delete, per file. */
  private readonly deletedVersions = new Map<string, number>();
  private readonly groupReleases = new Map<string, GroupReleases>();
  private readonly nsGroupRevision = new Map<string, string>();
  private readonly listeners = new Set<ReleaseChangeListener>();

  constructor(
    private readonly deps: { store: ConfigStore; logger: Logger; onRefreshError?: (err: unknown) => void },
    config: ConfigCacheConfig,
  ) {
    super(
      {
        name: 'config',
        logger: deps.logger,
        onRefreshError: deps.onRefreshError,
        currentSeq: () => deps.store.currentSeq(),
        read: (since) => deps.store.readConfigChanges(since),
      },
      config,
    );
  }

  onReleaseChange(listener: ReleaseChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reads ----

  group(namespace: string, name: string): ConfigGroup | undefined {
    return this.groupsByKey.get(groupKeyString(namespace, name));
  }

  groups(namespace?: string): Iterable<ConfigGroup> {
    if (namespace === undefined) return this.groupsByKey.values();
    return this.groupsByNs.get(namespace)?.values() ?? [];
  }

  /** Revision of a namespace's group list ('' when it has none). */
  groupsRevision(namespace: string): string {
    let rev = this.nsGroupRevision.get(namespace);
    if (rev === undefined) {
      const list = [...this.groups(namespace)];
      if (list.length === 0) rev = '';
      else {
        const h = createHash('sha1');
        for (const g of list.sort((a, b) => a.id - b.id)) h.update(`${g.id}:${g.name}:${g.mtime};`);
        rev = h.digest('hex');
      }
      this.nsGroupRevision.set(namespace, rev);
    }
    return rev;
  }

  file(namespace: string, group: string, name: string): ConfigFileMeta | undefined {
    return this.filesByKey.get(fileKeyString({ namespace, group, name }));
  }

  files(): Iterable<ConfigFileMeta> {
    return this.filesByKey.values();
  }

  filesOfGroup(namespace: string, group: string): Iterable<ConfigFileMeta> {
    return this.filesByGroup.get(groupKeyString(namespace, group))?.values() ?? [];
  }

  fileCount(namespace: string, group: string): number {
    return this.filesByGroup.get(groupKeyString(namespace, group))?.size ?? 0;
  }

  /** The active release of a file by key string (content included). */
  activeRelease(fileKey: string, type: ReleaseType): ConfigRelease | undefined {
    return (type === 'gray' ? this.activeGray : this.activeFull).get(fileKey);
  }

  /** Live releases of a file: metadata only (content '' unless active). */
  releasesOf(fileKey: string): Iterable<ConfigRelease> {
    return this.releasesByFile.get(fileKey)?.values() ?? [];
  }

  releases(): Iterable<ConfigRelease> {
    return this.releasesById.values();
  }

  /** Version of the file's active full release when it was deleted (0 when not deleted since load). */
  deletedVersion(fileKey: string): number {
    return this.deletedVersions.get(fileKey) ?? 0;
  }

  /** Active full releases of a group and its revision (hex SHA-1 of their versions). */
  groupActiveReleases(namespace: string, group: string): GroupReleases {
    const gk = groupKeyString(namespace, group);
    let cached = this.groupReleases.get(gk);
    if (!cached) {
      const releases: ConfigRelease[] = [];
      for (const f of this.filesOfGroup(namespace, group)) {
        const r = this.activeFull.get(fileKeyString(f));
        if (r) releases.push(r);
      }
      // Releases of files the cache has no row for (a file deleted concurrently) are skipped.
      releases.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
      if (releases.length === 0) cached = EMPTY_GROUP;
      else {
        const h = createHash('sha1');
        for (const r of releases) h.update(`${r.fileName}:${r.version};`);
        cached = { releases, revision: h.digest('hex') };
      }
      this.groupReleases.set(gk, cached);
    }
    return cached;
  }

  // ---- applying the feed ----

  protected apply(cs: ConfigChangeSet): void {
    const changedFiles = new Set<string>();
    const changedGroups = new Set<string>();
    for (const row of cs.groups) this.applyGroup(row.value, row.deleted);
    for (const row of cs.files) {
      this.applyFile(row.value, row.deleted);
      changedGroups.add(groupKeyString(row.value.namespace, row.value.group));
    }
    for (const row of cs.releases) {
      const key = this.applyRelease(row.value, row.deleted);
      changedFiles.add(key);
      changedGroups.add(groupKeyString(row.value.namespace, row.value.group));
    }
    for (const gk of changedGroups) this.groupReleases.delete(gk);
    if (cs.groups.length > 0) this.nsGroupRevision.clear();
    if (changedFiles.size === 0) return;
    for (const l of this.listeners) {
      try {
        l(changedFiles);
      } catch (err) {
        this.deps.logger.error({ err }, 'config cache listener failed');
      }
    }
  }

  private applyGroup(g: ConfigGroup, deleted: boolean): void {
    const key = groupKeyString(g.namespace, g.name);
    const cur = this.groupsByKey.get(key);
    // Rows are applied in seq order; an older id's tombstone must not remove a re-created group.
    if (deleted) {
      if (cur && cur.id === g.id) {
        this.groupsByKey.delete(key);
        this.groupsByNs.get(g.namespace)?.delete(g.name);
      }
      return;
    }
    this.groupsByKey.set(key, g);
    let m = this.groupsByNs.get(g.namespace);
    if (!m) this.groupsByNs.set(g.namespace, (m = new Map()));
    m.set(g.name, g);
  }

  private applyFile(f: ConfigFileMeta, deleted: boolean): void {
    const key = fileKeyString(f);
    const gk = groupKeyString(f.namespace, f.group);
    const cur = this.filesByKey.get(key);
    if (deleted) {
      if (cur && cur.id === f.id) {
        this.filesByKey.delete(key);
        const m = this.filesByGroup.get(gk);
        m?.delete(key);
        if (m && m.size === 0) this.filesByGroup.delete(gk);
      }
      return;
    }
    this.filesByKey.set(key, f);
    let m = this.filesByGroup.get(gk);
    if (!m) this.filesByGroup.set(gk, (m = new Map()));
    m.set(key, f);
  }

  private applyRelease(r: ConfigRelease, deleted: boolean): string {
    const key = fileKeyString({ namespace: r.namespace, group: r.group, name: r.fileName });
    const old = this.releasesById.get(r.id);
    if (old) {
      this.releasesById.delete(r.id);
      this.releasesByFile.get(key)?.delete(r.id);
      for (const active of [this.activeFull, this.activeGray]) {
        if (active.get(key)?.id === r.id) {
          active.delete(key);
          if (deleted && active === this.activeFull) this.deletedVersions.set(key, r.version);
        }
      }
    }
    if (deleted) {
      const m = this.releasesByFile.get(key);
      if (m && m.size === 0) this.releasesByFile.delete(key);
      return key;
    }
    // Only active releases keep their content and key in memory.
    const kept: ConfigRelease = r.active ? r : { ...r, content: '', dataKey: '' };
    this.releasesById.set(r.id, kept);
    let m = this.releasesByFile.get(key);
    if (!m) this.releasesByFile.set(key, (m = new Map()));
    m.set(r.id, kept);
    if (r.active) {
      (r.releaseType === 'gray' ? this.activeGray : this.activeFull).set(key, kept);
      if (r.releaseType !== 'gray') this.deletedVersions.delete(key);
    }
    return key;
  }
}
