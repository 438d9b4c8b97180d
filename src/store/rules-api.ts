import type { Versioned } from './api.js';

/**
 * The persistence contract of the governance rules (route rules, rate limits, circuit breakers,
 * fault detectors, lane groups, service contracts). Backend-neutral, like `Store`; every backend
 * must pass test/store/conformance/rules-*.suite.ts.
 *
 * Every rule type is stored the same way: one row per rule, keyed by (kind, id), carrying the
 * columns the server looks rules up by (name, namespace, the services the rule binds to, enable,
 * priority, revision) and the rule body as JSON text. The body's shape belongs to the rules module
 * (src/service/rules/convert.ts); the store never looks inside it.
 *
 * Change sequence: rules share the naming store's one monotonic sequence (`sys_seq` in SQLite).
 * Every write transaction takes the next value and stamps it on every row it writes or deletes;
 * deletes are soft (tombstones with `deleted = true`) until `purgeRuleTombstones`. A rules cache
 * loads incrementally with `readRuleChanges(since)`; writers make their writes visible with
 * `cache.waitFor(await store.currentSeq())`.
 *
 * Not-found: `get*` / `find*` resolve `undefined`; they never throw for that.
 */

export type RuleKind = 'route' | 'ratelimit' | 'circuitbreaker' | 'faultdetect' | 'lane' | 'contract';

export const RULE_KINDS: readonly RuleKind[] = ['route', 'ratelimit', 'circuitbreaker', 'faultdetect', 'lane', 'contract'];

/** A service a rule binds to. Either part may be `*` (wildcard) where the rule type allows it. */
export interface RuleServiceKey {
  namespace: string;
  service: string;
}

export interface RuleRow {
  kind: RuleKind;
  id: string;
  name: string;
  /** The rule's own namespace; '' for kinds without one (lane groups). */
  namespace: string;
  /** The services the rule binds to (lookup keys), deduplicated, in the order given. */
  services: RuleServiceKey[];
  enable: boolean;
  revision: string;
  priority: number;
  /** The rule body: JSON text whose shape the rules module defines per kind. */
  body: string;
  /** When the rule was last enabled (epoch ms); 0 = never. Set by the caller. */
  etime: number;
  /** Epoch ms of the store's clock: stamped on create (kept on update). Ignored on input. */
  ctime: number;
  /** Epoch ms of the store's clock: stamped on every write. Ignored on input. */
  mtime: number;
}

/** Every rule row that changed after a sequence value, read from one consistent snapshot. */
export interface RuleChangeSet {
  /** The store's sequence at the snapshot; pass it as `since` next time. */
  seq: number;
  /** Rows with seq > since (tombstones included); since = 0 gives every live row, no tombstone. */
  rules: Versioned<RuleRow>[];
}

export interface RuleWrites {
  /** The live rule of that kind and id. */
  getRule(kind: RuleKind, id: string): Promise<RuleRow | undefined>;
  /** The live rule of that kind with that namespace and name (the first by id if several). */
  findRuleByName(kind: RuleKind, namespace: string, name: string): Promise<RuleRow | undefined>;
  /**
   * Live rules of a kind, ordered by id; with `bound`, only those bound to exactly that service
   * key (a wildcard key matches only rules bound to the same wildcard key).
   */
  listRules(kind: RuleKind, bound?: RuleServiceKey): Promise<RuleRow[]>;
  /** Live rules of any kind in `kinds` bound to exactly that service key. */
  countRulesBoundTo(kinds: readonly RuleKind[], key: RuleServiceKey): Promise<number>;
  /**
   * Creates a rule. Rejects with ExistedResource when a live rule of that kind and id exists; a
   * tombstone with that key is revived as a new row.
   */
  createRule(row: RuleRow): Promise<void>;
  /** Replaces a live rule (ctime kept). Rejects with NotFoundResource when it is not live. */
  updateRule(row: RuleRow): Promise<void>;
  /** Soft-deletes; resolves false when no live rule had that key. */
  deleteRule(kind: RuleKind, id: string): Promise<boolean>;
}

export interface RuleStore extends RuleWrites {
  /**
   * Runs `fn` in one transaction (commit when it resolves, roll back when it rejects). All writes
   * of one transaction share one sequence value. Serialised with the naming store's writes.
   */
  transaction<T>(fn: (tx: RuleWrites) => Promise<T>): Promise<T>;
  readRuleChanges(since: number): Promise<RuleChangeSet>;
  /** The shared change sequence (same value as the naming store's). */
  currentSeq(): Promise<number>;
  /** Hard-deletes rule tombstones older than `olderThanMs` of store time and with seq < `belowSeq`. */
  purgeRuleTombstones(olderThanMs: number, belowSeq: number): Promise<number>;
}
