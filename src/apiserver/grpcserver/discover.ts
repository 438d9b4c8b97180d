import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeProto } from '../../common/api/codec.js';
import type {
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
} from '../../common/api/gen/wire.js';
import { Code } from '../../common/errors/codes.js';
import type { NamingService } from '../../service/api.js';
import type { MethodAllowList } from './allow-list.js';
import { discoverCodeAnswer, ensureDiscoverEcho } from './answers.js';
import { grpcRequestContext } from './context.js';
import { protoCacheKey, type ProtoCache } from './proto-cache.js';

const DISCOVER_RESPONSE = 'v1.DiscoverResponse';

/** Types whose full (200000) answers are worth caching pre-encoded. */
const CACHEABLE_TYPES: ReadonlySet<string> = new Set([
  'INSTANCE',
  'SERVICES',
  'ROUTING',
  'RATE_LIMIT',
  'CIRCUIT_BREAKER',
  'FAULT_DETECTOR',
  'LANE',
  'CUSTOM_ROUTE_RULE',
  'NEARBY_ROUTE_RULE',
  'LOSSLESS',
]);

export interface DiscoverAnswererDeps {
  naming: NamingService;
  logger: Logger;
  allowList: MethodAllowList;
  /** Present when `enableCacheProto` is on. */
  cache?: ProtoCache;
}

/**
 * Answers one DiscoverRequest of a stream, as encoded bytes. Never throws: whatever goes wrong
 * becomes an answer with the request's type and service echoed, and never a 5xx code of our own
 * (polaris-go drops the whole stream on a 5xx or an unmatched answer).
 */
export class DiscoverAnswerer {
  constructor(private readonly deps: DiscoverAnswererDeps) {}

  async answer(call: ServerDuplexStream<WireDiscoverRequest, WireDiscoverResponse>, req: WireDiscoverRequest): Promise<Buffer> {
    const resp = await this.respond(call, req);
    return this.encode(req, resp);
  }

  private async respond(
    call: ServerDuplexStream<WireDiscoverRequest, WireDiscoverResponse>,
    req: WireDiscoverRequest,
  ): Promise<WireDiscoverResponse> {
    if (!this.deps.allowList.allows('Discover')) return discoverCodeAnswer(req, Code.ClientAPINotOpen);
    if (req.service === undefined || req.service === null) return discoverCodeAnswer(req, Code.EmptyRequest);
    const ctx = grpcRequestContext(call, this.deps.logger, 'Discover', req.service.token);
    try {
      const resp = await this.deps.naming.discover(ctx, req);
      return ensureDiscoverEcho(req, resp);
    } catch (err) {
      ctx.logger?.error({ err, type: req.type }, 'discover failed');
      return discoverCodeAnswer(req, Code.BadRequest, 'bad request: discover failed');
    }
  }

  /** Encodes once; full answers of cacheable types go through the pre-encoded cache. */
  private encode(req: WireDiscoverRequest, resp: WireDiscoverResponse): Buffer {
    try {
      const cache = this.deps.cache;
      const type = resp.type ?? 'UNKNOWN';
      const revision = resp.service?.revision;
      if (cache && resp.code === Code.ExecuteSuccess && revision && CACHEABLE_TYPES.has(type)) {
        const key = protoCacheKey(type, resp.service?.namespace ?? '', resp.service?.name ?? '');
        return cache.getOrEncode(key, revision, () => encodeProto(DISCOVER_RESPONSE, resp));
      }
      return encodeProto(DISCOVER_RESPONSE, resp);
    } catch (err) {
      this.deps.logger.error({ err, type: req.type }, 'discover answer could not be encoded');
      const svc = req.service ?? {};
      return encodeProto(DISCOVER_RESPONSE, {
        ...discoverCodeAnswer(req, Code.BadRequest, 'bad request: discover answer could not be encoded'),
        service: { name: svc.name ?? '', namespace: svc.namespace ?? '' },
      });
    }
  }
}
