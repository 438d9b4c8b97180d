import type {
  ConfigFile,
  ConfigGroup,
  ConfigRelease,
  ConfigTemplate,
  ReleaseHistory,
} from '../../../src/common/model/config.js';
import type { Store } from '../../../src/store/api.js';
import type { ConfigStore } from '../../../src/store/config-api.js';
import { uniq } from './fixtures.js';

/** What a backend hands the config-store suites for one test case. */
export interface ConfigStoreHandle {
  config: ConfigStore;
  /** The naming store on the same data (shares the change sequence). */
  naming: Store;
  dispose(): Promise<void>;
  /** Optional: a second config store on the same data, as another server process would open it. */
  openPeer?(): Promise<ConfigStore>;
}

export interface ConfigStoreFactory {
  name: string;
  create(): Promise<ConfigStoreHandle>;
}

export async function withConfigStore(
  factory: ConfigStoreFactory,
  fn: (h: ConfigStoreHandle) => Promise<void>,
): Promise<void> {
  const h = await factory.create();
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
}

export function makeGroup(over: Partial<ConfigGroup> = {}): ConfigGroup {
  return {
    id: 0,
    namespace: uniq('ns'),
    name: uniq('grp'),
    comment: 'a group',
    owner: 'polaris',
    business: 'biz',
    department: 'dep',
    metadata: { team: 'infra' },
    createBy: 'polaris',
    modifyBy: 'polaris',
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeFile(over: Partial<ConfigFile> = {}): ConfigFile {
  return {
    id: 0,
    namespace: uniq('ns'),
    group: uniq('grp'),
    name: `dir/${uniq('file')}.yaml`,
    content: 'a: 1\n',
    format: 'yaml',
    comment: 'a file',
    tags: { env: 'dev', 'a-b': 'c' },
    encryptAlgo: '',
    dataKey: '',
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    createBy: 'polaris',
    modifyBy: 'polaris',
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeRelease(file: { namespace: string; group: string; name: string }, over: Partial<ConfigRelease> = {}): ConfigRelease {
  return {
    id: 0,
    namespace: file.namespace,
    group: file.group,
    fileName: file.name,
    name: uniq('rel'),
    content: 'a: 1\n',
    format: 'yaml',
    comment: 'a release',
    md5: 'md5',
    version: 1,
    tags: { env: 'dev' },
    encryptAlgo: '',
    dataKey: '',
    active: true,
    releaseType: 'full',
    betaLabels: [],
    releaseDescription: 'desc',
    createBy: 'polaris',
    modifyBy: 'polaris',
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeHistory(over: Partial<ReleaseHistory> = {}): ReleaseHistory {
  return {
    id: 0,
    namespace: uniq('ns'),
    group: uniq('grp'),
    fileName: uniq('file'),
    name: uniq('rel'),
    content: 'x',
    format: 'text',
    comment: '',
    md5: 'md5',
    version: 1,
    type: 'normal',
    status: 'success',
    reason: '',
    tags: {},
    encryptAlgo: '',
    dataKey: '',
    releaseDescription: '',
    createBy: 'polaris',
    modifyBy: 'polaris',
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

export function makeTemplate(over: Partial<ConfigTemplate> = {}): ConfigTemplate {
  return {
    id: 0,
    name: uniq('tpl'),
    content: 'k: v',
    format: 'yaml',
    comment: 'a template',
    createBy: 'polaris',
    modifyBy: 'polaris',
    ctime: 0,
    mtime: 0,
    ...over,
  };
}
