/**
 * Plugin category HEARTBEAT: where the last beat of each instance lives. The checker writes a beat
 * per heartbeat, reads beats in batches when checks are due and deletes them when an instance goes
 * away. Every call is async and batched so a shared store (Redis, a leader node) can back a
 * cluster: a beat received by one node must be visible to the node that checks the instance.
 *
 * Contract:
 * - `put` overwrites: the last write for an id wins. Callers never send the same id twice in one call.
 * - `get` returns only ids that have a record; unknown ids are simply absent from the map.
 * - `delete` of an unknown id is not an error. After `delete`, the store holds nothing for the id
 *   (memory is released), so its size is bounded by the live instances.
 * - Times are epoch milliseconds of the checker's clock (already skew-corrected in a cluster).
 * - A failure rejects the whole call; the checker retries or reports it (heartbeat → 500007).
 */
export interface HeartbeatRecord {
  id: string;
  lastBeatMs: number;
}

export interface HeartbeatStore {
  /** Plugin name as configured (`heartbeatMemory`, `heartbeatRedis`, …). */
  readonly name: string;
  put(records: readonly HeartbeatRecord[]): Promise<void>;
  /**
   * A store that holds beats in this process may also take one synchronously: the checker then
   * writes each beat as it arrives instead of batching it behind a promise (no per-beat garbage).
   * It must not fail.
   */
  putNow?(id: string, lastBeatMs: number): void;
  get(ids: readonly string[]): Promise<Map<string, HeartbeatRecord>>;
  delete(ids: readonly string[]): Promise<void>;
}
