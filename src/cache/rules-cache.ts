import type { Logger } from 'pino';
import type { Lifecycle } from '../common/lifecycle.js';
import { FeedCache, type FeedFollowerConfig } from '../common/feed-follower.js';
import type { RuleChangeSet, RuleKind, RuleRow, RuleServiceKey, RuleStore } from '../store/rules-api.js';

/** A cached rule: its row and its body, parsed once when the row arrives. */
export interface RuleEntry<B = unknown> {
  row: RuleRow;
  body: B;
}

/**
 * Where a rule is indexed: named indexes (e.g. a route rule's `in` by callee and `out` by caller)
 * under exact service keys. Wildcard keys (`*`) are keys of their own; readers compose the lookup
 * order (service, namespace wildcard, global wildcard) themselves.
 */
export type RuleIndexer = (entry: RuleEntry) => Array<{ index: string; key: RuleServiceKey }>;

/** By default a rule is indexed as `svc` under every service it binds to. */
export const DEFAULT_INDEX = 'svc';

const defaultIndexer: RuleIndexer = (e) => e.row.services.map((key) => ({ index: DEFAULT_INDEX, key }));

export type RulesChangeListener = (kinds: ReadonlySet<RuleKind>) => void;

/** Read side of the governance rules; refreshed from the store's change sequence. */
export interface RulesReader {
  /** The store sequence this cache reflects. */
  seq(): number;
  /** Resolves once the cache reflects at least `seq` (read-your-writes). */
  waitFor(seq: number): Promise<void>;
  refresh(): Promise<void>;
  get<B = unknown>(kind: RuleKind, id: string): RuleEntry<B> | undefined;
  all<B = unknown>(kind: RuleKind): Iterable<RuleEntry<B>>;
  /** Rules of `kind` indexed under exactly `key` in `index`, ordered by id. */
  bound<B = unknown>(kind: RuleKind, index: string, key: RuleServiceKey): RuleEntry<B>[];
  /** Goes up whenever a rule of that kind changes; readers memoise derived answers on it. */
  version(kind: RuleKind): number;
  onChange(listener: RulesChangeListener): () => void;
}

export interface RulesCacheConfig extends FeedFollowerConfig {
  /** Index builders per kind (default: `svc` over the row's bound services). */
  indexers?: Partial<Record<RuleKind, RuleIndexer>>;
}

function keyOf(index: string, k: RuleServiceKey): string {
  return `${index}\u0000${k.namespace}\u0000${k.service}`;
}

/**
 * In-memory read model of every rule kind: a full load at start, then the change feed (seq >
 * last seen), like the naming cache. Writers call `waitFor(seq)` after committing, so the next
 * read (a Discover on any stream) already sees their change.
 */
export class RulesCache extends FeedCache<RuleChangeSet> implements RulesReader {
  private readonly entries = new Map<RuleKind, Map<string, RuleEntry>>();
  /** kind → index key → rule ids */
  private readonly indexes = new Map<RuleKind, Map<string, Set<string>>>();
  /** kind + id → the index keys it was put under (to remove it again) */
  private readonly placed = new Map<string, string[]>();
  private readonly versions = new Map<RuleKind, number>();
  private readonly listeners = new Set<RulesChangeListener>();

  constructor(
    private readonly deps: { store: RuleStore; logger: Logger; onRefreshError?: (err: unknown) => void },
    private readonly config: RulesCacheConfig,
  ) {
    super(
      {
        name: 'rules',
        logger: deps.logger,
        onRefreshError: deps.onRefreshError,
        currentSeq: () => deps.store.currentSeq(),
        read: (since) => deps.store.readRuleChanges(since),
      },
      config,
    );
  }

  protected apply(cs: RuleChangeSet): void {
    const changed = new Set<RuleKind>();
    for (const v of cs.rules) {
      const row = v.value;
      this.remove(row.kind, row.id);
      if (!v.deleted) this.add(row);
      changed.add(row.kind);
    }
    for (const kind of changed) this.versions.set(kind, (this.versions.get(kind) ?? 0) + 1);
    if (changed.size === 0) return;
    for (const l of this.listeners) {
      try {
        l(changed);
      } catch (err) {
        this.deps.logger.error({ err }, 'rules cache listener failed');
      }
    }
  }

  private add(row: RuleRow): void {
    let body: unknown;
    try {
      body = JSON.parse(row.body);
    } catch (err) {
      this.deps.logger.error({ err, kind: row.kind, id: row.id }, 'rule body is not JSON; rule skipped');
      return;
    }
    const entry: RuleEntry = { row, body };
    let byId = this.entries.get(row.kind);
    if (!byId) this.entries.set(row.kind, (byId = new Map()));
    byId.set(row.id, entry);
    let idx = this.indexes.get(row.kind);
    if (!idx) this.indexes.set(row.kind, (idx = new Map()));
    const indexer = this.config.indexers?.[row.kind] ?? defaultIndexer;
    const keys: string[] = [];
    let places: Array<{ index: string; key: RuleServiceKey }> = [];
    try {
      places = indexer(entry);
    } catch (err) {
      this.deps.logger.error({ err, kind: row.kind, id: row.id }, 'rule cannot be indexed');
    }
    for (const p of places) {
      const k = keyOf(p.index, p.key);
      let ids = idx.get(k);
      if (!ids) idx.set(k, (ids = new Set()));
      ids.add(row.id);
      keys.push(k);
    }
    this.placed.set(`${row.kind}\u0000${row.id}`, keys);
  }

  private remove(kind: RuleKind, id: string): void {
    const byId = this.entries.get(kind);
    if (!byId?.delete(id)) return;
    const pk = `${kind}\u0000${id}`;
    const idx = this.indexes.get(kind);
    for (const k of this.placed.get(pk) ?? []) {
      const ids = idx?.get(k);
      ids?.delete(id);
      if (ids && ids.size === 0) idx?.delete(k);
    }
    this.placed.delete(pk);
  }

  get<B = unknown>(kind: RuleKind, id: string): RuleEntry<B> | undefined {
    return this.entries.get(kind)?.get(id) as RuleEntry<B> | undefined;
  }

  all<B = unknown>(kind: RuleKind): Iterable<RuleEntry<B>> {
    return (this.entries.get(kind)?.values() ?? []) as Iterable<RuleEntry<B>>;
  }

  bound<B = unknown>(kind: RuleKind, index: string, key: RuleServiceKey): RuleEntry<B>[] {
    const ids = this.indexes.get(kind)?.get(keyOf(index, key));
    if (!ids) return [];
    const byId = this.entries.get(kind);
    const out: RuleEntry<B>[] = [];
    for (const id of [...ids].sort()) {
      const e = byId?.get(id);
      if (e) out.push(e as RuleEntry<B>);
    }
    return out;
  }

  version(kind: RuleKind): number {
    return this.versions.get(kind) ?? 0;
  }

  onChange(listener: RulesChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
