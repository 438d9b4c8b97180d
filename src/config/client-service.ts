import type {
  ClientConfigFileInfo,
  ClientWatchConfigFileRequest,
  ConfigClientListResponse,
  ConfigClientResponse,
  ConfigDiscoverRequest,
  ConfigDiscoverResponse,
  ConfigFile,
  ConfigFileGroupRequest,
  ConfigFilePublishInfo,
  ConfigFileRelease,
  ConfigFileTag,
} from '../common/api/gen/wire.js';
import { codeInfo } from '../common/errors/code-info.js';
import { Code, type PolarisCode } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import { fileKeyString, type ConfigRelease } from '../common/model/config.js';
import { formatTime } from '../common/utils/time.js';
import type { WatchOptions } from './api.js';
import { tagsToWire } from './convert.js';
import type { ConfigCore } from './core.js';
import { rsaEncryptForClient } from './crypto.js';
import type { FileService } from './file-service.js';
import type { ReleaseService } from './release-service.js';
import { clientLabels, TAG_DATA_KEY, TAG_ENCRYPT_ALGO, TAG_ENCRYPTED, versionOf } from './validate.js';
import type { WatchCenter, WatchedFile } from './watch-center.js';

const CLIENT_IP = 'CLIENT_IP';

function answer(code: PolarisCode, configFile?: ClientConfigFileInfo): ConfigClientResponse {
  return { code, info: codeInfo(code), configFile };
}

function infoOnly(code: PolarisCode, info: string): ConfigClientResponse {
  return { code, info };
}

/** A PolarisError (or anything) as a client answer carrying only code and info. */
function fromError(err: unknown): ConfigClientResponse {
  if (err instanceof PolarisError) return { code: err.code, info: err.info };
  throw err;
}

/** The SDK plane (polaris config/client.go): reads from the cache only, never from the store. */
export class ClientService {
  constructor(
    private readonly core: ConfigCore,
    private readonly files: FileService,
    private readonly releases: ReleaseService,
    private readonly watches: WatchCenter,
  ) {}

  async getConfigFile(ctx: RequestContext, req: ClientConfigFileInfo, clientId?: string): Promise<ConfigClientResponse> {
    const namespace = req.namespace ?? '';
    const group = req.group ?? '';
    const fileName = req.file_name ?? '';
    if (!namespace) return infoOnly(Code.BadRequest, 'namespace is empty');
    if (!group) return infoOnly(Code.BadRequest, 'file group is empty');
    if (!fileName) return infoOnly(Code.BadRequest, 'filename is empty');
    const tags: ConfigFileTag[] = req.tags && req.tags.length > 0 ? req.tags : [{ key: CLIENT_IP, value: ctx.clientIp }];
    const echo: ClientConfigFileInfo = { ...req, tags };
    const key = fileKeyString({ namespace, group, name: fileName });
    const release = this.watches.servedRelease(key, clientLabels(tags));
    if (!release) return answer(Code.NotFoundResource, echo);
    if (versionOf(req.version) > release.version) return answer(Code.DataNoChange, echo);
    let info: ClientConfigFileInfo;
    try {
      info = this.clientInfo(req, release);
    } catch (err) {
      ctx.logger?.warn({ file: { namespace, group, fileName } }, 'cannot deliver the data key of an encrypted config file');
      return fromError(err);
    }
    this.watches.registry.fetched(
      { clientId: clientId ?? ctx.clientIp, ip: ctx.clientIp, protocol: ctx.protocol },
      { key, namespace, group, fileName },
      release.version,
    );
    return answer(Code.ExecuteSuccess, info);
  }

  /** The served form of a release: ciphertext for encrypted files plus the data key as a tag. */
  private clientInfo(req: ClientConfigFileInfo, r: ConfigRelease): ClientConfigFileInfo {
    const tags = tagsToWire(r.tags);
    if (r.encryptAlgo && r.dataKey) {
      tags.push({ key: TAG_ENCRYPT_ALGO, value: r.encryptAlgo }, { key: TAG_ENCRYPTED, value: 'true' });
      let dataKey = r.dataKey;
      const publicKey = req.public_key ?? '';
      if (publicKey) {
        try {
          dataKey = rsaEncryptForClient(Buffer.from(r.dataKey, 'base64'), publicKey);
        } catch {
          // Never fall back to the raw key for a client that asked for it to be wrapped.
          throw new PolarisError(Code.BadRequest, 'invalid public key');
        }
      }
      tags.push({ key: TAG_DATA_KEY, value: dataKey });
    }
    return {
      namespace: req.namespace,
      group: req.group,
      file_name: req.file_name,
      content: r.content,
      version: String(r.version),
      md5: r.md5,
      tags,
      encrypted: r.encryptAlgo !== '',
    };
  }

