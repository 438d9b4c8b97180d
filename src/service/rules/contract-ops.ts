import { createHash } from 'node:crypto';
import type {
  InterfaceDescriptor as WireInterface,
  InterfaceDescriptor_Source,
  Response as WireResponse,
  ServiceContract as WireServiceContract,
} from '../../common/api/gen/wire.js';
import type { RuleEntry } from '../../cache/rules-cache.js';
import { failed, ok, type ItemResult } from '../../common/errors/batch.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { PolarisError, toPolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import { newId } from '../../common/utils/ids.js';
import { checkBatch, checkResourceName, MAX_NAMESPACE_LEN } from '../../common/utils/validate.js';
import type { RuleRow } from '../../store/rules-api.js';
import type { ListResult, RawQuery } from '../api.js';
import { first, paging } from '../query-params.js';
import type { ServiceContractOps } from './api.js';
import { page, prevalidate, ruleTime } from './common.js';
import { syncRules, writeEach, type RuleOpsDeps } from './deps.js';

/** An interface as stored: the wire descriptor's own fields, times as epoch ms. */
interface StoredInterface {
  id: string;
  name: string;
  type: string;
  method: string;
  path: string;
  content: string;
  source: InterfaceDescriptor_Source;
  revision: string;
  ctime: number;
  mtime: number;
}

/** A service contract's body (the row holds id, name = type, namespace, service, revision). */
export interface ContractBody {
  service: string;
  type: string;
  protocol: string;
  version: string;
  content: string;
  metadata: Record<string, string>;
  interfaces: StoredInterface[];
}

const SOURCE_NUMBER: Record<InterfaceDescriptor_Source, number> = { UNKNOWN: 0, Manual: 1, Client: 2 };

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** polaris `CheckContractTetrad`: hex SHA-1 of `namespace##service##name##protocol##version`. */
export function contractId(c: WireServiceContract): string {
  return c.id || sha1(`${c.namespace ?? ''}##${c.service ?? ''}##${c.name ?? ''}##${c.protocol ?? ''}##${c.version ?? ''}`);
}

/** polaris `CheckContractInterfaceTetrad`. */
function interfaceId(contract: string, source: InterfaceDescriptor_Source, i: WireInterface): string {
  if (i.id) return i.id;
  if (!i.path) throw new PolarisError(Code.BadRequest, 'invalid service_contract interface path');
  return sha1(`${contract}##${i.method ?? ''}##${i.path}##${i.name ?? ''}##${SOURCE_NUMBER[source]}`);
}

/** polaris `checkBaseServiceContract`. */
function checkContract(req: WireServiceContract): WireServiceContract {
  checkResourceName(req.namespace, MAX_NAMESPACE_LEN, Code.InvalidNamespaceName, 'namespace');
  if (!req.name) throw new PolarisError(Code.BadRequest, 'invalid service_contract name');
  if (!req.protocol) throw new PolarisError(Code.BadRequest, 'invalid service_contract protocol');
  return req;
}

/** The contract an interface operation addresses: by id, else by its checked key. */
function checkInterfaceTarget(req: WireServiceContract): string {
  if (req.id) return req.id;
  checkContract(req);
  return contractId(req);
}

function contractRow(id: string, body: ContractBody, namespace: string, revision: string): RuleRow {
  return {
    kind: 'contract',
    id,
    name: body.type,
    namespace,
    services: [{ namespace, service: body.service }],
    enable: true,
    revision,
    priority: 0,
    body: JSON.stringify(body),
    etime: 0,
    ctime: 0,
    mtime: 0,
  };
}

function interfaceToWire(i: StoredInterface, brief = false): WireInterface {
  return {
    id: i.id,
    method: i.method,
    path: i.path,
    content: brief ? '' : i.content,
    source: i.source,
    revision: i.revision,
    ctime: ruleTime(i.ctime),
    mtime: ruleTime(i.mtime),
    name: i.name,
    type: i.type,
  };
}

function parseBody(row: RuleRow): ContractBody {
  return JSON.parse(row.body) as ContractBody;
}

/** Service contracts (console routes and PolarisServiceContractGRPC). */
export class DefaultServiceContractOps implements ServiceContractOps {
  constructor(private readonly deps: RuleOpsDeps) {}

  async createServiceContracts(ctx: RequestContext, reqs: WireServiceContract[]): Promise<ItemResult<WireServiceContract>[]> {
    const pre = prevalidate(reqs, checkContract);
    if (!pre.ok) return pre.failures.map((f) => ({ code: f.code, info: f.info }));
    return writeEach(
      this.deps,
      pre.values,
      async (req) => {
        return ok<WireServiceContract>(undefined, await this.upsertContract(req));
      },
      (err, _item) => failed(err),
    );
  }

