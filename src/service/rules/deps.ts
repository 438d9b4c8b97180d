import type { Logger } from 'pino';
import type { NamingReader } from '../../cache/api.js';
import type { RulesReader } from '../../cache/rules-cache.js';
import type { RuleStore } from '../../store/rules-api.js';

/** What every rule-type module of src/service/rules needs. */
export interface RuleOpsDeps {
  store: RuleStore;
  cache: RulesReader;
  /** Services, for rules that must name an existing service and for alias resolution. */
  naming: NamingReader;
  logger: Logger;
}

/** Makes this process's own writes visible to the next read (Discover included). */
export async function syncRules(deps: Pick<RuleOpsDeps, 'store' | 'cache'>): Promise<void> {
  await deps.cache.waitFor(await deps.store.currentSeq());
}
