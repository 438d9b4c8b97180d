import { createHash } from 'node:crypto';

const VIRTUAL_NODES = 64;

function hash32(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}

/**
 * A consistent-hash ring of checker nodes: each instance id belongs to exactly one node, and when
 * a node joins or leaves only its share moves (about 1/n of the ids).
 */
export class CheckerRing {
  private readonly points: number[] = [];
  private readonly owners: string[] = [];
  readonly nodes: readonly string[];

  constructor(nodes: Iterable<string>) {
    this.nodes = [...new Set(nodes)].sort();
    const entries: [number, string][] = [];
    for (const node of this.nodes) {
      for (let v = 0; v < VIRTUAL_NODES; v++) entries.push([hash32(`${node}#${v}`), node]);
    }
    entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    for (const [p, n] of entries) {
      this.points.push(p);
      this.owners.push(n);
    }
  }

  /** The node that checks `id`; undefined for an empty ring. */
  ownerOf(id: string): string | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    const h = hash32(id);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo];
  }
}
