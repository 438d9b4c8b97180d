/**
 * Pre-encoded DiscoverResponse bytes (polaris `enableCacheProto`). A popular service is encoded
 * once per revision and the same Buffer is written on every stream that asks for it, so answers
 * with the same revision are byte-identical.
 */
export interface ProtoCacheStats {
  hits: number;
  misses: number;
  /** Entries currently held. */
  size: number;
  /** Largest number of entries held (the configured `sizeCacheProto`). */
  capacity: number;
}

/** A small LRU keyed by string; a Map keeps insertion order, so the first key is the eldest. */
export class ProtoCache {
  private readonly entries = new Map<string, Buffer>();
  private hits = 0;
  private misses = 0;

  constructor(readonly capacity: number) {}

  /** The cached bytes under `key`, else `encode()`'s result (stored). Encoding errors propagate. */
  getOrEncode(key: string, encode: () => Buffer): Buffer {
    const found = this.entries.get(key);
    if (found) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    this.misses++;
    const buf = encode();
    if (this.capacity > 0) {
      this.entries.set(key, buf);
      while (this.entries.size > this.capacity) {
        const eldest = this.entries.keys().next().value as string;
        this.entries.delete(eldest);
      }
    }
    return buf;
  }

  stats(): ProtoCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size, capacity: this.capacity };
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The cache key of a response: type, namespace, name and revision, NUL-separated. */
export function protoCacheKey(type: string, namespace: string, name: string, revision: string): string {
  return `${type}\u0000${namespace}\u0000${name}\u0000${revision}`;
}
