import type { ConfigFile as WireConfigFile } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import type { RequestContext } from '../common/lifecycle.js';
import { fileKeyString, type ConfigFile, type ConfigFileKey, type ConfigFileMeta } from '../common/model/config.js';
import { formatTime } from '../common/utils/time.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { ConfigWrites } from '../store/config-api.js';
import type { ConfigList, ConfigQuery } from './api.js';
import { fileToWire, type FileReleaseState } from './convert.js';
import { md5Hex, operator, type ConfigCore } from './core.js';
import { configError } from './errors.js';
import { first, page, paging } from './query.js';
import { cleanReleasesInTx, historyOf } from './release-tx.js';
import { checkContent, checkFileName, checkGroupName, checkNamespace, checkTags } from './validate.js';

/** A validated create/update request. */
export interface FileInput extends ConfigFileKey {
  content: string | undefined;
  format: string | undefined;
  comment: string | undefined;
  tags: Record<string, string> | undefined;
  encrypted: boolean | undefined;
  encryptAlgo: string;
}

export const DEFAULT_FORMAT = 'text';

/** The same checks for create, update, import and the client API (http.md §4.4). */
export function checkFileInput(req: WireConfigFile, maxContent: number): FileInput {
  const namespace = checkNamespace(req.namespace);
  const group = checkGroupName(req.group);
  const name = checkFileName(req.name);
  const content = req.content === undefined || req.content === null ? undefined : checkContent(req.content, maxContent);
  const tags = req.tags === undefined || req.tags === null ? undefined : checkTags(req.tags);
  return {
    namespace,
    group,
    name,
    content,
    format: req.format ?? undefined,
    comment: req.comment ?? undefined,
    tags,
    encrypted: req.encrypted ?? undefined,
    encryptAlgo: req.encrypt_algo ?? '',
  };
}

/** Config files: the editable drafts (polaris config_file.go). */
export class FileService {
  constructor(private readonly core: ConfigCore) {}

  /** Release status of a draft, from the active releases in the cache. */
  releaseState(f: Pick<ConfigFileMeta, 'namespace' | 'group' | 'name' | 'md5'>): FileReleaseState {
    const key = fileKeyString(f);
    const gray = this.core.cache.activeRelease(key, 'gray');
    if (gray && gray.md5 === f.md5) return { status: 'betaing', releaseTime: formatTime(gray.mtime), releaseBy: gray.modifyBy };
    const full = this.core.cache.activeRelease(key, 'full');
    if (full && full.md5 === f.md5) return { status: 'normal', releaseTime: formatTime(full.mtime), releaseBy: full.modifyBy };
    return { status: 'to-be-released', releaseTime: '', releaseBy: '' };
  }

  toWire(f: ConfigFile): WireConfigFile {
    return fileToWire(f, this.core.openContent(f), this.releaseState(f));
  }

  /** Creates the draft (group and namespace too when missing). Existing → 400201. */
  async createInTx(tx: ConfigWrites, input: FileInput, by: string): Promise<ConfigFile> {
    await this.core.ensureGroup(tx, input.namespace, input.group, by);
    if (await tx.getFile(input)) throw configError(Code.ExistedResource);
    const sealed = this.core.sealContent(input.content ?? '', input.encrypted === true, input.encryptAlgo, '');
    return tx.createFile({
      id: 0,
      namespace: input.namespace,
      group: input.group,
      name: input.name,
      ...sealed,
      md5: md5Hex(sealed.content),
      format: input.format || DEFAULT_FORMAT,
      comment: input.comment ?? '',
      tags: input.tags ?? {},
      createBy: by,
      modifyBy: by,
      ctime: 0,
      mtime: 0,
    });
  }

