import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { ConfigFile as WireConfigFile, ConfigFileExportRequest } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { RequestContext } from '../common/lifecycle.js';
import type { ConfigFile } from '../common/model/config.js';
import type { ImportResult } from './api.js';
import { operator, type ConfigCore } from './core.js';
import { configError } from './errors.js';
import { checkFileInput, type FileInput, type FileService } from './file-service.js';
import { checkNamespace, TAG_ENCRYPT_ALGO, TAG_ENCRYPTED } from './validate.js';

/** Export and import of drafts as a zip (http.md §6.7). */

const META = 'META';
/** Entries an import may hold. */
const MAX_ENTRIES = 2000;

interface MetaEntry {
  tags: Record<string, string>;
  comment: string;
}

/** polaris `ResolveFileType`: the extension (yaml for .yml), `text` without one. */
export function formatFromName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const p = base.lastIndexOf('.');
  if (p < 0 || p === base.length - 1) return 'text';
  const ext = base.slice(p + 1);
  return ext === 'yml' ? 'yaml' : ext;
}

export class TransferService {
  constructor(
    private readonly core: ConfigCore,
    private readonly files: FileService,
  ) {}

  /**
   * One or more groups and no names: every file of those groups as `<group>/<name>`; exactly one
   * group plus names: those files as `<name>`; anything else 400103; nothing found 400807. Drafts
   * are exported as plaintext; encrypted files keep their algorithm tag (never their key), so an
   * import encrypts them again with a new key.
   */
  async exportFiles(_ctx: RequestContext, req: ConfigFileExportRequest): Promise<Uint8Array> {
    const namespace = checkNamespace(req.namespace);
    const groups = (req.groups ?? []).filter((g) => g !== '');
    const names = (req.names ?? []).filter((n) => n !== '');
    let picked: Array<{ path: string; file: ConfigFile }> = [];
    if (groups.length >= 1 && names.length === 0) {
      for (const group of groups) {
        for (const file of await this.core.store.listFiles(namespace, group)) picked.push({ path: `${group}/${file.name}`, file });
      }
    } else if (groups.length === 1 && names.length > 0) {
      for (const name of names) {
        const file = await this.core.store.getFile({ namespace, group: groups[0], name });
        if (file) picked.push({ path: name, file });
      }
    } else {
      throw configError(Code.InvalidParameter);
    }
    picked = picked.filter((p, i) => picked.findIndex((q) => q.path === p.path) === i);
    if (picked.length === 0) throw configError(Code.NotFoundResourceConfigFile);
    const zip: Zippable = {};
    const meta: Record<string, MetaEntry> = {};
    for (const { path, file } of picked) {
      zip[path] = strToU8(this.core.openContent(file));
      const tags = { ...file.tags };
      if (file.encryptAlgo) {
        tags[TAG_ENCRYPT_ALGO] = file.encryptAlgo;
        tags[TAG_ENCRYPTED] = 'true';
      }
      meta[path] = { tags, comment: file.comment };
    }
    zip[META] = strToU8(JSON.stringify(meta, null, '\t'));
    return zipSync(zip, { level: 6 });
  }

  /**
   * Entry `a/rest` → group `a`, file `rest`; the `group` option overrides every group. Everything
   * is validated first and written in ONE transaction: a refused import leaves nothing behind.
   */
  async importFiles(
    ctx: RequestContext,
    zipBytes: Uint8Array,
    opts: { namespace: string; group: string; conflictHandling: string },
  ): Promise<ImportResult> {
    const namespace = checkNamespace(opts.namespace);
    const entries = this.unzip(zipBytes);
    const meta = this.readMeta(entries[META]);
    const inputs: FileInput[] = [];
    for (const [path, bytes] of Object.entries(entries)) {
      if (path === META || path.endsWith('/') || path.startsWith('__MACOSX/')) continue;
      const slash = path.indexOf('/');
      const group = opts.group || (slash >= 0 ? path.slice(0, slash) : '');
      const name = slash >= 0 ? path.slice(slash + 1) : path;
      const m = meta[path];
      const tags = Object.entries(m?.tags ?? {}).map(([key, value]) => ({ key, value }));
      const encryptAlgo = m?.tags?.[TAG_ENCRYPT_ALGO] ?? '';
      let content: string;
      try {
        content = strFromU8(bytes);
      } catch {
        throw configError(Code.BadRequest, 'colon', `file ${path} is not UTF-8 text`);
      }
      inputs.push(
        checkFileInput(
          {
            namespace,
            group,
            name,
            content,
            format: formatFromName(name),
            comment: m?.comment ?? '',
            tags,
            encrypted: encryptAlgo !== '',
            encrypt_algo: encryptAlgo,
          },
          this.core.cfg.contentMaxLength,
        ),
      );
    }
    if (inputs.length === 0) throw configError(Code.BadRequest, 'colon', 'the zip holds no config file');
    const by = operator(ctx);
    const out: ImportResult = { created: [], skipped: [], overwritten: [] };
    await this.core.store.transaction(async (tx) => {
      for (const input of inputs) {
        const echo: WireConfigFile = { namespace: input.namespace, group: input.group, name: input.name, format: input.format };
        if (!(await tx.getFile(input))) {
          await this.files.createInTx(tx, input, by);
          out.created.push(echo);
        } else if (opts.conflictHandling === 'skip') {
          out.skipped.push(echo);
        } else if (opts.conflictHandling === 'overwrite') {
          await this.files.updateInTx(tx, input, by).catch((err: unknown) => {
            if (!(err instanceof PolarisError && err.code === Code.NoNeedUpdate)) throw err;
          });
          out.overwritten.push(echo);
        }
      }
    });
    await this.core.sync();
    return out;
  }

  private unzip(bytes: Uint8Array): Record<string, Uint8Array> {
    let count = 0;
    const maxEntryBytes = this.core.cfg.contentMaxLength * 4;
    // Limits refuse a readable archive (400000); anything fflate cannot read is not a zip (400001).
    let overLimit: string | undefined;
    const refuse = (why: string): never => {
      overLimit = why;
      throw new Error(why);
    };
    try {
      return unzipSync(bytes, {
        filter: (f) => {
          if (++count > MAX_ENTRIES) refuse(`more than ${MAX_ENTRIES} entries`);
          if (f.name !== META && f.originalSize > maxEntryBytes) refuse(`entry ${f.name} is too large`);
          if (f.originalSize > 4 * 1024 * 1024) refuse(`entry ${f.name} is too large`);
          return true;
        },
      });
    } catch (err) {
      if (overLimit) throw configError(Code.BadRequest, 'colon', overLimit);
      throw configError(Code.ParseException, 'colon', `invalid zip: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private readMeta(bytes: Uint8Array | undefined): Record<string, MetaEntry> {
    if (!bytes) return {};
    try {
      const parsed = JSON.parse(strFromU8(bytes)) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as Record<string, MetaEntry>;
    } catch (err) {
      throw configError(Code.BadRequest, 'colon', `invalid META: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
