import type { ItemResult } from '../common/errors/batch.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { Namespace as WireNamespace, Summary as WireSummary } from '../common/api/gen/wire.js';

/**
 * The namespace module's front door. Inputs and outputs are wire objects (see
 * src/common/api/codec.ts: proto field names, wrappers unwrapped); conversion to the domain
 * happens inside the module.
 */

export interface NamespaceListQuery {
  /** Exact names or wildcard patterns (`abc*`, `*abc`, `*abc*`); OR-ed. */
  names: string[];
  owners: string[];
  offset: number;
  /** 0 returns every match (polaris-server behaviour for namespaces). */
  limit: number;
}

export interface NamespaceList {
  amount: number;
  namespaces: WireNamespace[];
  summary: WireSummary;
}

export interface NamespaceService {
  createNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]>;
  updateNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]>;
  deleteNamespaces(ctx: RequestContext, reqs: WireNamespace[]): Promise<ItemResult<WireNamespace>[]>;
  listNamespaces(ctx: RequestContext, query: NamespaceListQuery): Promise<NamespaceList>;
  getNamespaceToken(ctx: RequestContext, name: string): Promise<WireNamespace>;
  updateNamespaceToken(ctx: RequestContext, req: WireNamespace): Promise<WireNamespace>;
  /**
   * Creates the namespace when absent and `namespace.autoCreate` allows it (concurrent callers share
   * one creation). Throws NotFoundNamespace when absent and auto-creation is off.
   */
  ensureNamespace(ctx: RequestContext, name: string): Promise<void>;
}