  /** Updates the draft; absent fields keep their value. Missing → 400202; nothing changed → 200002. */
  async updateInTx(tx: ConfigWrites, input: FileInput, by: string): Promise<ConfigFile> {
    const cur = await tx.getFile(input);
    if (!cur) throw configError(Code.NotFoundResource);
    const plain = input.content ?? this.core.openContent(cur);
    const encrypt = input.encrypted ?? cur.encryptAlgo !== '';
    const algo = input.encryptAlgo || cur.encryptAlgo;
    const keepKey = encrypt && algo === cur.encryptAlgo ? cur.dataKey : '';
    const sealed = this.core.sealContent(plain, encrypt, algo, keepKey);
    const next: ConfigFile = {
      ...cur,
      ...sealed,
      md5: md5Hex(sealed.content),
      format: input.format || cur.format,
      comment: input.comment ?? cur.comment,
      tags: input.tags ?? cur.tags,
      modifyBy: by,
    };
    const same =
      next.content === cur.content &&
      next.encryptAlgo === cur.encryptAlgo &&
      next.format === cur.format &&
      next.comment === cur.comment &&
      JSON.stringify(next.tags) === JSON.stringify(cur.tags);
    if (same) throw configError(Code.NoNeedUpdate);
    await tx.updateFile(next);
    return next;
  }

  async createFile(ctx: RequestContext, req: WireConfigFile): Promise<WireConfigFile> {
    const input = checkFileInput(req, this.core.cfg.contentMaxLength);
    const by = operator(ctx);
    await this.core.store.transaction((tx) => this.createInTx(tx, input, by));
    await this.core.sync();
    return { ...req, format: input.format || DEFAULT_FORMAT, create_by: by, modify_by: by };
  }

  async updateFile(ctx: RequestContext, req: WireConfigFile): Promise<WireConfigFile> {
    const input = checkFileInput(req, this.core.cfg.contentMaxLength);
    const updated = await this.core.store.transaction((tx) => this.updateInTx(tx, input, operator(ctx)));
    await this.core.sync();
    const saved = await this.core.store.getFile(input);
    return this.toWire(saved ?? updated);
  }

  async getFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<WireConfigFile> {
    const key = { namespace: checkNamespace(namespace), group: checkGroupName(group), name: checkFileName(name) };
    const f = await this.core.store.getFile(key);
    if (!f) throw configError(Code.NotFoundResource);
    return this.toWire(f);
  }

  async searchFiles(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<WireConfigFile>> {
    const { offset, limit } = paging(query);
    const filters = [
      [(f: ConfigFileMeta) => f.namespace, first(query, 'namespace')],
      [(f: ConfigFileMeta) => f.group, first(query, 'group')],
      [(f: ConfigFileMeta) => f.name, first(query, 'name', 'file_name', 'fileName')],
    ] as const;
    const active = filters.filter(([, v]) => v !== '').map(([get, v]) => ({ get, match: wildcardMatcher(v) }));
    const all = [...this.core.cache.files()].filter((f) => active.every((x) => x.match(x.get(f))));
    all.sort((a, b) => b.id - a.id);
    const items: WireConfigFile[] = [];
    for (const meta of page(all, offset, limit)) {
      const f = await this.core.store.getFile(meta);
      if (f) items.push(this.toWire(f));
    }
    return { total: all.length, items };
  }

  async deleteFile(ctx: RequestContext, namespace: string, group: string, name: string): Promise<void> {
    const key = { namespace: checkNamespace(namespace), group: checkGroupName(group), name: checkFileName(name) };
    const by = operator(ctx);
    await this.core.store.transaction(async (tx) => {
      if (!(await tx.getFile(key))) return;
      const last = await cleanReleasesInTx(tx, key, by);
      await tx.deleteFile(key);
      if (last) await tx.addReleaseHistory(historyOf(last, 'delete', by));
    });
    await this.core.sync();
  }

  async batchDeleteFiles(ctx: RequestContext, reqs: WireConfigFile[]): Promise<void> {
    for (const req of reqs) await this.deleteFile(ctx, req.namespace ?? '', req.group ?? '', req.name ?? '');
  }
}