  async watchConfigFiles(ctx: RequestContext, req: ClientWatchConfigFileRequest, opts: WatchOptions): Promise<ConfigClientResponse> {
    const list = req.watch_files ?? [];
    if (list.length === 0) return answer(Code.InvalidWatchConfigFileFormat);
    const files: WatchedFile[] = [];
    for (const f of list) {
      const namespace = f?.namespace ?? '';
      const group = f?.group ?? '';
      const fileName = f?.file_name ?? '';
      if (!namespace) return infoOnly(Code.BadRequest, 'namespace is empty');
      if (!group) return infoOnly(Code.BadRequest, 'file group is empty');
      if (!fileName) return infoOnly(Code.BadRequest, 'filename is empty');
      files.push({ key: fileKeyString({ namespace, group, name: fileName }), namespace, group, fileName, version: versionOf(f.version) });
    }
    const ip = req.client_ip || ctx.clientIp;
    return this.watches.watch({
      clientId: opts.clientId,
      ip,
      protocol: ctx.protocol,
      labels: { [CLIENT_IP]: ip },
      files,
      timeoutMs: Math.min(opts.timeoutMs ?? Infinity, this.core.cfg.watchTimeoutMs),
      signal: opts.signal,
    });
  }

  async getFileMetadataList(ctx: RequestContext, req: ConfigFileGroupRequest): Promise<ConfigClientListResponse> {
    const namespace = req.config_file_group?.namespace ?? '';
    const group = req.config_file_group?.name ?? '';
    if (!namespace) return { code: Code.BadRequest, info: 'namespace is empty' };
    if (!group) return { code: Code.BadRequest, info: 'file group is empty' };
    const { releases, revision } = this.core.cache.groupActiveReleases(namespace, group);
    if (revision === '') return { code: Code.ExecuteSuccess, info: codeInfo(Code.ExecuteSuccess) };
    if (revision === (req.revision ?? '')) return { code: Code.DataNoChange, info: codeInfo(Code.DataNoChange) };
    return {
      code: Code.ExecuteSuccess,
      info: codeInfo(Code.ExecuteSuccess),
      revision,
      namespace,
      group,
      config_file_infos: releases.map((r) => ({
        namespace: r.namespace,
        group: r.group,
        file_name: r.fileName,
        name: r.name,
        version: String(r.version),
        release_time: formatTime(r.mtime),
        tags: tagsToWire(r.tags),
      })),
    };
  }

  async discover(ctx: RequestContext, req: ConfigDiscoverRequest): Promise<ConfigDiscoverResponse> {
    const type = req.type ?? 'UNKNOWN';
    const file = req.config_file ?? {};
    switch (type) {
      case 'CONFIG_FILE': {
        const resp = await this.getConfigFile(ctx, file);
        const code = resp.code ?? Code.ExecuteSuccess;
        const version = resp.configFile?.version ?? '0';
        if (code === Code.ExecuteSuccess && req.revision && req.revision === version) {
          return { code: Code.DataNoChange, info: codeInfo(Code.DataNoChange), type, revision: version };
        }
        if (code !== Code.ExecuteSuccess) return { code, info: resp.info ?? '', type, revision: '0', config_file: resp.configFile ?? null };
        return { code, info: resp.info ?? '', type, revision: version, config_file: resp.configFile };
      }
      case 'CONFIG_FILE_Names': {
        const list = await this.getFileMetadataList(ctx, {
          revision: req.revision,
          config_file_group: { namespace: file.namespace, name: file.group },
        });
        return {
          code: list.code,
          info: list.info,
          type,
          revision: list.revision ?? '',
          config_file_names: list.config_file_infos ?? [],
        };
      }
      case 'CONFIG_FILE_GROUPS': {
        const namespace = file.namespace ?? '';
        if (!namespace) return { code: Code.BadRequest, info: 'namespace is empty', type };
        const revision = this.core.cache.groupsRevision(namespace);
        if (revision === '') return { code: Code.ExecuteSuccess, info: codeInfo(Code.ExecuteSuccess), type };
        if (revision === (req.revision || file.md5 || '')) return { code: Code.DataNoChange, info: codeInfo(Code.DataNoChange), type };
        const groups = [...this.core.cache.groups(namespace)].sort((a, b) => a.id - b.id);
        return {
          code: Code.ExecuteSuccess,
          info: codeInfo(Code.ExecuteSuccess),
          type,
          revision,
          config_file: { namespace },
          config_file_groups: groups.map((g) => ({ namespace: g.namespace, name: g.name })),
        };
      }
      default:
        return { code: Code.InvalidDiscoverResource, info: codeInfo(Code.InvalidDiscoverResource) };
    }
  }

  async clientCreateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse> {
    return this.codeOf(() => this.files.createFile(ctx, req));
  }

  async clientUpdateFile(ctx: RequestContext, req: ConfigFile): Promise<ConfigClientResponse> {
    return this.codeOf(() => this.files.updateFile(ctx, req));
  }

  async clientPublishFile(ctx: RequestContext, req: ConfigFileRelease): Promise<ConfigClientResponse> {
    return this.codeOf(() => this.releases.publish(ctx, req));
  }

  async clientUpsertAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<ConfigClientResponse> {
    const resp = await this.codeOf(() => this.releases.upsertAndPublish(ctx, req, true));
    resp.configFile = { namespace: req.namespace, group: req.group, file_name: req.file_name };
    return resp;
  }

  private async codeOf(run: () => Promise<unknown>): Promise<ConfigClientResponse> {
    try {
      await run();
      return answer(Code.ExecuteSuccess);
    } catch (err) {
      return fromError(err);
    }
  }
}
