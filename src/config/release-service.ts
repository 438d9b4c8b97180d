import type {
  ConfigFilePublishInfo,
  ConfigFileRelease as WireConfigFileRelease,
  ConfigFileReleaseHistory as WireReleaseHistory,
} from '../common/api/gen/wire.js';
import { failed, ok, type ItemResult } from '../common/errors/batch.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import { fileKeyString, type ConfigFileKey, type ConfigRelease } from '../common/model/config.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { ConfigWrites } from '../store/config-api.js';
import type { ConfigList, ConfigQuery } from './api.js';
import { grayLabelsFromWire, historyToWire, releaseToWire } from './convert.js';
import { md5Hex, operator, type ConfigCore } from './core.js';
import { configError } from './errors.js';
import { checkFileInput, type FileService } from './file-service.js';
import { first, page, paging } from './query.js';
import { deleteReleaseInTx, historyOf, publishInTx, rollbackInTx, stopBetaInTx } from './release-tx.js';
import { checkFileName, checkGroupName, checkNamespace, isResourceName } from './validate.js';

/** Publishes, release reads, rollback, delete, stop-beta and history (polaris config_file_release*.go). */
export class ReleaseService {
  constructor(
    private readonly core: ConfigCore,
    private readonly files: FileService,
  ) {}

  async publish(ctx: RequestContext, req: WireConfigFileRelease): Promise<WireConfigFileRelease> {
    const fileName = checkFileName(req.file_name);
    const namespace = checkNamespace(req.namespace);
    const group = checkGroupName(req.group);
    const gray = req.release_type === 'gray';
    const betaLabels = grayLabelsFromWire(req.beta_labels);
    if (gray && betaLabels.length === 0) throw configError(Code.InvalidMatchRule);
    const name = req.name || this.core.releaseName(fileName);
    const by = operator(ctx);
    await this.core.store.transaction(async (tx) => {
      if (!(await tx.getNamespace(namespace))) throw configError(Code.NotFoundNamespace);
      const release = await publishInTx(tx, {
        key: { namespace, group, name: fileName },
        name,
        comment: req.comment ?? '',
        releaseDescription: req.release_description ?? '',
        releaseType: gray ? 'gray' : 'full',
        betaLabels,
        by,
      });
      await tx.addReleaseHistory(historyOf(release, gray ? 'betaing' : 'normal', by));
    });
    await this.core.sync();
    return { ...req, name };
  }

