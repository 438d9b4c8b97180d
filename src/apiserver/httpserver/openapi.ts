import { K, messageDesc, type FieldDesc } from '../../common/api/schema.js';
import { S } from '../../common/api/scalars.js';
import type { RouteDef } from './route-table.js';

/**
 * `GET /apidocs.json` (with `enableSwagger`): an OpenAPI 3 document generated from the mounted
 * route table and the wire types. Response schemas come from each route's envelope message;
 * request bodies of writes are inferred from the resource the path names (batch writes take
 * arrays). Security: the `X-Polaris-Token` header, as polaris-server's swagger declares.
 */

type Schema = Record<string, unknown>;

/** Path keyword → request message, first match wins (order matters: specific before general). */
const BODY_TYPES: Array<[RegExp, string]> = [
  [/\/user\/login$/, 'v1.LoginRequest'],
  [/\/v1\/ReportClient$/, 'v1.Client'],
  [/\/v1\/Discover$/, 'v1.DiscoverRequest'],
  [/\/WatchConfigFile$/, 'v1.ClientWatchConfigFileRequest'],
  [/\/v1\/(Register|Deregister)Instance$|\/v1\/Heartbeat$/, 'v1.Instance'],
  [/\/instances?(\/|$)/, 'v1.Instance'],
  [/\/service\/aliases|\/service\/alias/, 'v1.ServiceAlias'],
  [/\/service\/contract/, 'v1.ServiceContract'],
  [/\/services?(\/|$)/, 'v1.Service'],
  [/\/namespaces?(\/|$)/, 'v1.Namespace'],
  [/\/v2\/routings/, 'v1.RouteRule'],
  [/\/routings/, 'v1.Routing'],
  [/\/ratelimits/, 'v1.Rule'],
  [/\/circuitbreaker\/rules/, 'v1.CircuitBreakerRule'],
  [/\/circuitbreakers?/, 'v1.CircuitBreaker'],
  [/\/faultdetectors/, 'v1.FaultDetectRule'],
  [/\/lane/, 'v1.LaneGroup'],
  [/\/configfilegroups?/, 'v1.ConfigFileGroup'],
  [/\/configfiles\/release/, 'v1.ConfigFileRelease'],
  [/\/configfiles/, 'v1.ConfigFile'],
  [/\/usergroups?/, 'v1.UserGroup'],
  [/\/users?(\/|$)/, 'v1.User'],
  [/\/auth\/strateg/, 'v1.AuthStrategy'],
];

const ref = (type: string) => ({ $ref: `#/components/schemas/${type}` });

class SchemaBuilder {
  readonly components: Record<string, Schema> = {};

  refTo(type: string): Schema {
    this.define(type);
    return ref(type);
  }

  private define(type: string): void {
    if (this.components[type]) return;
    this.components[type] = {}; // placeholder against recursion
    const desc = messageDesc(type);
    const properties: Record<string, Schema> = {};
    for (const f of desc.fields) properties[f.name] = this.field(f);
    this.components[type] = { type: 'object', properties };
  }

  private field(f: FieldDesc): Schema {
    const value = this.value(f);
    if (f.map) return { type: 'object', additionalProperties: value };
    if (f.repeated) return { type: 'array', items: value };
    return value;
  }

  private value(f: FieldDesc): Schema {
    switch (f.kind) {
      case K.ENUM:
        return { type: 'string', enum: [...(f.enumDesc?.byName.keys() ?? [])] };
      case K.MESSAGE:
        return this.refTo(f.msgName.replace(/^\./, ''));
      case K.ANY:
        return { type: 'object', properties: { '@type': { type: 'string' } }, additionalProperties: true };
      case K.DURATION:
        return { type: 'string', example: '1.500s' };
      default:
        return scalarSchema(f.scalar);
    }
  }
}

function scalarSchema(s: number): Schema {
  if (s === S.BOOL) return { type: 'boolean' };
  if (s === S.STRING) return { type: 'string' };
  if (s === S.BYTES) return { type: 'string', format: 'byte' };
  if (s === S.DOUBLE || s === S.FLOAT) return { type: 'number' };
  if (s === S.INT64 || s === S.UINT64 || s === S.SINT64 || s === S.FIXED64 || s === S.SFIXED64) {
    return { type: 'string', format: 'int64' };
  }
  return { type: 'integer' };
}

function tagOf(url: string): string {
  const parts = url.split('/').filter(Boolean);
  return parts.length === 0 ? 'root' : parts[0] === 'v1' ? 'client' : parts[0];
}

export function bodyTypeOf(route: Pick<RouteDef, 'method' | 'url'>): string | undefined {
  if (route.method !== 'POST' && route.method !== 'PUT') return undefined;
  return BODY_TYPES.find(([re]) => re.test(route.url))?.[1];
}

export function openApiDocument(routes: readonly RouteDef[], info: { version: string }): Schema {
  const b = new SchemaBuilder();
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of routes) {
    const op: Schema = { tags: [tagOf(r.url)], operationId: `${r.method} ${r.url}`, responses: {} };
    const bodyType = bodyTypeOf(r);
    if (bodyType) {
      const one = b.refTo(bodyType);
      const batch = r.envelope === 'v1.BatchWriteResponse' || r.envelope === 'v1.ConfigBatchWriteResponse';
      op.requestBody = { content: { 'application/json': { schema: batch ? { type: 'array', items: one } : one } } };
    } else if (r.method === 'POST' || r.method === 'PUT') {
      op.requestBody = { content: { 'application/json': { schema: { type: 'object' } } } };
    }
    const answer = r.envelope ? b.refTo(r.envelope) : { type: r.json === false ? 'string' : 'object' };
    op.responses = {
      '200': { description: 'answer (Polaris code 200000)', content: { [r.json === false ? 'text/plain' : 'application/json']: { schema: answer } } },
      default: { description: 'failure: HTTP status = code / 1000, same envelope (plain text on maintain routes)' },
    };
    (paths[r.url] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Polaris OpenAPI (polaris-ts)', version: info.version },
    paths,
    components: {
      schemas: b.components,
      securitySchemes: { api_key: { type: 'apiKey', in: 'header', name: 'X-Polaris-Token' } },
    },
    security: [{ api_key: [] }],
  };
}
