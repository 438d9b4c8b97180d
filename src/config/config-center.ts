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
import type { RequestContext } from '../common/lifecycle.js';
import type { Clock, Ticker } from '../common/timewheel/clock.js';
import { formatTime } from '../common/utils/time.js';
import type { ConfigCenter, ConfigList, ConfigQuery, ImportResult, WatcherView, WatchOptions } from './api.js';
import { ClientService } from './client-service.js';
import { ConfigCache } from './config-cache.js';
import { ConfigCore, DEFAULT_CONFIG_MODULE, type ConfigDeps, type ConfigModuleConfig } from './core.js';
import { FileService } from './file-service.js';
import { GroupService } from './group-service.js';
import { first, page, paging } from './query.js';
import { ReleaseService } from './release-service.js';
import { TransferService } from './transfer.js';
import { WatchCenter } from './watch-center.js';

export type { ConfigDeps, ConfigModuleConfig };

/**
 * The config center: builds the release cache, the watch center and the services over one
 * ConfigStore, and exposes them through the `ConfigCenter` front door. `start()` loads the cache
 * (full load, then incremental by sequence: probed every `refreshProbeMs`, read at least every
 * `refreshIntervalMs`) and starts the watch wheel;
 * `stop()` answers held watches and stops both.
 */
export class DefaultConfigCenter implements ConfigCenter {
  readonly cache: ConfigCache;
  readonly watches: WatchCenter;
  private readonly core: ConfigCore;
  private readonly groups: GroupService;
  private readonly files: FileService;
  private readonly releases: ReleaseService;
  private readonly transfer: TransferService;
  private readonly client: ClientService;

  constructor(
    deps: ConfigDeps & { clock?: Clock; ticker?: Ticker; seqProbe?: () => Promise<number> },
    config: Partial<ConfigModuleConfig> = {},
  ) {
    const cfg: ConfigModuleConfig = { ...DEFAULT_CONFIG_MODULE, ...config };
    this.cache = new ConfigCache(
      { store: deps.store, logger: deps.logger },
      { intervalMs: cfg.refreshIntervalMs, probeMs: cfg.refreshProbeMs, probe: deps.seqProbe },
    );
    this.watches = new WatchCenter(
      { cache: this.cache, logger: deps.logger, clock: deps.clock, ticker: deps.ticker },
      { tickMs: cfg.watchTickMs },
    );
    this.core = new ConfigCore(deps, this.cache, cfg);
    this.groups = new GroupService(this.core);
    this.files = new FileService(this.core);
    this.releases = new ReleaseService(this.core, this.files);
    this.transfer = new TransferService(this.core, this.files);
    this.client = new ClientService(this.core, this.files, this.releases, this.watches);
  }

  async start(): Promise<void> {
    await this.cache.start();
    await this.watches.start();
    this.core.logger.info({ algorithms: this.core.algorithms() }, 'config center started');
  }

  async stop(): Promise<void> {
    await this.watches.stop();
    await this.cache.stop();
  }

  releaseWatchers(): void {
    this.watches.releaseAll();
  }

  /** Hard-deletes config tombstones (the maintain purge job); versions survive (see ConfigStore). */
  purgeTombstones(olderThanMs: number, belowSeq: number): Promise<number> {
    return this.core.store.purgeConfigTombstones(olderThanMs, belowSeq);
  }

