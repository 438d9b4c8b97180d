import type {
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  Response as WireResponse,
  Service as WireService,
} from '../../common/api/gen/wire.js';
import type { ItemResult } from '../../common/errors/batch.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';

/** A v1.Response carrying one item's outcome: `{code, info, <field>: value}`. */
export function itemResponse(field: 'instance' | 'client', result: ItemResult<unknown>): WireResponse {
  const out: Record<string, unknown> = { code: result.code, info: result.info };
  if (result.value !== undefined && result.value !== null) out[field] = result.value;
  return out as WireResponse;
}

/** A v1.Response with only code and info (gate refusals, not-supported answers). */
export function codeResponse(code: PolarisCode, info: string = codeInfo(code)): WireResponse {
  return { code, info } as WireResponse;
}

type DiscoverType = NonNullable<WireDiscoverResponse['type']>;

/** The request's type as a response type (the two enums share names and numbers). */
export function requestedType(req: WireDiscoverRequest): DiscoverType {
  return (req.type ?? 'UNKNOWN') as DiscoverType;
}

/** The request's service, echoed verbatim (an empty Service when the request has none). */
function echoService(req: WireDiscoverRequest): WireService {
  return (req.service ?? {}) as WireService;
}

/** A Discover answer carrying only a code, with the request's type and service echoed. */
export function discoverCodeAnswer(req: WireDiscoverRequest, code: PolarisCode, info: string = codeInfo(code)): WireDiscoverResponse {
  return { code, info, type: requestedType(req), service: echoService(req) } as WireDiscoverResponse;
}

/**
 * Makes sure an answer can be matched by the SDK (grpc.md §4.5.5, §7.3): the requested type is
 * set and a service is present (the request's when the answer has none). Returns the same object
 * when nothing needs fixing, else a shallow copy.
 */
export function ensureDiscoverEcho(req: WireDiscoverRequest, resp: WireDiscoverResponse): WireDiscoverResponse {
  const type = requestedType(req);
  const missingService = resp.service === undefined || resp.service === null;
  const missingCode = resp.code === undefined || resp.code === null;
  if (resp.type === type && !missingService && !missingCode) return resp;
  const fixed: WireDiscoverResponse = { ...resp, type };
  if (missingService) fixed.service = echoService(req);
  if (missingCode) {
    fixed.code = Code.ExecuteSuccess;
    fixed.info = fixed.info ?? codeInfo(Code.ExecuteSuccess);
  }
  return fixed;
}
