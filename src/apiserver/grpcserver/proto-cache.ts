/**
 * Pre-encoded DiscoverResponse bytes (polaris `enableCacheProto`). A service's full answer is
 * encoded once per revision and the same Buffer is written on every stream that asks for it, so
 * answers with the same revision are byte-identical.
 *
 * One entry per (type, namespace, name) holds the latest revision's bytes: a new revision replaces
 * the old one, so a busy service never crowds the others out, and a steady set of services of any
 * size is answered without encoding. The entries are bounded by their total size (least recently
 * used first out), not by their count: polaris' count of 128 thrashes as soon as the SDKs ask for
 * more services than that in turn.
 */
export interface ProtoCacheStats {
  hits: number;
  misses: number;
  /** Entries currently held. */
  size: number;
  /** Bytes the entries hold. */
  bytes: number;
  /** Most bytes held (from `sizeCacheProto`, in MiB). */
  capacity: number;
}

interface Entry {
  revision: string;
  bytes: Buffer;
}

/** A byte-bounded LRU keyed by string; a Map keeps insertion order, so the first key is the eldest. */
export class ProtoCache {
  private readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;
  private held = 0;

  /** `capacity`: most bytes held; 0 holds nothing. */
  constructor(readonly capacity: number) {}

  /**
   * The bytes cached under `key` for `revision`, else `encode()`'s result, which replaces whatever
   * `key` held. Encoding errors propagate.
   */
  getOrEncode(key: string, revision: string, encode: () => Buffer): Buffer {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      if (found.revision === revision) {
        this.hits++;
        this.entries.set(key, found);
        return found.bytes;
      }
      this.held -= found.bytes.length;
    }
    this.misses++;
    const bytes = encode();
    if (bytes.length <= this.capacity) {
      this.entries.set(key, { revision, bytes });
      this.held += bytes.length;
      while (this.held > this.capacity) {
        const [eldest, e] = this.entries.entries().next().value as [string, Entry];
        this.entries.delete(eldest);
        this.held -= e.bytes.length;
      }
    }
    return bytes;
  }

  stats(): ProtoCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size, bytes: this.held, capacity: this.capacity };
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}

/** The cache key of an answer: type, namespace and name, NUL-separated. */
export function protoCacheKey(type: string, namespace: string, name: string): string {
  return `${type}\u0000${namespace}\u0000${name}`;
}
