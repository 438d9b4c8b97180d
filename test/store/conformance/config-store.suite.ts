import { describe } from 'node:test';
import { describeConfigFeedSuite } from './config-feed.suite.js';
import type { ConfigStoreFactory } from './config-fixtures.js';
import { describeConfigModelSuite } from './config-model.suite.js';

export type { ConfigStoreFactory, ConfigStoreHandle } from './config-fixtures.js';

/**
 * The config-store contract (src/store/config-api.ts) as tests. Every backend runs all of it
 * through a factory; the suites use the public interfaces only and unique names.
 */
export function describeConfigStoreConformance(factory: ConfigStoreFactory): void {
  describe(`config store conformance: ${factory.name}`, () => {
    describeConfigModelSuite(factory);
    describeConfigFeedSuite(factory);
  });
}
