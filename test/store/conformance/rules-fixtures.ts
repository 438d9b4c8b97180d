import type { Store } from '../../../src/store/api.js';
import type { RuleKind, RuleRow, RuleStore } from '../../../src/store/rules-api.js';
import { uniq } from './fixtures.js';

/** What a backend hands the rule-store suite for one test case. */
export interface RuleStoreHandle {
  rules: RuleStore;
  /** The naming store on the same data (shares the change sequence). */
  naming: Store;
  dispose(): Promise<void>;
  /** Optional: a second rule store on the same data, as another server process would open it. */
  openPeer?(): Promise<RuleStore>;
}

export interface RuleStoreFactory {
  name: string;
  create(): Promise<RuleStoreHandle>;
}

export async function withRuleStore(factory: RuleStoreFactory, fn: (h: RuleStoreHandle) => Promise<void>): Promise<void> {
  const h = await factory.create();
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
}

export function makeRule(kind: RuleKind, over: Partial<RuleRow> = {}): RuleRow {
  return {
    kind,
    id: uniq('rule'),
    name: uniq('name'),
    namespace: 'default',
    services: [{ namespace: 'default', service: uniq('svc') }],
    enable: true,
    revision: uniq('rev'),
    priority: 1,
    body: JSON.stringify({ hello: 'world', nested: { list: [1, 2, 3] } }),
    etime: 1_700_000_000_000,
    ctime: 0,
    mtime: 0,
    ...over,
  };
}

/** The fields a rule store must round-trip unchanged (times are the store's own). */
export function stored(r: RuleRow): Omit<RuleRow, 'ctime' | 'mtime'> {
  const { ctime: _c, mtime: _m, ...rest } = r;
  return rest;
}
