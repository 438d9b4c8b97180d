import { status, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Instance as WireInstance } from '../../common/api/gen/wire.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { NamingService } from '../../service/api.js';
import { parseNode, type WireNode, type XdsNode } from './node.js';

/**
 * envoy.service.health.v3.HealthDiscoveryService (polaris hds.go): a sidecar names the services it
 * runs in its node metadata (`sidecar.polarismesh.cn/registerServices`); each (service, protocol,
 * port) is registered through the naming front door with a heartbeat health check, and the
 * sidecar is told what to probe. Its HEALTHY reports become heartbeats, DRAINING deregisters.
 * polaris heartbeats every port under the node's own service; here each port keeps the service
 * it was registered for.
 */

export const REGISTER_SERVICES = 'sidecar.polarismesh.cn/registerServices';
const DEFAULT_TTL = 10;

interface RegisterService {
  name?: string;
  ports?: Record<string, number[]>;
  health_check_path?: string;
  health_check_port?: number;
  health_check_ttl?: number;
  tracing_sampling?: number;
}

interface Registered {
  service: string;
  port: number;
  protocol: string;
  path: string;
  ttl: number;
}

interface HdsMessage {
  health_check_request?: { node?: WireNode & { locality?: { region?: string; zone?: string; sub_zone?: string } } } | null;
  endpoint_health_response?: {
    endpoints_health?: Array<{ endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } }; health_status?: string }>;
  } | null;
}

function ctxOf(call: { getPeer(): string }): RequestContext {
  return { reqId: 'xds-hds', clientIp: call.getPeer(), protocol: 'xds' };
}

function parseServices(node: XdsNode, logger: Logger): Registered[] {
  const raw = node.metadata[REGISTER_SERVICES];
  if (!raw || node.gateway) return [];
  let list: RegisterService[];
  try {
    list = JSON.parse(raw) as RegisterService[];
    if (!Array.isArray(list)) throw new Error('not an array');
  } catch (err) {
    logger.warn({ err, node: node.id }, `HDS: ${REGISTER_SERVICES} is not a JSON array of services; nothing registered`);
    return [];
  }
  const out: Registered[] = [];
  for (const s of list) {
    if (!s?.name) continue;
    for (const [protocol, ports] of Object.entries(s.ports ?? {})) {
      for (const port of ports ?? []) {
        if (!Number.isInteger(port) || port <= 0 || port > 65535) continue;
        out.push({ service: s.name, port, protocol, path: s.health_check_path ?? '', ttl: s.health_check_ttl && s.health_check_ttl > 0 ? s.health_check_ttl : DEFAULT_TTL });
      }
    }
  }
  return out;
}

export class HdsHandlers {
  private readonly calls = new Set<ServerDuplexStream<HdsMessage, object>>();

  constructor(private readonly deps: { naming: NamingService; logger: Logger }) {}

  /** Open HDS streams. */
  open(): number {
    return this.calls.size;
  }

  /** Ends every open stream (shutdown); sidecars reconnect elsewhere. */
  endAll(): void {
    for (const c of this.calls) c.end();
    this.calls.clear();
  }

  stream(call: ServerDuplexStream<HdsMessage, object>): void {
    this.calls.add(call);
    const forget = () => this.calls.delete(call);
    call.on('close', forget);
    call.on('cancelled', forget);
    let node: XdsNode | undefined;
    let registered: Registered[] = [];
    let queue = Promise.resolve();
    call.on('data', (msg: HdsMessage) => {
      queue = queue
        .then(async () => {
          if (msg.health_check_request) {
            const n = msg.health_check_request.node;
            if (!n) {
              call.emit('error', { code: status.INVALID_ARGUMENT, details: 'a health check request must carry the node' });
              return;
            }
            node = parseNode(n);
            registered = parseServices(node, this.deps.logger);
            await this.register(call, node, registered, n.locality ?? {});
            call.write(this.specifier(node, registered));
          } else if (msg.endpoint_health_response && node) {
            await this.report(call, node, registered, msg.endpoint_health_response);
          }
        })
        .catch((err: unknown) => this.deps.logger.error({ err }, 'HDS request failed'));
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  }

  fetch(_call: ServerUnaryCall<HdsMessage, object>, callback: sendUnaryData<object>): void {
    callback({ code: status.UNIMPLEMENTED, details: 'FetchHealthCheck is not served; use StreamHealthCheck' });
  }

  private wire(node: XdsNode, r: Registered): WireInstance {
    return { service: r.service, namespace: node.selfNamespace, host: node.ip, port: r.port };
  }

  private async register(call: { getPeer(): string }, node: XdsNode, list: Registered[], locality: { region?: string; zone?: string; sub_zone?: string }): Promise<void> {
    for (const r of list) {
      const inst: WireInstance = {
        ...this.wire(node, r),
        protocol: r.protocol,
        version: '',
        enable_health_check: true,
        health_check: { type: 'HEARTBEAT', heartbeat: { ttl: r.ttl } },
        metadata: { ...node.metadata, 'internal-register-from': 'xdsv3', ...(r.path ? { 'health-check-path': r.path } : {}) },
        location: { region: locality.region ?? '', zone: locality.zone ?? '', campus: locality.sub_zone ?? '' },
      };
      delete (inst.metadata as Record<string, string>)[REGISTER_SERVICES];
      const res = await this.deps.naming.registerInstance(ctxOf(call), inst);
      if (res.code >= 300000) this.deps.logger.warn({ node: node.id, service: r.service, port: r.port, code: res.code, info: res.info }, 'HDS: registration refused');
    }
  }

  /** polaris: one ClusterHealthCheck per port, probed every 5 s; the answer's interval is the shortest TTL. */
  private specifier(node: XdsNode, list: Registered[]): object {
    const ttl = Math.min(DEFAULT_TTL, ...list.map((r) => r.ttl));
    return {
      cluster_health_checks: list.map((r) => ({
        cluster_name: `INBOUND|${r.port}|${r.service}`,
        health_checks: [
          {
            timeout: { seconds: 1 },
            interval: { seconds: 5 },
            unhealthy_threshold: { value: 2 },
            healthy_threshold: { value: 1 },
            ...(r.path ? { http_health_check: { path: r.path } } : { tcp_health_check: {} }),
          },
        ],
        locality_endpoints: [{ endpoints: [{ address: { socket_address: { protocol: 'TCP', address: node.ip, port_value: r.port } } }] }],
      })),
      interval: { seconds: ttl },
    };
  }

  private async report(call: { getPeer(): string }, node: XdsNode, list: Registered[], resp: NonNullable<HdsMessage['endpoint_health_response']>): Promise<void> {
    for (const eh of resp.endpoints_health ?? []) {
      const port = eh.endpoint?.address?.socket_address?.port_value ?? 0;
      const r = list.find((x) => x.port === port);
      if (!r) continue;
      if (eh.health_status === 'HEALTHY') await this.deps.naming.heartbeat(ctxOf(call), this.wire(node, r));
      else if (eh.health_status === 'DRAINING') await this.deps.naming.deregisterInstance(ctxOf(call), this.wire(node, r));
    }
  }
}
