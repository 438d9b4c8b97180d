/**
 * Where a process allocated, from a sampling heap profile (.heapprofile, e.g. the xDS bench's
 * XDS_BENCH_HEAP_PROF taken with collected objects included): bytes by part, in the buckets of
 * bench/cpuprofile-stalls.ts. Run: node --import tsx bench/heapprofile-parts.ts FILE [--per N] [--top 30]
 * `--per N`: also divide by N (e.g. the bench's rounds: bytes per change).
 */
import { readFileSync } from 'node:fs';
import { bucket, type ProfileNode } from './profile-buckets.js';
import { numArg as arg } from './lib.js';

interface HeapNode extends ProfileNode {
  selfSize: number;
  children: HeapNode[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: heapprofile-parts.ts FILE.heapprofile [--per N] [--top 30]');
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
const parts = new Map<string, number>();
let total = 0;
const walk = (n: HeapNode, stack: HeapNode[]) => {
  stack.push(n);
  if (n.selfSize > 0) {
    const b = bucket(stack);
    parts.set(b, (parts.get(b) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c, stack);
  stack.pop();
};
walk(head, []);
const per = arg('per', 1);
const kib = (b: number) => `${(b / per / 1024).toFixed(0).padStart(8)} KiB`;
console.log(`${kib(total)} allocated${per > 1 ? ` per ${process.argv.includes('--per') ? 'unit' : ''}` : ''}; by part:`);
for (const [k, v] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, arg('top', 30))) console.log(`${kib(v)}  ${k}`);
