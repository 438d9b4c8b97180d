import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full GC before it collects
 * again: 30 % (V8's own default factor is 1.1–4× depending on GC speed; on this workload it let the
 * old space reach ~4× the live data).
 *
 * Why: nearly all of the daemon's old-space growth under SDK load is garbage, not retention. Each
 * scavenge promotes ~14 % of what was allocated since the previous one (the objects of the calls
 * in flight at that moment: HTTP/2 stream, decoded request, answer), and that dies in old space
 * and waits for a full GC. With the default factor, registering 20k instances left ~24 MiB of such
 * garbage in committed old-space pages (RSS +78 MiB, 4 KiB per instance in that run), and
 * sustained heartbeats took RSS from ~235 to ~360 MiB before V8 collected; V8 does not give the
 * pages back afterwards. With 30 % the same runs took RSS +36 MiB (1.8 KiB per instance) and
 * heartbeats kept it flat at ~195–210 MiB, for a few percent more CPU per call (more full GCs).
 * Figures and commands: docs/performance.md, "SDK hot path per core (issue 14)".
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=30';

/**
 * The V8 flag to apply at start-up, or null when the operator chose a growing factor already
 * (`--heap-growing-percent` on the node command line or in NODE_OPTIONS wins).
 */
export function heapGrowingFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  const chosen = (s: string) => s.startsWith('--heap-growing-percent') || s.startsWith('--heap_growing_percent');
  if (execArgv.some(chosen)) return null;
  if ((nodeOptions ?? '').split(/\s+/).some(chosen)) return null;
  return HEAP_GROWING_FLAG;
}

/** Applies the growing factor to this process (V8 reads it at every heap-limit computation). */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): string | null {
  const flag = heapGrowingFlag(execArgv, nodeOptions);
  if (flag) setFlagsFromString(flag);
  return flag;
}
