import { describe } from 'node:test';
import { describeChangeFeedSuite } from './change-feed.suite.js';
import { describeClientSuite } from './client.suite.js';
import { describeInstanceSuite } from './instance.suite.js';
import { describeNamespaceSuite } from './namespace.suite.js';
import { describePurgeSuite } from './purge.suite.js';
import { describeServiceSuite } from './service.suite.js';
import { describeStartLockSuite } from './start-lock.suite.js';
import { describeTxSuite } from './tx.suite.js';
import type { StoreFactory } from './fixtures.js';

export type { StoreFactory, StoreHandle } from './fixtures.js';

/**
 * The store contract as tests. Every backend runs all of it through a factory that creates a
 * fresh (or safely shared) store per case; the suites use the public `Store` interface only and
 * unique names, so they never depend on which backend runs them.
 */
export function describeStoreConformance(factory: StoreFactory): void {
  describe(`store conformance: ${factory.name}`, () => {
    describeNamespaceSuite(factory);
    describeServiceSuite(factory);
    describeInstanceSuite(factory);
    describeClientSuite(factory);
    describeTxSuite(factory);
    describeChangeFeedSuite(factory);
    describeStartLockSuite(factory);
    describePurgeSuite(factory);
  });
}
