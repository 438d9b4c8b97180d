import type {
  Response as WireResponse,
  ServiceContract as WireServiceContract,
} from '../../common/api/gen/wire.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code } from '../../common/errors/codes.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { codeResponse } from './answers.js';
import type { ServiceContractAccess } from './options.js';

/**
 * v1.PolarisServiceContractGRPC (grpc.md §4.7). Served by `contracts` when wired; until service
 * contracts exist in this server, reads answer what polaris answers for a contract that does not
 * exist (after its paramcheck), and reports are refused with 400000 and an explicit reason.
 */
export class ContractHandlers {
  constructor(private readonly contracts: ServiceContractAccess | undefined) {}

  async report(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse> {
    if (this.contracts) return this.contracts.reportServiceContract(ctx, req);
    return codeResponse(Code.BadRequest, `${codeInfo(Code.BadRequest)}: service contracts are not supported yet`);
  }

  async get(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse> {
    if (this.contracts) return this.contracts.getServiceContract(ctx, req);
    if (!req.name) return codeResponse(Code.InvalidParameter, `${codeInfo(Code.InvalidParameter)}: name is empty`);
    if (!req.namespace) return codeResponse(Code.InvalidNamespaceName);
    if (!req.protocol) return codeResponse(Code.InvalidParameter, `${codeInfo(Code.InvalidParameter)}: protocol is empty`);
    return { ...codeResponse(Code.NotFoundResource), service: { name: req.service ?? '', namespace: req.namespace } } as WireResponse;
  }
}
