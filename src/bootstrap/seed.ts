import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { Namespace, Service } from '../common/model/naming.js';
import type { Store } from '../store/api.js';

/**
 * What a new polaris-server installation holds (eureka-xds-bootstrap.md §5.2): namespaces Polaris
 * and default and the system service polaris.checker, with the same fixed ids and tokens, so tools
 * that know them keep working. Runs under the start lock; existing rows are left alone.
 */
export async function seedDefaults(store: Store): Promise<void> {
  const now = Date.now();
  const namespaces: Namespace[] = [
    { name: 'Polaris', comment: 'Polaris-server', owner: 'polaris', token: '2d1bfe5d12e04d54b8ee69e62494c7fd' },
    { name: 'default', comment: 'Default Environment', owner: 'polaris', token: 'e2e473081d3d4306b52264e49f7ce227' },
  ].map((n) => ({ ...n, serviceExportTo: [], metadata: {}, ctime: now, mtime: now }));
  for (const ns of namespaces) {
    if (await store.getNamespace(ns.name)) continue;
    await ignoreExisting(store.createNamespace(ns));
  }
  if (!(await store.getService('Polaris', 'polaris.checker'))) {
    const checker: Service = {
      id: 'fbca9bfa04ae4ead86e1ecf5811e32a9',
      name: 'polaris.checker',
      namespace: 'Polaris',
      ports: '',
      business: 'polaris',
      department: '',
      cmdbMod1: '',
      cmdbMod2: '',
      cmdbMod3: '',
      comment: 'polaris checker service',
      owner: 'polaris',
      token: '7d19c46de327408d8709ee7392b7700b',
      revision: '301b1e9f0bbd47a6b697e26e99dfe012',
      reference: '',
      aliasType: 0,
      platformId: '',
      exportTo: [],
      metadata: {},
      ctime: now,
      mtime: now,
    };
    // A deleted checker service leaves its id behind as a tombstone: fall back to a fresh id.
    await ignoreExisting(store.createService(checker)).catch(async () => {
      await ignoreExisting(store.createService({ ...checker, id: checker.id.split('').reverse().join('') }));
    });
  }
}

async function ignoreExisting(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof PolarisError && err.code === Code.ExistedResource)) throw err;
  }
}
