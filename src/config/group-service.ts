import type { ConfigFileGroup, ConfigFileTemplate } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { ConfigGroup } from '../common/model/config.js';
import { runeLength } from '../common/utils/validate.js';
import { wildcardMatcher } from '../common/utils/wildcard.js';
import type { ConfigGroupService, ConfigList, ConfigQuery, ConfigTemplateService } from './api.js';
import { groupToWire, templateToWire } from './convert.js';
import { operator, type ConfigCore } from './core.js';
import { configError } from './errors.js';
import { first, page, paging } from './query.js';
import { checkContent, checkGroupName, checkNamespace } from './validate.js';

function checkGroupMetadata(md: Record<string, string> | null | undefined): Record<string, string> {
  const entries = Object.entries(md ?? {});
  if (entries.length > 64) throw configError(Code.InvalidMetadata);
  return Object.fromEntries(entries);
}

/** Config groups and templates (polaris config_file_group.go / config_file_template.go). */
export class GroupService implements ConfigGroupService, ConfigTemplateService {
  constructor(private readonly core: ConfigCore) {}

  async createGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void> {
    const namespace = checkNamespace(req.namespace);
    const name = checkGroupName(req.name);
    const metadata = checkGroupMetadata(req.metadata);
    const by = operator(ctx);
    await this.core.store.transaction(async (tx) => {
      await this.core.ensureNamespace(tx, namespace);
      if (await tx.getGroup(namespace, name)) throw configError(Code.ExistedResource);
      await tx.createGroup({
        id: 0,
        namespace,
        name,
        comment: req.comment ?? '',
        owner: req.owner ?? '',
        business: req.business ?? '',
        department: req.department ?? '',
        metadata,
        createBy: by,
        modifyBy: by,
        ctime: 0,
        mtime: 0,
      });
    });
    await this.core.sync();
  }

  async updateGroup(ctx: RequestContext, req: ConfigFileGroup): Promise<void> {
    const namespace = checkNamespace(req.namespace);
    const name = checkGroupName(req.name);
    const metadata = req.metadata === undefined || req.metadata === null ? undefined : checkGroupMetadata(req.metadata);
    await this.core.store.transaction(async (tx) => {
      const cur = await tx.getGroup(namespace, name);
      if (!cur) throw configError(Code.NotFoundResource);
      const next: ConfigGroup = {
        ...cur,
        comment: req.comment ?? cur.comment,
        owner: req.owner ?? cur.owner,
        business: req.business ?? cur.business,
        department: req.department ?? cur.department,
        metadata: metadata ?? cur.metadata,
        modifyBy: operator(ctx),
      };
      const same =
        next.comment === cur.comment &&
        next.owner === cur.owner &&
        next.business === cur.business &&
        next.department === cur.department &&
        JSON.stringify(next.metadata) === JSON.stringify(cur.metadata);
      if (same) throw configError(Code.NoNeedUpdate);
      await tx.updateGroup(next);
    });
    await this.core.sync();
  }

  async deleteGroup(ctx: RequestContext, namespace: string, name: string): Promise<void> {
    checkNamespace(namespace);
    checkGroupName(name);
    await this.core.store.transaction(async (tx) => {
      if (!(await tx.getGroup(namespace, name))) throw configError(Code.NotFoundResource);
      if ((await tx.countFilesInGroup(namespace, name)) > 0 || (await tx.countActiveReleasesInGroup(namespace, name)) > 0) {
        throw configError(Code.ExistedResource);
      }
      await tx.deleteGroup(namespace, name);
    });
    await this.core.sync();
  }

  async listGroups(ctx: RequestContext, query: ConfigQuery): Promise<ConfigList<ConfigFileGroup>> {
    const { offset, limit } = paging(query);
    const filters: Array<[(g: ConfigGroup) => string, string]> = [
      [(g) => g.namespace, first(query, 'namespace')],
      [(g) => g.name, first(query, 'group', 'name')],
      [(g) => g.business, first(query, 'business')],
      [(g) => g.department, first(query, 'department')],
    ];
    const active = filters.filter(([, v]) => v !== '').map(([get, v]) => ({ get, match: wildcardMatcher(v) }));
    const namespace = first(query, 'namespace');
    const source = namespace && !namespace.includes('*') ? this.core.cache.groups(namespace) : this.core.cache.groups();
    const all = [...source].filter((g) => active.every((f) => f.match(f.get(g))));
    const byName = first(query, 'order_field') === 'name';
    const desc = first(query, 'order_type').toLowerCase() === 'desc';
    all.sort((a, b) => {
      const c = byName ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : b.mtime - a.mtime || b.id - a.id;
      return desc ? -c : c;
    });
    const items = page(all, offset, limit).map((g) => groupToWire(g, this.core.cache.fileCount(g.namespace, g.name)));
    return { total: all.length, items };
  }

  // ---- templates ----

  async listTemplates(_ctx: RequestContext): Promise<ConfigList<ConfigFileTemplate>> {
    const items = (await this.core.store.listTemplates()).map(templateToWire);
    return { total: items.length, items };
  }

  async createTemplate(ctx: RequestContext, req: ConfigFileTemplate): Promise<ConfigFileTemplate> {
    const name = req.name ?? '';
    if (name === '') throw configError(Code.InvalidConfigFileTemplateName);
    const content = req.content ?? '';
    if (content === '') throw configError(Code.BadRequest, 'only', 'content can not be blank.');
    if (runeLength(content) > this.core.cfg.contentMaxLength) throw configError(Code.InvalidConfigFileContentLength);
    checkContent(content, this.core.cfg.contentMaxLength);
    const by = operator(ctx);
    const created = await this.core.store.transaction(async (tx) => {
      if (await tx.getTemplate(name)) throw configError(Code.ExistedResource);
      return tx.createTemplate({
        id: 0,
        name,
        content,
        format: req.format ?? '',
        comment: req.comment ?? '',
        createBy: by,
        modifyBy: by,
        ctime: 0,
        mtime: 0,
      });
    });
    return templateToWire(created);
  }
}
