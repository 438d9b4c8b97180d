import { status, type ServerDuplexStream, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type {
  DelHeartbeatsRequest as WireDelHeartbeatsRequest,
  DelHeartbeatsResponse as WireDelHeartbeatsResponse,
  GetHeartbeatsRequest as WireGetHeartbeatsRequest,
  GetHeartbeatsResponse as WireGetHeartbeatsResponse,
  HeartbeatsRequest as WireHeartbeatsRequest,
  HeartbeatsResponse as WireHeartbeatsResponse,
  Instance as WireInstance,
} from '../../common/api/gen/wire.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code } from '../../common/errors/codes.js';
import type { NamingService } from '../../service/api.js';
import type { MethodAllowList } from './allow-list.js';
import { grpcRequestContext, type CallInfo } from './context.js';
import type { HeartbeatRecordsAccess } from './options.js';

export interface HeartbeatPeerDeps {
  naming: NamingService;
  logger: Logger;
  allowList: MethodAllowList;
  records?: HeartbeatRecordsAccess;
}

/** A gRPC status error (grpc.md §4.6: checker failures of the peer RPCs are gRPC errors). */
function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

/**
 * v1.PolarisHeartbeatGRPC: the RPCs heartbeat-leader peers call on each other (grpc.md §4.6).
 */
export class HeartbeatPeerHandlers {
  constructor(private readonly deps: HeartbeatPeerDeps) {}

  /**
   * One BatchHeartbeat message: each beat is handled like a Heartbeat call on the instance id
   * (taken verbatim), stopping at the first checker write failure. Always answered with an empty
   * HeartbeatsResponse, whatever happened, as polaris does.
   */
  async batchHeartbeat(
    call: ServerDuplexStream<WireHeartbeatsRequest, WireHeartbeatsResponse>,
    req: WireHeartbeatsRequest,
  ): Promise<WireHeartbeatsResponse> {
    if (!this.deps.allowList.allows('BatchHeartbeat')) return {};
    const ctx = grpcRequestContext(call, this.deps.logger, 'BatchHeartbeat');
    for (const hb of req.heartbeats ?? []) {
      const inst: WireInstance = { id: hb.instanceId ?? '' };
      if (hb.host) inst.host = hb.host;
      if (hb.port !== undefined && hb.port !== null) inst.port = hb.port;
      if (hb.service) inst.service = hb.service;
      if (hb.namespace) inst.namespace = hb.namespace;
      try {
        const r = await this.deps.naming.heartbeat(ctx, inst);
        if (r.code === Code.HeartbeatException) break;
      } catch (err) {
        ctx.logger?.warn({ err }, 'batch heartbeat failed');
        break;
      }
    }
    return {};
  }

  /** Last beat of each id, in request order; no records at all when no checker is wired. */
  async batchGetHeartbeat(call: ServerUnaryCall<WireGetHeartbeatsRequest, WireGetHeartbeatsResponse>): Promise<WireGetHeartbeatsResponse> {
    if (!this.deps.allowList.allows('BatchGetHeartbeat')) {
      // The Go gate answers a v1.Response here, which GetHeartbeatsResponse cannot carry; a status
      // error is the only refusal a peer can read.
      throw grpcError(status.PERMISSION_DENIED, `${Code.ClientAPINotOpen} ${codeInfo(Code.ClientAPINotOpen)}`);
    }
    const records = this.deps.records;
    const ids = call.request.instanceIds ?? [];
    if (!records || ids.length === 0) return {};
    let found: Map<string, { lastBeatMs: number }>;
    try {
      found = await records.get(ids);
    } catch (err) {
      this.log(call).warn({ err }, 'batch get heartbeat failed');
      throw grpcError(status.INTERNAL, `heartbeat query failed: ${(err as Error)?.message ?? String(err)}`);
    }
    return {
      records: ids.map((id) => {
        const r = found.get(id);
        return r
          ? { instanceId: id, lastHeartbeatSec: String(Math.floor(r.lastBeatMs / 1000)), exist: true }
          : { instanceId: id, lastHeartbeatSec: '0', exist: false };
      }),
    };
  }

  /** Deletes the records of the ids; an empty answer (code 0) on success. */
  async batchDelHeartbeat(call: ServerUnaryCall<WireDelHeartbeatsRequest, WireDelHeartbeatsResponse>): Promise<WireDelHeartbeatsResponse> {
    if (!this.deps.allowList.allows('BatchDelHeartbeat')) {
      return { code: Code.ClientAPINotOpen, info: codeInfo(Code.ClientAPINotOpen) };
    }
    const ids = call.request.instanceIds ?? [];
    if (!this.deps.records || ids.length === 0) return {};
    try {
      await this.deps.records.delete(ids);
    } catch (err) {
      this.log(call).warn({ err }, 'batch delete heartbeat failed');
      throw grpcError(status.INTERNAL, `heartbeat delete failed: ${(err as Error)?.message ?? String(err)}`);
    }
    return {};
  }

  private log(call: CallInfo): Logger {
    return grpcRequestContext(call, this.deps.logger, 'heartbeat-peer').logger ?? this.deps.logger;
  }
}
