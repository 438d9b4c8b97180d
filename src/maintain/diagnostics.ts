import { createWriteStream, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { MaintainError } from './api.js';

/**
 * Diagnostics instead of Go's pprof: a CPU profile of N seconds and a heap snapshot of this
 * process, taken through node:inspector and written under `dir` as `.cpuprofile` /
 * `.heapsnapshot` files that Chrome DevTools (Performance / Memory tab) opens. One at a time.
 */
export class Diagnostics {
  private busy = false;

  constructor(private readonly dir: string) {}

  private stamp(kind: string, ext: string): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, `polaris-${kind}-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`);
  }

  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new MaintainError('another profile is being taken', 409);
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }

  /** Samples the CPU for `seconds` (1–300); resolves the file written. */
  cpuProfile(seconds: number): Promise<string> {
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 300) throw new MaintainError('seconds must be between 1 and 300');
    return this.exclusive(async () => {
      const session = new Session();
      session.connect();
      try {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const { profile } = await session.post('Profiler.stop');
        const file = this.stamp('cpu', 'cpuprofile');
        await writeFile(file, JSON.stringify(profile));
        return file;
      } finally {
        session.disconnect();
      }
    });
  }

  /** Writes a heap snapshot; resolves the file written. */
  heapSnapshot(): Promise<string> {
    return this.exclusive(async () => {
      const file = this.stamp('heap', 'heapsnapshot');
      const out = createWriteStream(file);
      const session = new Session();
      session.connect();
      try {
        session.on('HeapProfiler.addHeapSnapshotChunk', (m) => out.write(m.params.chunk));
        await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        session.disconnect();
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      return file;
    });
  }
}