  async deleteServiceContracts(ctx: RequestContext, reqs: WireServiceContract[]): Promise<ItemResult<WireServiceContract>[]> {
    checkBatch(reqs);
    const out: ItemResult<WireServiceContract>[] = [];
    for (const req of reqs) {
      try {
        // Deleting what does not exist succeeds (polaris).
        await this.deps.store.deleteRule('contract', contractId(req));
        out.push(ok<WireServiceContract>());
      } catch (err) {
        out.push(failed(err));
      }
    }
    await syncRules(this.deps);
    return out;
  }

  async listServiceContracts(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireServiceContract>> {
    const { offset, limit } = paging(q);
    const v = (k: string) => first(q, k) || undefined;
    const type = v('name') ?? v('type');
    const brief = v('brief') === 'true';
    const matches: RuleEntry<ContractBody>[] = [];
    for (const e of this.deps.cache.all<ContractBody>('contract')) {
      const b = e.body;
      if (v('id') && e.row.id !== v('id')) continue;
      if (v('namespace') && e.row.namespace !== v('namespace')) continue;
      if (v('service') && b.service !== v('service')) continue;
      if (type && b.type !== type) continue;
      if (v('protocol') && b.protocol !== v('protocol')) continue;
      if (v('version') && b.version !== v('version')) continue;
      if (v('interface_name') && !b.interfaces.some((i) => i.name.includes(v('interface_name') as string))) continue;
      if (v('interface_path') && !b.interfaces.some((i) => i.path.includes(v('interface_path') as string))) continue;
      matches.push(e);
    }
    matches.sort((a, b) => b.row.mtime - a.row.mtime || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    return { amount: matches.length, items: page(matches, offset, limit).map((e) => this.toWire(e, brief)) };
  }

  async listServiceContractVersions(ctx: RequestContext, q: RawQuery): Promise<ListResult<WireServiceContract>> {
    const namespace = first(q, 'namespace');
    if (!namespace) throw new PolarisError(Code.InvalidParameter, 'namespace is empty');
    const service = first(q, 'service');
    const items: WireServiceContract[] = [];
    for (const e of this.deps.cache.all<ContractBody>('contract')) {
      if (e.row.namespace !== namespace || (service && e.body.service !== service)) continue;
      items.push({
        id: e.row.id,
        name: e.body.type,
        type: e.body.type,
        namespace: e.row.namespace,
        service: e.body.service,
        version: e.body.version,
        protocol: e.body.protocol,
        revision: e.row.revision,
        ctime: ruleTime(e.row.ctime),
        mtime: ruleTime(e.row.mtime),
      });
    }
    items.sort((a, b) => (a.version ?? '').localeCompare(b.version ?? '') || (a.id ?? '').localeCompare(b.id ?? ''));
    return { amount: items.length, items };
  }

  async createContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>> {
    return this.interfaceOp(req, 'replace', 'Manual');
  }

  async appendContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>> {
    return this.interfaceOp(req, 'append', 'Manual');
  }

  async deleteContractInterfaces(ctx: RequestContext, req: WireServiceContract): Promise<ItemResult<WireServiceContract>> {
    return this.interfaceOp(req, 'delete', 'Manual');
  }

  async reportServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse> {
    try {
      checkContract(req);
      const cached = this.findCached(req.namespace ?? '', req.service ?? '', req.name ?? '', req.protocol ?? '', req.version ?? '');
      if (!cached || cached.body.content !== (req.content ?? '')) await this.upsertContract(req);
      await syncRules(this.deps);
      const r = await this.interfaceOp(req, 'replace', 'Client');
      return { code: r.code, info: r.info };
    } catch (err) {
      const e = toPolarisError(err);
      return { code: e.code, info: e.info };
    }
  }

  async getServiceContract(ctx: RequestContext, req: WireServiceContract): Promise<WireResponse> {
    if (!req.name) return codeResponse(Code.InvalidParameter, 'name is empty');
    if (!req.namespace) return codeResponse(Code.InvalidNamespaceName);
    if (!req.protocol) return codeResponse(Code.InvalidParameter, 'protocol is empty');
    const requested = { name: req.service ?? '', namespace: req.namespace };
    const svc = this.deps.naming.service(requested.namespace, requested.name);
    const source = svc?.reference ? this.deps.naming.serviceById(svc.reference) : svc;
    const ns = source?.namespace ?? requested.namespace;
    const name = source?.name ?? requested.name;
    const found = this.findCached(ns, name, req.name, req.protocol, req.version ?? '');
    if (!found) return { ...codeResponse(Code.NotFoundResource), service: { ...requested } };
    if (req.revision && req.revision === found.row.revision) return { ...codeResponse(Code.DataNoChange), service: { ...requested } };
    return {
      ...codeResponse(Code.ExecuteSuccess),
      service: { ...requested, revision: found.row.revision },
      serviceContract: this.toWire(found, false),
    };
  }

  // ---- plumbing ----

  /** Creates the contract, or updates its content; NoNeedUpdate when the content is the same. */
  private async upsertContract(req: WireServiceContract): Promise<PolarisCode> {
    const id = contractId(req);
    const namespace = req.namespace ?? '';
    return this.deps.store.transaction(async (tx) => {
      const cur = await tx.getRule('contract', id);
      if (cur) {
        const body = parseBody(cur);
        if (body.content === (req.content ?? '')) return Code.NoNeedUpdate;
        await tx.updateRule(contractRow(id, { ...body, content: req.content ?? '' }, cur.namespace, newId()));
        return Code.ExecuteSuccess;
      }
      const body: ContractBody = {
        service: req.service ?? '',
        type: req.type || req.name || '',
        protocol: req.protocol ?? '',
        version: req.version ?? '',
        content: req.content ?? '',
        metadata: { ...(req.metadata ?? {}) },
        interfaces: [],
      };
      await tx.createRule(contractRow(id, body, namespace, newId()));
      return Code.ExecuteSuccess;
    });
  }

  private async interfaceOp(
    req: WireServiceContract,
    op: 'replace' | 'append' | 'delete',
    source: InterfaceDescriptor_Source,
  ): Promise<ItemResult<WireServiceContract>> {
    try {
      const id = checkInterfaceTarget(req);
      const ids = (req.interfaces ?? []).map((i) => interfaceId(id, op === 'delete' ? 'Manual' : source, i));
      await this.deps.store.transaction(async (tx) => {
        const cur = await tx.getRule('contract', id);
        if (!cur) throw new PolarisError(Code.NotFoundResource, `service contract ${id}`);
        const body = parseBody(cur);
        body.interfaces = applyInterfaces(body.interfaces, req.interfaces ?? [], ids, op, source);
        await tx.updateRule(contractRow(id, body, cur.namespace, newId()));
      });
      await syncRules(this.deps);
      return ok<WireServiceContract>();
    } catch (err) {
      return failed(err);
    }
  }

  private findCached(namespace: string, service: string, type: string, protocol: string, version: string): RuleEntry<ContractBody> | undefined {
    return this.deps.cache
      .bound<ContractBody>('contract', 'svc', { namespace, service })
      .find((e) => e.body.type === type && e.body.protocol === protocol && e.body.version === version);
  }

  private toWire(e: RuleEntry<ContractBody>, brief: boolean): WireServiceContract {
    const b = e.body;
    return {
      id: e.row.id,
      name: b.type,
      namespace: e.row.namespace,
      service: b.service,
      protocol: b.protocol,
      version: b.version,
      revision: e.row.revision,
      content: brief ? '' : b.content,
      interfaces: b.interfaces.map((i) => interfaceToWire(i, brief)),
      ctime: ruleTime(e.row.ctime),
      mtime: ruleTime(e.row.mtime),
      status: this.status(e),
      type: b.type,
      metadata: { ...b.metadata },
    };
  }

  /** `Online` when the service has a healthy instance of the contract's version (polaris). */
  private status(e: RuleEntry<ContractBody>): string {
    const svc = this.deps.naming.service(e.row.namespace, e.body.service);
    if (!svc) return 'Offline';
    for (const inst of this.deps.naming.instancesOf(svc.id)) {
      if (inst.healthy && inst.version === e.body.version) return 'Online';
    }
    return 'Offline';
  }
}

function codeResponse(code: PolarisCode, detail?: string): WireResponse {
  return { code, info: detail ? `${codeInfo(code)}: ${detail}` : codeInfo(code) };
}

/** Applies an interface operation; `replace` swaps every interface of `source` for the new ones. */
function applyInterfaces(
  current: StoredInterface[],
  incoming: WireInterface[],
  ids: string[],
  op: 'replace' | 'append' | 'delete',
  source: InterfaceDescriptor_Source,
): StoredInterface[] {
  if (op === 'delete') {
    const drop = new Set(ids);
    return current.filter((i) => !drop.has(i.id));
  }
  const now = Date.now();
  const before = new Map(current.map((i) => [i.id, i]));
  const fresh = incoming.map((i, n): StoredInterface => ({
    id: ids[n],
    name: i.name ?? '',
    type: i.type || i.name || '',
    method: i.method ?? '',
    path: i.path ?? '',
    content: i.content ?? '',
    source,
    revision: newId(),
    ctime: before.get(ids[n])?.ctime ?? now,
    mtime: now,
  }));
  const freshIds = new Set(ids);
  const kept = current.filter((i) => !freshIds.has(i.id) && (op === 'append' || i.source !== source));
  return [...kept, ...fresh];
}
