import type {
  DiscoverResponse as WireDiscoverResponse,
  Routing as WireRouting,
  Service as WireService,
} from '../../common/api/gen/wire.js';
import type { RulesReader } from '../../cache/rules-cache.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import type { RuleKind, RuleServiceKey } from '../../store/rules-api.js';
import type { RuleDiscoverType, RuleDiscovery } from './api.js';
import { routingFor } from './route-discover.js';

type ServiceRequest = WireService & { name: string; namespace: string };

/** What one rule type answers for a service: its payload and revision ('' = no rules). */
export interface RulePayload {
  revision: string;
  /** Fields of the DiscoverResponse that carry the rules. */
  fields: Partial<WireDiscoverResponse>;
}

/** A rule type's Discover lookup, given the source service and the requested names. */
export type RulePayloadBuilder = (cache: RulesReader, source: RuleServiceKey, requested: RuleServiceKey) => RulePayload;

function answer(code: PolarisCode, type: RuleDiscoverType, service: WireService): WireDiscoverResponse {
  return { code, info: codeInfo(code), type, service };
}

/** Memoised answers per (kind, source key, requested key), dropped whenever that kind changes. */
class PayloadMemo {
  private readonly memo = new Map<RuleKind, { version: number; entries: Map<string, RulePayload> }>();

  constructor(private readonly cache: RulesReader) {}

  get(kind: RuleKind, key: string, build: () => RulePayload): RulePayload {
    const version = this.cache.version(kind);
    let m = this.memo.get(kind);
    if (!m || m.version !== version) this.memo.set(kind, (m = { version, entries: new Map() }));
    let p = m.entries.get(key);
    if (!p) {
      p = build();
      if (m.entries.size > 10_000) m.entries.clear();
      m.entries.set(key, p);
    }
    return p;
  }
}

/**
 * Discover answers for the rule types (grpc.md §4.5.2), read from the rules cache. Every answer
 * echoes the requested type and service names.
 */
export class DefaultRuleDiscovery implements RuleDiscovery {
  private readonly memo: PayloadMemo;

  constructor(
    private readonly cache: RulesReader,
    private readonly builders: Partial<Record<Exclude<RuleDiscoverType, 'ROUTING'>, { kind: RuleKind; build: RulePayloadBuilder }>> = {},
  ) {
    this.memo = new PayloadMemo(cache);
  }

  discover(type: RuleDiscoverType, req: ServiceRequest, source: { name: string; namespace: string }): WireDiscoverResponse {
    const src: RuleServiceKey = { namespace: source.namespace, service: source.name };
    if (type === 'ROUTING') return this.routing(req, src);
    const b = this.builders[type];
    if (!b) return answer(Code.ExecuteSuccess, type, { name: req.name, namespace: req.namespace });
    const requested: RuleServiceKey = { namespace: req.namespace, service: req.name };
    const memoKey = `${src.namespace}\u0000${src.service}\u0000${requested.namespace}\u0000${requested.service}`;
    const payload = this.memo.get(b.kind, memoKey, () => b.build(this.cache, src, requested));
    // No rules: the skeleton only, without a revision (polaris).
    if (payload.revision === '') return answer(Code.ExecuteSuccess, type, { name: req.name, namespace: req.namespace });
    if (req.revision && req.revision === payload.revision) return answer(Code.DataNoChange, type, req);
    return {
      ...answer(Code.ExecuteSuccess, type, { name: req.name, namespace: req.namespace, revision: payload.revision }),
      ...payload.fields,
      aliasFor: { name: source.name, namespace: source.namespace },
    };
  }

  /** ROUTING always has a routing (empty lists and the empty-input revision when no rule applies). */
  private routing(req: ServiceRequest, src: RuleServiceKey): WireDiscoverResponse {
    const key = `${src.namespace}\u0000${src.service}`;
    const payload = this.memo.get('route', key, () => {
      const routing = routingFor(this.cache, src);
      return { revision: routing.revision ?? '', fields: { routing } };
    });
    if (req.revision === payload.revision) return answer(Code.DataNoChange, 'ROUTING', req);
    const routing = payload.fields.routing as WireRouting;
    return {
      ...answer(Code.ExecuteSuccess, 'ROUTING', { name: req.name, namespace: req.namespace, revision: payload.revision }),
      routing,
      aliasFor: { name: src.service, namespace: src.namespace },
    };
  }
}
