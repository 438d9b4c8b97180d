import type { Logger } from 'pino';
import type { Instance as WireInstance } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import { internalContext, type Lifecycle } from '../common/lifecycle.js';
import type { ClientOps } from '../service/api.js';

export interface SelfInstance {
  service: string;
  namespace: string;
  host: string;
  port: number;
  protocol: string;
  metadata: Record<string, string>;
}

/**
 * Registers this server's own instances (bootstrap.polaris_service), keeps them alive with its own
 * heartbeat, and deregisters them on stop. A NotFound answer to a beat re-registers the instance.
 */
export class SelfRegistration implements Lifecycle {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: { naming: ClientOps; logger: Logger },
    private readonly config: {
      instances: SelfInstance[];
      heartbeatIntervalSec: number;
      disableHeartbeat: boolean;
      isolated: boolean;
      version: string;
    },
  ) {}

  private wire(i: SelfInstance): WireInstance {
    return {
      service: i.service,
      namespace: i.namespace,
      host: i.host,
      port: i.port,
      protocol: i.protocol,
      version: this.config.version,
      enable_health_check: true,
      health_check: { type: 'HEARTBEAT', heartbeat: { ttl: this.config.heartbeatIntervalSec } },
      isolate: this.config.isolated,
      metadata: { ...i.metadata, 'build-revision': this.config.version, polaris_service: i.service },
    };
  }

  async start(): Promise<void> {
    for (const i of this.config.instances) {
      const r = await this.deps.naming.registerInstance(internalContext(`self-${i.namespace}`), this.wire(i));
      if (Math.floor(r.code / 1000) !== 200) {
        throw new Error(`self-registration of ${i.namespace}/${i.service} ${i.host}:${i.port} failed: ${r.code} ${r.info}`);
      }
    }
    if (!this.config.disableHeartbeat && this.config.instances.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.beat().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.config.heartbeatIntervalSec * 1000);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    for (const i of this.config.instances) {
      const w = this.wire(i);
      try {
        const r = await this.deps.naming.heartbeat(internalContext('self-heartbeat'), w);
        if (r.code === Code.NotFoundResource) {
          this.deps.logger.warn({ service: i.service, port: i.port }, 'self instance missing; registering it again');
          await this.deps.naming.registerInstance(internalContext('self-reregister'), w);
        } else if (r.code !== Code.ExecuteSuccess && r.code !== Code.HealthCheckNotOpen) {
          this.deps.logger.warn({ code: r.code, info: r.info }, 'self heartbeat refused');
        }
      } catch (err) {
        this.deps.logger.warn({ err }, 'self heartbeat failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    for (const i of this.config.instances) {
      const r = await this.deps.naming
        .deregisterInstance(internalContext('self-deregister'), this.wire(i))
        .catch((err: unknown) => ({ code: Code.ExecuteException, info: String(err) }));
      if (r.code !== Code.ExecuteSuccess) this.deps.logger.warn({ code: r.code, info: r.info }, 'self deregistration failed');
    }
  }
}