  // ---- groups and templates ----
  createGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void> {
    return this.groups.createGroup(ctx, req);
  }
  updateGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void> {
    return this.groups.updateGroup(ctx, req);
  }
  deleteGroup(ctx: RequestContext, namespace: string, name: string): Promise<void> {
    return this.groups.deleteGroup(ctx, namespace, name);
  }
  listGroups(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileGroup>> {
    return this.groups.listGroups(ctx, query);
  }
  listTemplates(ctx: RequestContext): Promise<ConfigList<ConfigFileTemplate>> {
    return this.groups.listTemplates(ctx);
  }
  createTemplate(ctx: RequestContext, req: ConfigFileTemplate): Promise<ConfigFileTemplate> {
    return this.groups.createTemplate(ctx, req);
  }

  // ---- files ----
  createFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigFile> {
    return this.files.createFile(ctx, req);
  }
  getFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<ConfigFile> {
    return this.files.getFile(ctx, namespace, group, name);
  }
  searchFiles(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFile>> {
    return this.files.searchFiles(ctx, query);
  }
  updateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigFile> {
    return this.files.updateFile(ctx, req);
  }
  deleteFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<void> {
    return this.files.deleteFile(ctx, namespace, group, name);
  }
  batchDeleteFiles(ctx: RequestContext, reqs: ConfigFile[]): Promise<void> {
    return this.files.batchDeleteFiles(ctx, reqs);
  }
  exportFiles(ctx: RequestContext, req: ConfigFileExportRequest): Promise<Uint8Array> {
    return this.transfer.exportFiles(ctx, req);
  }
  importFiles(ctx: RequestContext, zip: Uint8Array, opts: { namespace: string; group: string; conflictHandling: string }): Promise<ImportResult> {
    return this.transfer.importFiles(ctx, zip, opts);
  }
  encryptAlgorithms(): string[] {
    return this.core.algorithms();
  }

  // ---- releases and history ----
  publish(ctx: RequestContext, req: ConfigFileRelease): Promise<ConfigFileRelease> {
    return this.releases.publish(ctx, req);
  }
  getRelease(ctx: RequestContext, query: ConfigQuery): Promise<ConfigFileRelease | null> {
    return this.releases.getRelease(ctx, query);
  }
  listReleases(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileRelease>> {
    return this.releases.listReleases(ctx, query);
  }
  releaseVersions(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileRelease>> {
    return this.releases.releaseVersions(ctx, query);
  }
  deleteReleases(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.releases.deleteReleases(ctx, reqs);
  }
  rollbackReleases(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.releases.rollbackReleases(ctx, reqs);
  }
  stopBeta(ctx: RequestContext, reqs: ConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.releases.stopBeta(ctx, reqs);
  }
  createAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<void> {
    return this.releases.createAndPublish(ctx, req);
  }
  listHistory(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileReleaseHistory>> {
    return this.releases.listHistory(ctx, query);
  }

  // ---- client plane ----
  getConfigFile(ctx: RequestContext, req: ClientConfigFileInfo, clientId?: string): Promise<ConfigClientResponse> {
    return this.client.getConfigFile(ctx, req, clientId);
  }
  watchConfigFiles(ctx: RequestContext, req: ClientWatchConfigFileRequest, opts: WatchOptions): Promise<ConfigClientResponse> {
    return this.client.watchConfigFiles(ctx, req, opts);
  }
  getFileMetadataList(ctx: RequestContext, req: ConfigFileGroupRequest): Promise<ConfigClientListResponse> {
    return this.client.getFileMetadataList(ctx, req);
  }
  discover(ctx: RequestContext, req: ConfigDiscoverRequest): Promise<ConfigDiscoverResponse> {
    return this.client.discover(ctx, req);
  }
  clientCreateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse> {
    return this.client.clientCreateFile(ctx, req);
  }
  clientUpdateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse> {
    return this.client.clientUpdateFile(ctx, req);
  }
  clientPublishFile(ctx: RequestContext, req: ConfigFileRelease): Promise<ConfigClientResponse> {
    return this.client.clientPublishFile(ctx, req);
  }
  clientUpsertAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<ConfigClientResponse> {
    return this.client.clientUpsertAndPublish(ctx, req);
  }

  // ---- visibility ----
  async listWatchers(_ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WatcherView>> {
    const { offset, limit } = paging(query);
    const ns = first(query, 'namespace');
    const group = first(query, 'group');
    const fileName = first(query, 'fileName', 'file_name', 'name');
    const all = [...this.watches.registry.list()].filter(
      (r) => (!ns || r.namespace === ns) && (!group || r.group === group) && (!fileName || r.fileName === fileName),
    );
    all.sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.group.localeCompare(b.group) ||
        a.fileName.localeCompare(b.fileName) ||
        a.client.localeCompare(b.client),
    );
    const items = page(all, offset, limit).map((r) => {
      const served = this.watches.servedRelease(r.key, { CLIENT_IP: r.ip });
      return {
        client: r.client,
        ip: r.ip,
        protocol: r.protocol,
        namespace: r.namespace,
        group: r.group,
        fileName: r.fileName,
        version: String(r.version),
        notifiedVersion: String(r.notifiedVersion),
        serverVersion: String(served?.version ?? 0),
        watching: r.watching,
        lastSeen: formatTime(r.lastSeen),
      };
    });
    return { total: all.length, items };
  }
}

export function createConfigCenter(
  deps: ConfigDeps & { clock?: Clock; ticker?: Ticker; seqProbe?: () => Promise<number> },
  config?: Partial<ConfigModuleConfig>,
): DefaultConfigCenter {
  return new DefaultConfigCenter(deps, config);
}