  /**
   * Upserts the draft and publishes it in one transaction. With `casMd5` set (client API), an
   * existing file is only changed when the given md5 is the MD5 of its current content (a real
   * compare-and-swap) or of the new content (what polaris SDKs send, making the call idempotent);
   * anything else is 409000.
   */
  async upsertAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo, cas: boolean): Promise<void> {
    const input = checkFileInput(
      {
        namespace: req.namespace,
        group: req.group,
        name: req.file_name,
        content: req.content ?? '',
        format: req.format,
        comment: req.comment,
        tags: req.tags,
        encrypted: req.encrypted,
        encrypt_algo: req.encrypt_algo,
      },
      this.core.cfg.contentMaxLength,
    );
    const by = operator(ctx);
    const name = req.release_name || this.core.releaseName(input.name);
    await this.core.store.transaction(async (tx) => {
      const cur = await tx.getFile(input);
      if (!cur) await this.files.createInTx(tx, input, by);
      else {
        if (cas) {
          const given = req.md5 ?? '';
          const plain = this.core.openContent(cur);
          const accepted = [cur.md5, md5Hex(plain), md5Hex(input.content ?? '')];
          if (given === '' || !accepted.includes(given)) throw configError(Code.DataConflict);
        }
        await this.files.updateInTx(tx, input, by).catch((err: unknown) => {
          if (!(err instanceof PolarisError && err.code === Code.NoNeedUpdate)) throw err;
        });
      }
      const release = await publishInTx(tx, {
        key: input,
        name,
        comment: req.comment ?? '',
        releaseDescription: req.release_description ?? '',
        releaseType: 'full',
        betaLabels: [],
        by,
      });
      await tx.addReleaseHistory(historyOf(release, 'normal', by));
    });
    await this.core.sync();
  }

  async createAndPublish(ctx: RequestContext, req: ConfigFilePublishInfo): Promise<void> {
    await this.upsertAndPublish(ctx, req, false);
  }

  async getRelease(ctx: RequestContext, query: ConfigQuery): Promise<WireConfigFileRelease | null> {
    const key = this.readKey(query, first(query, 'file_name', 'fileName', 'name'));
    const releaseName = first(query, 'release_name');
    let r: ConfigRelease | undefined;
    if (releaseName) r = await this.core.store.getRelease(key, releaseName);
    else {
      const active = this.core.cache.activeRelease(fileKeyString(key), 'full');
      // The cache keeps the active content; read the row for its freshest form.
      r = active ? ((await this.core.store.getRelease(key, active.name)) ?? active) : undefined;
    }
    return r ? releaseToWire(r, this.core.openContent(r)) : null;
  }

  async listReleases(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WireConfigFileRelease>> {
    const { offset, limit } = paging(query);
    const filters = [
      [(r: ConfigRelease) => r.namespace, first(query, 'namespace')],
      [(r: ConfigRelease) => r.group, first(query, 'group')],
      [(r: ConfigRelease) => r.fileName, first(query, 'file_name', 'fileName')],
      [(r: ConfigRelease) => r.name, first(query, 'release_name', 'name')],
    ] as const;
    const active = filters.filter(([, v]) => v !== '').map(([get, v]) => ({ get, match: wildcardMatcher(v) }));
    const onlyActive = first(query, 'only_active') === 'true';
    const all = [...this.core.cache.releases()].filter((r) => (!onlyActive || r.active) && active.every((x) => x.match(x.get(r))));
    const field = first(query, 'order_field');
    const asc = first(query, 'order_type').toLowerCase() === 'asc';
    all.sort((a, b) => {
      let c: number;
      if (field === 'name') c = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      else if (field === 'mtime') c = a.mtime - b.mtime;
      else c = a.version - b.version;
      return asc ? c : -c;
    });
    return { total: all.length, items: page(all, offset, limit).map((r) => releaseToWire(r, null)) };
  }

  async releaseVersions(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WireConfigFileRelease>> {
    const fileName = first(query, 'file_name', 'fileName');
    if (!fileName) throw configError(Code.BadRequest, 'only', 'invalid config file name');
    const key = this.readKey(query, fileName);
    const all = [...this.core.cache.releasesOf(fileKeyString(key))].sort((a, b) => b.version - a.version);
    return { total: all.length, items: all.map((r) => releaseToWire(r, null)) };
  }

  deleteReleases(ctx: RequestContext, reqs: WireConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.eachRelease(ctx, reqs, async (tx, key, req, by) => {
      const last = await deleteReleaseInTx(tx, key, req.name ?? '', by);
      if (last) await tx.addReleaseHistory(historyOf(last, 'delete', by));
    });
  }

  rollbackReleases(ctx: RequestContext, reqs: WireConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.eachRelease(ctx, reqs, async (tx, key, req, by) => {
      const target = await rollbackInTx(tx, key, req.name ?? '', by);
      await tx.addReleaseHistory(historyOf(target, 'rollback', by));
    });
  }

  stopBeta(ctx: RequestContext, reqs: WireConfigFileRelease[]): Promise<ItemResult<null>[]> {
    return this.eachRelease(ctx, reqs, async (tx, key, _req, by) => {
      const gray = await stopBetaInTx(tx, key, by);
      if (gray) await tx.addReleaseHistory(historyOf(gray, 'cancel-gray', by));
    });
  }

  async listHistory(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WireReleaseHistory>> {
    const { offset, limit } = paging(query);
    const endText = first(query, 'endId', 'end_id');
    const endId = /^[0-9]+$/.test(endText) ? Number(endText) : 0;
    const out = await this.core.store.listReleaseHistory({
      namespace: first(query, 'namespace'),
      group: first(query, 'group'),
      fileName: first(query, 'name', 'file_name', 'fileName'),
      endId,
      offset,
      limit,
    });
    const items = out.items.map((h) => {
      let content = h.content;
      try {
        content = this.core.openContent(h);
      } catch {
        content = '';
      }
      return historyToWire(h, content);
    });
    return { total: out.total, items };
  }

  /** Release reads validate their query with 400000 and a short reason. */
  private readKey(query: ConfigQuery, fileName: string): ConfigFileKey {
    const namespace = first(query, 'namespace');
    const group = first(query, 'group');
    if (!isResourceName(namespace, 64)) throw configError(Code.BadRequest, 'only', 'invalid namespace');
    if (!isResourceName(group, 128)) throw configError(Code.BadRequest, 'only', 'invalid group');
    if (!fileName) throw configError(Code.BadRequest, 'only', 'invalid file_name');
    return { namespace, group, name: fileName };
  }

  /** One transaction per item; the batch code is computed by the caller from the item codes. */
  private async eachRelease(
    ctx: RequestContext,
    reqs: WireConfigFileRelease[],
    run: (tx: ConfigWrites, key: ConfigFileKey, req: WireConfigFileRelease, by: string) => Promise<void>,
  ): Promise<ItemResult<null>[]> {
    const by = operator(ctx);
    const out: ItemResult<null>[] = [];
    for (const req of reqs) {
      try {
        if (!isResourceName(req.namespace, 64)) throw configError(Code.BadRequest, 'only', 'invalid config namespace');
        if (!isResourceName(req.group, 128)) throw configError(Code.BadRequest, 'only', 'invalid config group');
        if (!req.file_name) throw configError(Code.BadRequest, 'only', 'invalid config file_name');
        const key = { namespace: req.namespace, group: req.group, name: req.file_name };
        await this.core.store.transaction((tx) => run(tx, key, req, by));
        out.push(ok<null>());
      } catch (err) {
        out.push(failed<null>(err));
      }
    }
    await this.core.sync();
    return out;
  }
}
