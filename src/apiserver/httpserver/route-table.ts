import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { JsonFieldSet } from '../../common/api/codec.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { EnvelopeType } from './envelope.js';
import type { ApiGroupConfig, HttpServerDeps } from './options.js';

/**
 * Route groups: each API area declares its routes with the `api.<group>.include` keys that mount
 * them. The server mounts the union of what the configuration switches on, each route once.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The API groups of `apiservers[api-http].api`. */
export type ApiGroupName = 'admin' | 'console' | 'client';
export const API_GROUP_NAMES: readonly ApiGroupName[] = ['admin', 'console', 'client'];

export type RouteHandler = (req: FastifyRequest, reply: FastifyReply, ctx: RequestContext) => Promise<unknown>;

export interface RouteDef {
  method: HttpMethod;
  url: string;
  /** Include keys of the group that mount this route; empty = mounted whenever the group is on. */
  includes: readonly string[];
  /**
   * Envelope in which failures outside the handler's own answer are written (decode errors,
   * oversized body, unexpected exceptions). `null` for plain routes (admin text/JSON) that answer
   * their own errors; an unexpected exception there is a plain 500.
   */
  envelope: EnvelopeType | null;
  /** go-restful `Consumes/Produces(application/json)`: the 415/406 checks apply. Default true. */
  json?: boolean;
  /**
   * A route polaris-server 1.18.1 does not serve (lanes): no client of 1.18.1 decodes its answers,
   * so they carry every v1.5 field whatever the server's JSON field set.
   */
  allFields?: boolean;
  handler: RouteHandler;
}

export interface RouteGroup {
  name: string;
  api: ApiGroupName;
  /** Every include key this group understands (others are warned about once). */
  includeKeys: readonly string[];
  /** The include list used when the configuration gives none. */
  defaultInclude: readonly string[];
  /** Rewrites the configured include list before matching (polaris' precedence rules). */
  normalizeInclude?: (include: readonly string[]) => readonly string[];
  /** The group's routes; a group whose dependencies are absent returns none. */
  routes(deps: HttpServerDeps): RouteDef[];
}

/** What a route carries in fastify's route config, read by the router hooks and error handler. */
export interface RouteMeta {
  envelope: EnvelopeType | null;
  json: boolean;
  /** The fields JSON answers of this route carry. */
  fields: JsonFieldSet;
}

/**
 * Console include precedence of polaris' naming server: `default` wins over everything, otherwise
 * `default-read` alone, otherwise the list as given.
 */
export function consoleInclude(include: readonly string[]): readonly string[] {
  if (include.includes('default')) return ['default'];
  if (include.includes('default-read')) return ['default-read'];
  return include;
}

/**
 * Include keys no route group claims but that are not typos either (every known key is claimed
 * today: the config groups declare `config`, and `config`/`createfile` on the client side).
 */
const RESERVED_INCLUDE_KEYS: Record<ApiGroupName, readonly string[]> = {
  admin: [],
  console: [],
  client: [],
};

export interface SelectedRoutes {
  routes: RouteDef[];
  /** Human-readable problems in the `api` section (unknown groups / include keys). */
  warnings: string[];
}

/** Picks the routes the `api` configuration switches on, deduplicated by method + path. */
export function selectRoutes(
  groups: readonly RouteGroup[],
  api: Record<string, ApiGroupConfig>,
  deps: HttpServerDeps,
): SelectedRoutes {
  const warnings: string[] = [];
  for (const key of Object.keys(api)) {
    if (!(API_GROUP_NAMES as readonly string[]).includes(key)) {
      warnings.push(`api group "${key}" does not exist in the http server; ignored`);
    }
  }
  for (const apiName of API_GROUP_NAMES) {
    const cfg = api[apiName];
    if (!cfg?.enable) continue;
    const known = new Set<string>(RESERVED_INCLUDE_KEYS[apiName]);
    for (const g of groups) if (g.api === apiName) for (const k of g.includeKeys) known.add(k);
    for (const k of cfg.include ?? []) {
      if (!known.has(k)) warnings.push(`api.${apiName}.include "${k}" is not known; ignored`);
    }
  }

  const seen = new Set<string>();
  const routes: RouteDef[] = [];
  for (const g of groups) {
    const cfg = api[g.api];
    if (!cfg?.enable) continue;
    const configured = cfg.include && cfg.include.length > 0 ? cfg.include : g.defaultInclude;
    const include = g.normalizeInclude ? g.normalizeInclude(configured) : configured;
    for (const r of g.routes(deps)) {
      const mounted = r.includes.length === 0 || r.includes.some((k) => include.includes(k));
      if (!mounted) continue;
      const key = `${r.method} ${r.url}`;
      if (seen.has(key)) continue; // go-restful keeps the first registration
      seen.add(key);
      routes.push(r);
    }
  }
  return { routes, warnings };
}

/** Logs the selection warnings (never fatal: polaris only warns). */
export function reportSelectionWarnings(warnings: readonly string[], log: Logger): void {
  for (const w of warnings) log.warn(w);
}
