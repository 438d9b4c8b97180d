import type { Logger } from 'pino';
import type { GrpcApiGroupConfig } from './options.js';

/** polaris `api.client.include` groups and the RPC methods each opens (apiserver/grpcserver/base.go). */
export const METHOD_GROUPS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  discover: ['ReportClient', 'Discover', 'ReportServiceContract', 'GetServiceContract'],
  register: ['RegisterInstance', 'DeregisterInstance'],
  healthcheck: ['Heartbeat', 'BatchHeartbeat', 'BatchGetHeartbeat', 'BatchDelHeartbeat'],
});

/** Which client methods a listener serves. An empty include list opens every method. */
export class MethodAllowList {
  private readonly open: ReadonlySet<string> | undefined;

  constructor(client: GrpcApiGroupConfig | undefined, logger?: Logger) {
    const include = client?.include ?? [];
    if (include.length === 0) {
      this.open = undefined;
      return;
    }
    const open = new Set<string>();
    for (const group of include) {
      const methods = METHOD_GROUPS[group];
      if (!methods) {
        logger?.warn({ group }, 'unknown api.client.include group ignored');
        continue;
      }
      for (const m of methods) open.add(m);
    }
    this.open = open;
  }

  /** True when `method` (bare RPC name, e.g. `RegisterInstance`) may be called. */
  allows(method: string): boolean {
    return this.open === undefined || this.open.has(method);
  }
}
