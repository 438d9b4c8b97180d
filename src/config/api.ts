import type {
  ClientConfigFileInfo,
  ClientWatchConfigFileRequest,
  ConfigClientListResponse,
  ConfigClientResponse,
  ConfigDiscoverRequest,
  ConfigDiscoverResponse,
  ConfigFile,
  ConfigFileExportRequest,
  ConfigFileGroup,
  ConfigFileGroupRequest,
  ConfigFilePublishInfo,
  ConfigFileRelease,
  ConfigFileReleaseHistory,
  ConfigFileTemplate,
} from '../common/api/gen/wire.js';
import type { ItemResult } from '../common/errors/batch.js';
import type { Lifecycle, RequestContext } from '../common/lifecycle.js';

/**
 * The config center's front door. Inputs and outputs are wire objects (src/common/api/codec.ts);
 * domain conversion stays inside the module.
 *
 * Console operations throw PolarisError for a failed single operation and return ItemResult[] for
 * batches. Client operations (SDK plane) return the whole answer, code included, because their
 * "not found" / "no change" answers carry payloads; they throw only on unexpected failures.
 */

/** A query string as the HTTP layer parsed it: repeated keys are arrays. */
export type ConfigQuery = Readonly<Record<string, string | string[]>>;

export interface ConfigList<T> {
  /** Matches in total (ignoring paging). */
  total: number;
  items: T[];
}

export interface ConfigGroupService {
  /** Auto-creates the namespace. Duplicate → 400201. */
  createGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void>;
  updateGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void>;
  /** Unknown → 400202; files or active releases left → 400201. */
  deleteGroup(ctx: RequestContext, namespace: string, name: string): Promise<void>;
  /** `namespace`, `group`|`name`, `business`, `department`, `offset`, `limit`, `order_field`, `order_type`. */
  listGroups(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileGroup>>;
}

export interface ImportResult {
  created: ConfigFile[];
  skipped: ConfigFile[];
  overwritten: ConfigFile[];
}

export interface ConfigFileService {
  /** Validates like update; auto-creates namespace and group; answers the request echoed. */
  createFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigFile>;
  /** With release status; the plaintext of encrypted files. */
  getFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<ConfigFile>;
  searchFiles(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFile>>;
  updateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigFile>;
  /** Also deletes its releases; deleting what is not there succeeds. */
  deleteFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<void>;
  /** Sequential; throws the first failure. */
  batchDeleteFiles(ctx: RequestContext, reqs: ConfigFile[]): Promise<void>;
  /** A zip of the drafts (plaintext) plus META. */
  exportFiles(ctx: RequestContext, req: ConfigFileExportRequest): Promise<Uint8Array>;
  /** All-or-nothing. `conflictHandling`: skip | overwrite (anything else: neither). */
  importFiles(
    ctx: RequestContext,
    zip: Uint8Array,
    opts: { namespace: string; group: string; conflictHandling: string },
  ): Promise<ImportResult>;
  encryptAlgorithms(): string[];
}

export interface ConfigReleaseService {
  /** Full or gray publish; answers the request echoed with `name` filled. */
  publish(ctx: RequestContext, req: ConfigFileRelease): Promise<ConfigFileRelease>;
  /** A named release, else the active one; null when none. Query: namespace, group, file_name|name, release_name. */
  getRelease(ctx: RequestContext, query: ConfigQuery): Promise<ConfigFileRelease | null>;
  listReleases(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileRelease>>;
  /** Every live release of one file (no paging). */
  releaseVersions(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileRelease>>;
  deleteReleases(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]>;
  rollbackReleases(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]>;
  stopBeta(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]>;
  /** Upsert the draft and publish it in one transaction. */
  createAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<void>;
  /** Query: namespace, group, name (file), endId|end_id, offset, limit. */
  listHistory(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileReleaseHistory>>;
}

export interface ConfigTemplateService {
  listTemplates(ctx: RequestContext): Promise<ConfigList<ConfigFileTemplate>>;
  createTemplate(ctx: RequestContext, req: ConfigFileTemplate): Promise<ConfigFileTemplate>;
}

export interface WatchOptions {
  /** How this caller is told apart in the watcher view (gRPC: peer ip:port; HTTP: ip). */
  clientId: string;
  /** Hold at most this long; never longer than the configured hold (30 s). */
  timeoutMs?: number;
  /** Aborted when the caller went away: the hold is released at once. */
  signal?: AbortSignal;
}

export interface ConfigClientService {
  getConfigFile(ctx: RequestContext, req: ClientConfigFileInfo, clientId?: string): Promise<ConfigClientResponse>;
  /** Long poll: at once when a file is behind, else held until a change or the timeout (200001). */
  watchConfigFiles(ctx: RequestContext, req: ClientWatchConfigFileRequest, opts: WatchOptions): Promise<ConfigClientResponse>;
  getFileMetadataList(ctx: RequestContext, req: ConfigFileGroupRequest): Promise<ConfigClientListResponse>;
  discover(ctx: RequestContext, req: ConfigDiscoverRequest): Promise<ConfigDiscoverResponse>;
  clientCreateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse>;
  clientUpdateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse>;
  clientPublishFile(ctx: RequestContext, req: ConfigFileRelease): Promise<ConfigClientResponse>;
  /** Compare-and-swap on `md5` (see ConfigCenter docs), then publish. */
  clientUpsertAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<ConfigClientResponse>;
}

/** One client's view of one file, as the watcher listing shows it. */
export interface WatcherView {
  client: string;
  ip: string;
  protocol: string;
  namespace: string;
  group: string;
  fileName: string;
  /** The version the client last said it has (watch request) or was last served (fetch). */
  version: string;
  /** The version it was last woken up with ('0' when never). */
  notifiedVersion: string;
  /** The server's current version for this client ('0' when nothing is published). */
  serverVersion: string;
  /** Long polls of this client on this file being held right now. */
  watching: number;
  /** Last watch / fetch / notification, `YYYY-MM-DD HH:MM:SS`. */
  lastSeen: string;
}

export interface ConfigWatchVisibility {
  /** Query: namespace, group, fileName|file_name (exact; empty = all), offset, limit. */
  listWatchers(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WatcherView>>;
}

/** Everything the API servers use. */
export interface ConfigCenter
  extends ConfigGroupService,
    ConfigFileService,
    ConfigReleaseService,
    ConfigTemplateService,
    ConfigClientService,
    ConfigWatchVisibility,
    Lifecycle {
  /** Answers every held watch now (200001): the API servers are about to close. */
  releaseWatchers(): void;
}
