import type {
  ClientLabel,
  ConfigFile as WireConfigFile,
  ConfigFileGroup as WireConfigFileGroup,
  ConfigFileRelease as WireConfigFileRelease,
  ConfigFileReleaseHistory as WireReleaseHistory,
  ConfigFileTag,
  ConfigFileTemplate as WireConfigFileTemplate,
  MatchString,
} from '../common/api/gen/wire.js';
import type {
  ConfigFile,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  GrayLabel,
  ReleaseHistory,
  Tags,
} from '../common/model/config.js';
import { formatTime } from '../common/utils/time.js';
import { TAG_ENCRYPT_ALGO, TAG_ENCRYPTED } from './validate.js';

/** Domain → wire objects of the config center (proto field names, 64-bit values as strings). */

export function tagsToWire(tags: Tags): ConfigFileTag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** The tags a console reader sees: user tags plus the encryption markers (never the data key). */
export function consoleTags(tags: Tags, encryptAlgo: string): ConfigFileTag[] {
  const out = tagsToWire(tags);
  if (encryptAlgo) {
    out.push({ key: TAG_ENCRYPT_ALGO, value: encryptAlgo }, { key: TAG_ENCRYPTED, value: 'true' });
  }
  return out;
}

export function groupToWire(g: ConfigGroup, fileCount: number): WireConfigFileGroup {
  return {
    id: String(g.id),
    name: g.name,
    namespace: g.namespace,
    comment: g.comment,
    create_time: formatTime(g.ctime),
    create_by: g.createBy,
    modify_time: formatTime(g.mtime),
    modify_by: g.modifyBy,
    fileCount: String(fileCount),
    user_ids: [],
    group_ids: [],
    remove_user_ids: [],
    remove_group_ids: [],
    editable: true,
    owner: g.owner,
    business: g.business,
    department: g.department,
    metadata: { ...g.metadata },
    deleteable: true,
  };
}

export interface FileReleaseState {
  status: string;
  releaseTime: string;
  releaseBy: string;
}

/** A file for console readers; `content` is the plaintext (decrypted by the caller). */
export function fileToWire(f: Omit<ConfigFile, 'content' | 'dataKey'>, content: string | null, state: FileReleaseState): WireConfigFile {
  return {
    id: String(f.id),
    name: f.name,
    namespace: f.namespace,
    group: f.group,
    content,
    format: f.format,
    comment: f.comment,
    status: state.status,
    tags: consoleTags(f.tags, f.encryptAlgo),
    create_time: formatTime(f.ctime),
    create_by: f.createBy,
    modify_time: formatTime(f.mtime),
    modify_by: f.modifyBy,
    release_time: state.releaseTime,
    release_by: state.releaseBy,
    encrypted: f.encryptAlgo !== '',
    encrypt_algo: f.encryptAlgo,
  };
}

export function grayLabelsToWire(labels: readonly GrayLabel[]): ClientLabel[] {
  return labels.map((l) => ({
    key: l.key,
    value: {
      type: l.type as MatchString['type'],
      value: l.value,
      value_type: (l.valueType || 'TEXT') as MatchString['value_type'],
    },
  }));
}

export function grayLabelsFromWire(labels: readonly ClientLabel[] | null | undefined): GrayLabel[] {
  return (labels ?? []).map((l) => ({
    key: l?.key ?? '',
    type: l?.value?.type ?? 'EXACT',
    value: l?.value?.value ?? '',
    valueType: l?.value?.value_type ?? 'TEXT',
  }));
}

/** A release for console readers; `content` null leaves it out (lists). */
export function releaseToWire(r: ConfigRelease, content: string | null): WireConfigFileRelease {
  return {
    id: String(r.id),
    name: r.name,
    namespace: r.namespace,
    group: r.group,
    file_name: r.fileName,
    content,
    comment: r.comment,
    md5: r.md5,
    version: String(r.version),
    create_time: formatTime(r.ctime),
    create_by: r.createBy,
    modify_time: formatTime(r.mtime),
    modify_by: r.modifyBy,
    tags: consoleTags(r.tags, r.encryptAlgo),
    active: r.active,
    format: r.format,
    release_description: r.releaseDescription,
    release_type: r.releaseType === 'gray' ? 'gray' : '',
    beta_labels: r.releaseType === 'gray' ? grayLabelsToWire(r.betaLabels) : [],
  };
}

export function historyToWire(h: ReleaseHistory, content: string): WireReleaseHistory {
  return {
    id: String(h.id),
    name: h.name,
    namespace: h.namespace,
    group: h.group,
    file_name: h.fileName,
    content,
    format: h.format,
    comment: h.comment,
    md5: h.md5,
    type: h.type,
    status: h.status,
    tags: consoleTags(h.tags, h.encryptAlgo),
    create_time: formatTime(h.ctime),
    create_by: h.createBy,
    modify_time: formatTime(h.mtime),
    modify_by: h.modifyBy,
    reason: h.reason,
    release_description: h.releaseDescription,
  };
}

export function templateToWire(t: ConfigTemplate): WireConfigFileTemplate {
  return {
    id: String(t.id),
    name: t.name,
    content: t.content,
    format: t.format,
    comment: t.comment,
    create_time: formatTime(t.ctime),
    create_by: t.createBy,
    modify_time: formatTime(t.mtime),
    modify_by: t.modifyBy,
  };
}
