import type { ItemResult } from '../common/errors/batch.js';
import type { RequestContext } from '../common/lifecycle.js';
import type {
  Client as WireClient,
  DiscoverRequest as WireDiscoverRequest,
  DiscoverResponse as WireDiscoverResponse,
  Instance as WireInstance,
  InstanceLabels as WireInstanceLabels,
  Service as WireService,
  ServiceAlias as WireServiceAlias,
} from '../common/api/gen/wire.js';

/**
 * The naming module's front doors, split by resource. Inputs and outputs are wire objects; raw
 * query parameters are validated here (polaris's paramcheck rules), so every API server gets the
 * same answers. Single-object operations throw PolarisError; batches return one ItemResult per
 * request item, in request order.
 */

/** Query string as received: a key may repeat. */
export type RawQuery = Record<string, string | string[] | undefined>;

export interface ListResult<T> {
  /** Total number of matches. */
  amount: number;
  items: T[];
}

export interface ServiceOps {
  createServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]>;
  updateServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]>;
  deleteServices(ctx: RequestContext, reqs: WireService[]): Promise<ItemResult<WireService>[]>;
  listServices(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireService>>;
  /** Every service (no paging), optionally of one namespace: namespace, name, metadata, counts. */
  allServices(ctx: RequestContext, namespace: string | undefined): Promise<WireService[]>;
  countServices(ctx: RequestContext): Promise<number>;
  getServiceOwners(ctx: RequestContext, reqs: WireService[]): Promise<WireService[]>;
  getServiceToken(ctx: RequestContext, req: WireService): Promise<WireService>;
  updateServiceToken(ctx: RequestContext, req: WireService): Promise<WireService>;
}

export interface AliasOps {
  createAlias(ctx: RequestContext, req: WireServiceAlias): Promise<WireServiceAlias>;
  /** 200002 (no change) when the alias already points there with the same comment and owners. */
  updateAlias(ctx: RequestContext, req: WireServiceAlias): Promise<ItemResult<WireServiceAlias>>;
  deleteAliases(ctx: RequestContext, reqs: WireServiceAlias[]): Promise<ItemResult<WireServiceAlias>[]>;
  listAliases(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireServiceAlias>>;
}

export interface InstanceOps {
  /** Console create: upsert, one result per item. */
  createInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]>;
  updateInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]>;
  deleteInstances(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]>;
  deleteInstancesByHost(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]>;
  updateIsolateByHost(ctx: RequestContext, reqs: WireInstance[]): Promise<ItemResult<WireInstance>[]>;
  listInstances(ctx: RequestContext, query: RawQuery): Promise<ListResult<WireInstance>>;
  countInstances(ctx: RequestContext): Promise<number>;
  instanceLabels(ctx: RequestContext, query: RawQuery): Promise<WireInstanceLabels>;
}

/** What SDKs call (gRPC service-grpc and HTTP /v1/*). */
export interface ClientOps {
  registerInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>>;
  deregisterInstance(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>>;
  heartbeat(ctx: RequestContext, req: WireInstance): Promise<ItemResult<WireInstance>>;
  reportClient(ctx: RequestContext, req: WireClient): Promise<ItemResult<WireClient>>;
  /**
   * Answers one Discover request. Never throws: errors come back as a response with the code and
   * the request's type/service echoed.
   */
  discover(ctx: RequestContext, req: WireDiscoverRequest): Promise<WireDiscoverResponse>;
}

/** A Prometheus HTTP service-discovery target group. */
export interface PrometheusTarget {
  targets: string[];
  labels: Record<string, string>;
}

/** SDK clients as monitoring sees them. */
export interface ClientQueryOps {
  /**
   * Prometheus HTTP-SD targets: every reported client stat endpoint of target `prometheus` over
   * http(s), plus this cluster's own polaris.checker nodes.
   */
  prometheusTargets(ctx: RequestContext): Promise<PrometheusTarget[]>;
}

/** A partial change of one instance (protocol adapters: Eureka status and metadata updates). */
export interface InstancePatch {
  /** New isolate flag; unchanged when absent. */
  isolate?: boolean;
  /** Keys merged into the metadata (other keys kept). */
  setMetadata?: Record<string, string>;
  /** Keys removed from the metadata. */
  removeMetadata?: string[];
}

/**
 * Narrow calls for protocol adapters that keep their own view of the registry (Eureka): a look-up
 * by id, a merge-style update and a change signal. The answers use the Discover form of instances.
 */
export interface AdapterOps {
  /** One live instance by id as Discover shows it; undefined when unknown. */
  getInstance(ctx: RequestContext, id: string): Promise<WireInstance | undefined>;
  /**
   * Applies a patch in one transaction (read, merge, write), so concurrent patches of other keys
   * are not lost. NotFoundInstance when the id is unknown; NoNeedUpdate when nothing changed.
   */
  patchInstance(ctx: RequestContext, id: string, patch: InstancePatch): Promise<ItemResult<WireInstance>>;
  /**
   * Calls `listener` after each cache refresh that touched services or instances, with the
   * namespaces affected ('*' when unknown). Returns the unsubscribe function.
   */
  onInstancesChange(listener: (namespaces: ReadonlySet<string>) => void): () => void;
}

export interface NamingService extends ServiceOps, AliasOps, InstanceOps, ClientOps, ClientQueryOps, AdapterOps {}

/** A service as change notifications name it. */
export interface ServiceKey {
  namespace: string;
  name: string;
}

/** Which services (and namespaces) changed in one refresh of the registry; never what changed. */
export interface RegistryChange {
  /** Services whose own row or whose instances changed, deleted ones included. */
  services: ServiceKey[];
  namespaces: string[];
}

/**
 * Change notifications of the registry, for adapters that push (xDS). Listeners learn which
 * services moved, then read them again through the front door (`discover`). Called after the
 * module's read side applied the change, so those reads already see it.
 */
export interface RegistryWatch {
  onRegistryChange(listener: (change: RegistryChange) => void): () => void;
}
