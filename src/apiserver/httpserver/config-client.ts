import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  ClientConfigFileInfo,
  ClientWatchConfigFileRequest,
  ConfigDiscoverRequest,
  ConfigFileGroupRequest,
  ConfigFileTag,
} from '../../common/api/gen/wire.js';
import type { ConfigCenter } from '../../config/api.js';
import { configQuery, decodeConfigBody, queryValue, sendMessage } from './config-http.js';
import { allValues } from './query.js';
import type { RouteDef, RouteGroup, RouteHandler } from './route-table.js';

/**
 * The four config routes of the SDK plane: `/v1/...` in the client group (include `discover`;
 * `config` and `createfile` are known keys that mount nothing, as in polaris) and the same
 * handlers under `/config/v1/...` in the console group (compatibility).
 */

/** `tags=k=v` query values (repeatable) → client labels. */
function tagsFromQuery(req: FastifyRequest): ConfigFileTag[] {
  const out: ConfigFileTag[] = [];
  for (const t of allValues(configQuery(req), 'tags')) {
    const eq = t.indexOf('=');
    if (eq > 0) out.push({ key: t.slice(0, eq), value: t.slice(eq + 1) });
  }
  return out;
}

/**
 * Aborted when the HTTP client goes away before it was answered: the response (one per request, so
 * nothing accumulates on kept-alive sockets) closes without having been written.
 */
function disconnectSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) ac.abort();
  });
  return ac.signal;
}

export function configClientHandlers(config: ConfigCenter): Record<'get' | 'watch' | 'metadata' | 'discover', RouteHandler> {
  return {
    get: async (req, reply, ctx) => {
      const info: ClientConfigFileInfo = {
        namespace: queryValue(req, 'namespace'),
        group: queryValue(req, 'group'),
        file_name: queryValue(req, 'fileName', 'file_name'),
        version: queryValue(req, 'version') || '0',
        tags: tagsFromQuery(req),
      };
      const resp = await config.getConfigFile(ctx, info, ctx.clientIp);
      return sendMessage(reply, 'v1.ConfigClientResponse', resp);
    },
    watch: async (req, reply, ctx) => {
      const body = decodeConfigBody<ClientWatchConfigFileRequest>(req, 'v1.ClientWatchConfigFileRequest', 'raw');
      const signal = disconnectSignal(reply);
      const resp = await config.watchConfigFiles(ctx, body, { clientId: ctx.clientIp, signal });
      // Also after a disconnect: fastify drops the write on a closed socket.
      return sendMessage(reply, 'v1.ConfigClientResponse', resp);
    },
    metadata: async (req, reply, ctx) => {
      const body = decodeConfigBody<ConfigFileGroupRequest>(req, 'v1.ConfigFileGroupRequest', 'raw');
      return sendMessage(reply, 'v1.ConfigClientListResponse', await config.getFileMetadataList(ctx, body));
    },
    discover: async (req, reply, ctx) => {
      const body = decodeConfigBody<ConfigDiscoverRequest>(req, 'v1.ConfigDiscoverRequest', 'raw');
      return sendMessage(reply, 'v1.ConfigDiscoverResponse', await config.discover(ctx, body));
    },
  };
}

/** The four routes under a prefix (`/v1` or `/config/v1`), mounted by `includes`. */
export function configClientRouteDefs(config: ConfigCenter, prefix: string, includes: readonly string[]): RouteDef[] {
  const h = configClientHandlers(config);
  return [
    { method: 'POST', url: `${prefix}/ConfigDiscover`, includes, envelope: 'v1.ConfigDiscoverResponse', handler: h.discover },
    { method: 'GET', url: `${prefix}/GetConfigFile`, includes, envelope: 'v1.ConfigClientResponse', handler: h.get },
    { method: 'POST', url: `${prefix}/WatchConfigFile`, includes, envelope: 'v1.ConfigClientResponse', handler: h.watch },
    {
      method: 'POST',
      url: `${prefix}/GetConfigFileMetadataList`,
      includes,
      envelope: 'v1.ConfigClientListResponse',
      handler: h.metadata,
    },
  ];
}

export const configClientRoutes: RouteGroup = {
  name: 'config-client',
  api: 'client',
  includeKeys: ['discover', 'config', 'createfile'],
  defaultInclude: ['discover'],
  routes(deps): RouteDef[] {
    if (!deps.config) return [];
    return configClientRouteDefs(deps.config, '/v1', ['discover']);
  },
};
