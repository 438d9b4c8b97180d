import { Code } from '../common/errors/codes.js';
import type { ConfigFileKey, ConfigRelease, GrayLabel, ReleaseHistory, ReleaseType } from '../common/model/config.js';
import type { ConfigWrites } from '../store/config-api.js';
import { md5Hex } from './core.js';
import { configError } from './errors.js';

/**
 * Release state changes, each run inside the caller's transaction. Invariants kept here:
 * - at most one live active release per file and type;
 * - every activation takes a new version from the store (highest ever + 1, deleted ones included),
 *   so a client's version never runs ahead of the server's after a delete and re-create;
 * - deleting or replacing an active release moves the version, so watchers always wake up.
 */

export interface PublishInput {
  key: ConfigFileKey;
  name: string;
  comment: string;
  releaseDescription: string;
  releaseType: ReleaseType;
  betaLabels: GrayLabel[];
  by: string;
}

export type HistoryType = 'normal' | 'betaing' | 'rollback' | 'delete' | 'cancel-gray';

export function historyOf(r: ConfigRelease, type: HistoryType, by: string, reason = ''): ReleaseHistory {
  return {
    id: 0,
    namespace: r.namespace,
    group: r.group,
    fileName: r.fileName,
    name: r.name,
    content: r.content,
    format: r.format,
    comment: r.comment,
    md5: r.md5,
    version: r.version,
    type,
    status: 'success',
    reason,
    tags: { ...r.tags },
    encryptAlgo: r.encryptAlgo,
    dataKey: r.dataKey,
    releaseDescription: r.releaseDescription,
    createBy: by,
    modifyBy: by,
    ctime: 0,
    mtime: 0,
  };
}

/** Deactivates the active releases of one type except `keepId`. */
async function deactivateOthers(tx: ConfigWrites, releases: ConfigRelease[], type: ReleaseType, keepId: number, by: string): Promise<void> {
  for (const r of releases) {
    if (r.active && r.releaseType === type && r.id !== keepId) {
      await tx.saveRelease({ ...r, active: false, betaLabels: type === 'gray' ? [] : r.betaLabels, modifyBy: by });
    }
  }
}

/**
 * Publishes the file's current draft as release `name` (or re-activates an existing release of
 * that name with a new version, as polaris does). Refused with 409000 while a gray release is
 * active, 400202 when the file does not exist.
 */
export async function publishInTx(tx: ConfigWrites, input: PublishInput): Promise<ConfigRelease> {
  const { key, by } = input;
  const releases = await tx.listReleases(key);
  if (releases.some((r) => r.active && r.releaseType === 'gray')) throw configError(Code.DataConflict);
  const file = await tx.getFile(key);
  if (!file) throw configError(Code.NotFoundResource);
  const existing = releases.find((r) => r.name === input.name);
  const version = await tx.nextReleaseVersion(key);
  await deactivateOthers(tx, releases, input.releaseType, existing?.id ?? 0, by);
  const labels = input.releaseType === 'gray' ? input.betaLabels : [];
  if (existing) {
    return tx.saveRelease({
      ...existing,
      version,
      active: true,
      releaseType: input.releaseType,
      betaLabels: labels,
      modifyBy: by,
    });
  }
  return tx.saveRelease({
    id: 0,
    namespace: key.namespace,
    group: key.group,
    fileName: key.name,
    name: input.name,
    content: file.content,
    format: file.format,
    comment: input.comment,
    md5: md5Hex(file.content),
    version,
    tags: { ...file.tags },
    encryptAlgo: file.encryptAlgo,
    dataKey: file.dataKey,
    active: true,
    releaseType: input.releaseType,
    betaLabels: labels,
    releaseDescription: input.releaseDescription,
    createBy: by,
    modifyBy: by,
    ctime: 0,
    mtime: 0,
  });
}

/** Re-activates a named release as the full release, with a new version. 400202 when unknown. */
export async function rollbackInTx(tx: ConfigWrites, key: ConfigFileKey, name: string, by: string): Promise<ConfigRelease> {
  const releases = await tx.listReleases(key);
  const target = releases.find((r) => r.name === name);
  if (!target) throw configError(Code.NotFoundResource);
  if (releases.some((r) => r.active && r.releaseType === 'gray' && r.id !== target.id)) throw configError(Code.DataConflict);
  const version = await tx.nextReleaseVersion(key);
  await deactivateOthers(tx, releases, 'full', target.id, by);
  return tx.saveRelease({ ...target, version, active: true, releaseType: 'full', betaLabels: [], modifyBy: by });
}

/**
 * Deletes one release. An active one first moves to a new version, so watchers hear about the
 * delete. Resolves the deleted release (with its last version), or undefined when there was none.
 */
export async function deleteReleaseInTx(tx: ConfigWrites, key: ConfigFileKey, name: string, by: string): Promise<ConfigRelease | undefined> {
  const found = await tx.getRelease(key, name);
  if (!found) return undefined;
  let last = found;
  if (found.active) last = await tx.saveRelease({ ...found, version: await tx.nextReleaseVersion(key), modifyBy: by });
  await tx.deleteRelease(key, name);
  return last;
}

/**
 * Ends a gray release: its rule is dropped and it is deactivated. The active full release (if any)
 * then moves to a new version, so clients that were served the gray content are told to fetch the
 * full one again (polaris leaves them on the gray content until the next publish).
 */
export async function stopBetaInTx(tx: ConfigWrites, key: ConfigFileKey, by: string): Promise<ConfigRelease | undefined> {
  const releases = await tx.listReleases(key);
  const gray = releases.find((r) => r.active && r.releaseType === 'gray');
  if (!gray) return undefined;
  await tx.saveRelease({ ...gray, active: false, betaLabels: [], modifyBy: by });
  const full = releases.find((r) => r.active && r.releaseType === 'full');
  if (full) await tx.saveRelease({ ...full, version: await tx.nextReleaseVersion(key), modifyBy: by });
  return gray;
}

/** Deletes every release of a file (the active one moves to a new version first). */
export async function cleanReleasesInTx(tx: ConfigWrites, key: ConfigFileKey, by: string): Promise<ConfigRelease | undefined> {
  let deletedActive: ConfigRelease | undefined;
  for (const r of await tx.listReleases(key)) {
    const last = await deleteReleaseInTx(tx, key, r.name, by);
    if (r.active && r.releaseType === 'full') deletedActive = last;
  }
  return deletedActive;
}
