import type { Logger } from 'pino';
import type { ClientConfigFileInfo, ConfigClientResponse } from '../common/api/gen/wire.js';
import { codeInfo } from '../common/errors/code-info.js';
import { Code } from '../common/errors/codes.js';
import type { Lifecycle } from '../common/lifecycle.js';
import type { ConfigRelease } from '../common/model/config.js';
import type { Clock, Ticker } from '../common/timewheel/clock.js';
import { TimeWheel, type WheelTimer } from '../common/timewheel/time-wheel.js';
import type { ConfigCache } from './config-cache.js';
import { matchGray } from './gray-match.js';
import { WatchRegistry } from './watch-registry.js';

/** One file of a long poll: its key string and the version the client has. */
export interface WatchedFile {
  key: string;
  namespace: string;
  group: string;
  fileName: string;
  version: number;
}

export interface WatchCall {
  /** Client id for the watcher view (gRPC peer ip:port, HTTP ip). */
  clientId: string;
  ip: string;
  protocol: string;
  /** Client labels (CLIENT_IP) for gray rules. */
  labels: Record<string, string>;
  files: WatchedFile[];
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Watcher {
  call: WatchCall;
  timer: WheelTimer | undefined;
  resolve: (resp: ConfigClientResponse) => void;
  done: boolean;
  onAbort: (() => void) | undefined;
}

export interface WatchCenterConfig {
  /** Timeout wheel resolution (ms). */
  tickMs: number;
}

const NO_CHANGE: ConfigClientResponse = { code: Code.DataNoChange };

/**
 * Held long polls (HTTP WatchConfigFile, gRPC WatchConfigFiles). Idle watchers cost one wheel entry
 * each and ONE ticking timer in total; they are indexed by file, so a change wakes exactly the
 * watchers of the changed files. Changes come from the config cache's seq-ordered feed, so a
 * publish on this or any other process sharing the store is never missed (publish → delete →
 * re-create included: deletes move the version too).
 */
export class WatchCenter implements Lifecycle {
  private readonly byFile = new Map<string, Set<Watcher>>();
  private readonly wheel: TimeWheel;
  readonly registry: WatchRegistry;
  private unsubscribe: (() => void) | undefined;
  private readonly pushObservers = new Set<(ms: number) => void>();
  private sweepTimer: WheelTimer | undefined;

  constructor(
    private readonly deps: { cache: ConfigCache; logger: Logger; clock?: Clock; ticker?: Ticker },
    config: WatchCenterConfig,
  ) {
    const tickMs = Math.max(10, config.tickMs);
    this.wheel = new TimeWheel({
      slotNum: Math.max(16, Math.ceil(32_000 / tickMs)),
      tickMs,
      clock: deps.clock,
      ticker: deps.ticker,
      onError: (err) => deps.logger.error({ err }, 'config watch timer task failed'),
    });
    this.registry = new WatchRegistry(deps.clock?.now.bind(deps.clock) ?? Date.now);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.cache.onReleaseChange((keys) => this.onChange(keys));
    await this.wheel.start();
    const sweep = (): void => {
      this.registry.sweep();
      this.sweepTimer?.reschedule(60_000);
    };
    this.sweepTimer = this.wheel.add(sweep, 60_000);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.releaseAll();
    this.sweepTimer?.cancel();
    await this.wheel.stop();
  }

  /** Calls `fn` with the ms from release (store mtime) to answer for every watch a release wakes. */
  observePushes(fn: (ms: number) => void): () => void {
    this.pushObservers.add(fn);
    return () => this.pushObservers.delete(fn);
  }

  /** Held long polls right now. */
  size(): number {
    let n = 0;
    for (const set of this.byFile.values()) n += set.size;
    return n;
  }

