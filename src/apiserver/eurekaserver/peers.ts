import type { Logger } from 'pino';

/** One replication item as Eureka peers take it (`POST /eureka/peerreplication/batch`). */
export interface PeerTask {
  action: 'Register' | 'Heartbeat' | 'Cancel';
  appName: string;
  id: string;
  /** Full InstanceInfo for Register; kept (not sent) on heartbeats for a 404 re-register. */
  instanceInfo?: Record<string, unknown>;
}

export interface PeerOptions {
  /** `host:port` of each peer (`http://` assumed when no scheme is given). */
  peers: string[];
  namespace: string;
  version: string;
  /** Items per batch request (default 100). */
  batchSize?: number;
  /** Longest wait before a partial batch is sent (default 1000 ms). */
  flushMs?: number;
  /** Tasks kept while peers are slow; beyond it the oldest are dropped (default 10 000). */
  queueLimit?: number;
}

const IDENTITY = 'PolarisServer';

/**
 * Outbound replication (spec §1.13): changes of this server's Eureka view and the renewals it
 * receives go to every configured Eureka peer in batches, under the `PolarisServer` identity (so
 * polaris peers drop them and nothing loops). A peer answering 404 to a heartbeat gets the full
 * registration next. Transport errors are logged; the next change or renewal carries on.
 */
export class PeerReplicator {
  private queue: PeerTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private stopped = false;
  private readonly urls: string[];

  constructor(
    private readonly log: Logger,
    private readonly opts: PeerOptions,
    /** The current InstanceInfo of an instance, for re-registering it at a peer. */
    private readonly infoOf: (app: string, id: string) => Record<string, unknown> | undefined,
  ) {
    this.urls = opts.peers.map((p) => `${/^https?:\/\//.test(p) ? p : `http://${p}`}`.replace(/\/+$/, ''));
  }

  enqueue(task: PeerTask): void {
    if (this.stopped) return;
    this.queue.push(task);
    const limit = this.opts.queueLimit ?? 10_000;
    if (this.queue.length > limit) this.queue.splice(0, this.queue.length - limit);
    if (this.queue.length >= (this.opts.batchSize ?? 100)) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs ?? 1000);
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      if (this.queue.length > 0 && !this.stopped) this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs ?? 1000);
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize ?? 100);
      await Promise.all(this.urls.map((url) => this.send(url, batch)));
    }
  }

  private async send(url: string, batch: PeerTask[]): Promise<void> {
    const replicationList = batch.map((t) => {
      // The dirty timestamp must be the registration's own: Eureka answers a renewal carrying a
      // newer one with 404 (and would be sent the whole registration on every beat).
      const info = t.instanceInfo ?? (t.action === 'Heartbeat' ? this.infoOf(t.appName, t.id) : undefined);
      const dirty = Number(info?.lastDirtyTimestamp);
      return {
        appName: t.appName,
        id: t.id,
        ...(dirty > 0 ? { lastDirtyTimestamp: dirty } : {}),
        overriddenStatus: info?.overriddenStatus ?? 'UNKNOWN',
        status: info?.status ?? 'UP',
        instanceInfo: t.action === 'Register' ? t.instanceInfo : undefined,
        action: t.action,
      };
    });
    try {
      const res = await fetch(`${url}/eureka/peerreplication/batch/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'DiscoveryIdentity-Name': IDENTITY,
          'DiscoveryIdentity-Version': this.opts.version,
          'x-namespace': this.opts.namespace,
        },
        body: JSON.stringify({ replicationList }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => ({}))) as { responseList?: { statusCode?: number }[] };
      if (!res.ok) {
        this.log.warn({ peer: url, status: res.status }, 'eureka peer refused a replication batch');
        return;
      }
      (body.responseList ?? []).forEach((r, n) => {
        const t = batch[n];
        if (r?.statusCode !== 404 || !t || t.action !== 'Heartbeat') return;
        const info = this.infoOf(t.appName, t.id);
        if (info) this.enqueue({ action: 'Register', appName: t.appName, id: t.id, instanceInfo: info });
      });
    } catch (err) {
      this.log.warn({ peer: url, err: { message: (err as Error).message } }, 'eureka peer replication failed');
    }
  }

  /**
   * Every instance the peers hold now (`GET /eureka/apps`), for a node that starts up to take over
   * before it serves. A peer that does not answer within `timeoutMs` is skipped with a warning.
   */
  async pull(timeoutMs: number): Promise<Array<{ app: string; info: Record<string, unknown> }>> {
    const out: Array<{ app: string; info: Record<string, unknown> }> = [];
    await Promise.all(
      this.urls.map(async (url) => {
        try {
          const res = await fetch(`${url}/eureka/apps`, {
            headers: { accept: 'application/json', 'x-namespace': this.opts.namespace },
            signal: AbortSignal.timeout(timeoutMs),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const body = (await res.json()) as { applications?: { application?: unknown } };
          const apps = body.applications?.application;
          for (const a of (Array.isArray(apps) ? apps : apps ? [apps] : []) as { name?: string; instance?: unknown }[]) {
            const list = Array.isArray(a.instance) ? a.instance : a.instance ? [a.instance] : [];
            for (const info of list as Record<string, unknown>[]) out.push({ app: String(a.name ?? info.app ?? ''), info });
          }
        } catch (err) {
          this.log.warn({ peer: url, err: { message: (err as Error).message } }, 'could not read the registry of an eureka peer at start');
        }
      }),
    );
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sending;
  }
}
