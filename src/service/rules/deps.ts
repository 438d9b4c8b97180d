import type { Logger } from 'pino';
import type { ItemResult } from '../../common/errors/batch.js';
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

/**
 * The write half of a rule batch (after the all-or-nothing validation pass): runs `write` for each
 * item in order, turning a thrown error into that item's failure via `onError`, then makes the
 * batch visible to this process's next read.
 */
export async function writeEach<V, R>(
  deps: Pick<RuleOpsDeps, 'store' | 'cache'>,
  items: readonly V[],
  write: (item: V) => Promise<ItemResult<R>>,
  onError: (err: unknown, item: V) => ItemResult<R>,
): Promise<ItemResult<R>[]> {
  const out: ItemResult<R>[] = [];
  for (const item of items) {
    try {
      out.push(await write(item));
    } catch (err) {
      out.push(onError(err, item));
    }
  }
  await syncRules(deps);
  return out;
}