  /**
   * Answers at once (200000 with the first file that is behind) or holds until a watched file
   * moves past the client's version, the timeout (200001) or the abort signal.
   */
  watch(call: WatchCall): Promise<ConfigClientResponse> {
    for (const f of call.files) this.registry.reported(call, f);
    for (const f of call.files) {
      const ahead = this.newer(call, f);
      if (ahead) return Promise.resolve(this.notify(call, f, ahead));
    }
    if (call.signal?.aborted) return Promise.resolve(NO_CHANGE);
    return new Promise<ConfigClientResponse>((resolve) => {
      const w: Watcher = { call, timer: undefined, resolve, done: false, onAbort: undefined };
      for (const f of call.files) {
        let set = this.byFile.get(f.key);
        if (!set) this.byFile.set(f.key, (set = new Set()));
        set.add(w);
        this.registry.holding(call, f, +1);
      }
      w.timer = this.wheel.add(() => this.finish(w, NO_CHANGE), Math.max(0, call.timeoutMs));
      if (call.signal) {
        w.onAbort = () => this.finish(w, NO_CHANGE);
        call.signal.addEventListener('abort', w.onAbort, { once: true });
      }
    });
  }

  /** Answers every held watch with 200001 (shutdown). */
  releaseAll(): void {
    const all = new Set<Watcher>();
    for (const set of this.byFile.values()) for (const w of set) all.add(w);
    for (const w of all) this.finish(w, NO_CHANGE);
  }

  /** The release a client with these labels would be served for `f`, when newer than its version. */
  private newer(call: WatchCall, f: WatchedFile): { version: number; md5: string; name: string } | undefined {
    const current = this.servedRelease(f.key, call.labels);
    if (current) return current.version > f.version ? current : undefined;
    // No release to serve: the file's active release was deleted after the client's version.
    const deleted = this.deps.cache.deletedVersion(f.key);
    return deleted > f.version ? { version: deleted, md5: '', name: '' } : undefined;
  }

  servedRelease(key: string, labels: Readonly<Record<string, string>>): ConfigRelease | undefined {
    const gray = this.deps.cache.activeRelease(key, 'gray');
    if (gray && matchGray(gray.betaLabels, labels)) return gray;
    return this.deps.cache.activeRelease(key, 'full');
  }

  private notify(
    call: WatchCall,
    f: WatchedFile,
    r: { version: number; md5: string; name: string },
    shared?: Map<string, ConfigClientResponse>,
  ): ConfigClientResponse {
    this.registry.notified(call, f, r.version);
    // Watchers woken by the same change get the same (immutable) answer object, so an API server
    // can encode it once for all of them.
    const memoKey = `${f.key}\u0000${r.version}\u0000${r.md5}\u0000${r.name}`;
    const known = shared?.get(memoKey);
    if (known) return known;
    const configFile: ClientConfigFileInfo = {
      namespace: f.namespace,
      group: f.group,
      file_name: f.fileName,
      version: String(r.version),
      md5: r.md5,
      name: r.name,
    };
    const resp: ConfigClientResponse = { code: Code.ExecuteSuccess, info: codeInfo(Code.ExecuteSuccess), configFile };
    shared?.set(memoKey, resp);
    return resp;
  }

  private onChange(keys: ReadonlySet<string>): void {
    const shared = new Map<string, ConfigClientResponse>();
    for (const key of keys) {
      const set = this.byFile.get(key);
      if (!set) continue;
      for (const w of [...set]) {
        if (w.done) continue;
        const f = w.call.files.find((x) => x.key === key);
        if (!f) continue;
        const ahead = this.newer(w.call, f);
        if (!ahead) continue;
        this.finish(w, this.notify(w.call, f, ahead, shared));
        const mtime = (ahead as { mtime?: unknown }).mtime;
        if (typeof mtime === 'number' && mtime > 0) for (const o of this.pushObservers) o(Math.max(0, Date.now() - mtime));
      }
    }
  }

  private finish(w: Watcher, resp: ConfigClientResponse): void {
    if (w.done) return;
    w.done = true;
    w.timer?.cancel();
    if (w.onAbort) w.call.signal?.removeEventListener('abort', w.onAbort);
    for (const f of w.call.files) {
      const set = this.byFile.get(f.key);
      if (set) {
        set.delete(w);
        if (set.size === 0) this.byFile.delete(f.key);
      }
      this.registry.holding(w.call, f, -1);
    }
    w.resolve(resp);
  }
}
