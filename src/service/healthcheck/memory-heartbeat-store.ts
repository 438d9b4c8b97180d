import type { HeartbeatRecord, HeartbeatStore } from './heartbeat-store.js';

/**
 * `heartbeatMemory`: last beats in a per-node Map (one number per instance). Correct on a single
 * node, or when every beat for an instance reaches the node that checks it; nothing is replicated.
 * Unlike upstream, records are deleted when the checker forgets an instance, so memory stays
 * bounded by the tracked instances.
 */
export class MemoryHeartbeatStore implements HeartbeatStore {
  readonly name = 'heartbeatMemory';
  private readonly beats = new Map<string, number>();

  async put(records: readonly HeartbeatRecord[]): Promise<void> {
    for (const r of records) this.putNow(r.id, r.lastBeatMs);
  }

  putNow(id: string, lastBeatMs: number): void {
    this.beats.set(id, lastBeatMs);
  }

  async get(ids: readonly string[]): Promise<Map<string, HeartbeatRecord>> {
    const found = new Map<string, HeartbeatRecord>();
    for (const id of ids) {
      const lastBeatMs = this.beats.get(id);
      if (lastBeatMs !== undefined) found.set(id, { id, lastBeatMs });
    }
    return found;
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.beats.delete(id);
  }

  /** Number of records held. */
  size(): number {
    return this.beats.size;
  }
}
