import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user + system, every thread) a process has used so far, in µs (Linux /proc). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields 14 and 15 of stat(5) (utime, stime) in clock ticks of 10 ms; fields counted after the name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** A bounded HTTP load on a loopback URL. */
export async function load(opts: {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  body?: string;
  connections?: number;
  durationSec?: number;
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const r = await autocannon({
    url: opts.url,
    method: opts.method ?? 'GET',
    body: opts.body,
    headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    connections: opts.connections ?? 32,
    duration: opts.durationSec ?? 10,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

export interface Row {
  bench: string;
  value: string;
  note?: string;
}

export function printTable(rows: Row[]): void {
  const w1 = Math.max(5, ...rows.map((r) => r.bench.length));
  const w2 = Math.max(5, ...rows.map((r) => r.value.length));
  console.log(`| ${'bench'.padEnd(w1)} | ${'value'.padEnd(w2)} | note`);
  console.log(`|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|------`);
  for (const r of rows) console.log(`| ${r.bench.padEnd(w1)} | ${r.value.padEnd(w2)} | ${r.note ?? ''}`);
}

/** The number after `--name` on the command line, or `dflt`. */
export function numArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
