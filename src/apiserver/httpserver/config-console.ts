import type {
  ConfigFile,
  ConfigFileExportRequest,
  ConfigFileGroup,
  ConfigFilePublishInfo,
  ConfigFileRelease,
  ConfigFileTemplate,
} from '../../common/api/gen/wire.js';
import { codeInfo } from '../../common/errors/code-info.js';
import { Code, type PolarisCode } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { ConfigCenter } from '../../config/api.js';
import { configClientRouteDefs } from './config-client.js';
import {
  configQuery,
  decodeConfigBatch,
  decodeConfigBody,
  queryValue,
  sendConfig,
  sendConfigBatch,
  sendConfigQuery,
} from './config-http.js';
import { sendEnvelope, setPolarisHeaders, toWireFailure } from './envelope.js';
import { boundaryOf, formFile } from './multipart.js';
import { consoleInclude, type RouteDef, type RouteGroup, type RouteHandler } from './route-table.js';

/**
 * The config center's OpenAPI under `/config/v1` (console group; include `default` or `config`,
 * GETs also `default-read`), plus the watcher view `GET /config/v1/configfiles/watchers`.
 */

/** polaris' import limit (ParseMultipartForm). */
const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

function badImport(info: string, code: PolarisCode = Code.BadRequest): PolarisError {
  const err = new PolarisError(code);
  Object.defineProperty(err, 'info', { value: `${codeInfo(code)}:${info}`, enumerable: true });
  return err;
}

function handlers(config: ConfigCenter): Record<string, RouteHandler> {
  return {
    createGroup: async (req, reply, ctx) => {
      await config.createGroup(ctx, decodeConfigBody<ConfigFileGroup>(req, 'v1.ConfigFileGroup', 'default'));
      return sendConfig(reply);
    },
    updateGroup: async (req, reply, ctx) => {
      await config.updateGroup(ctx, decodeConfigBody<ConfigFileGroup>(req, 'v1.ConfigFileGroup', 'raw'));
      return sendConfig(reply);
    },
    deleteGroup: async (req, reply, ctx) => {
      await config.deleteGroup(ctx, queryValue(req, 'namespace'), queryValue(req, 'group', 'name'));
      return sendConfig(reply);
    },
    listGroups: async (req, reply, ctx) => {
      const list = await config.listGroups(ctx, configQuery(req));
      return sendConfigQuery(reply, 'configFileGroups', list.total, list.items);
    },
    createFile: async (req, reply, ctx) => {
      const file = await config.createFile(ctx, decodeConfigBody<ConfigFile>(req, 'v1.ConfigFile', 'raw'));
      return sendConfig(reply, 'configFile', file);
    },
    getFile: async (req, reply, ctx) => {
      const file = await config.getFile(ctx, queryValue(req, 'namespace'), queryValue(req, 'group'), queryValue(req, 'name'));
      return sendConfig(reply, 'configFile', file);
    },
    searchFiles: async (req, reply, ctx) => {
      const list = await config.searchFiles(ctx, configQuery(req));
      return sendConfigQuery(reply, 'configFiles', list.total, list.items);
    },
    updateFile: async (req, reply, ctx) => {
      const file = await config.updateFile(ctx, decodeConfigBody<ConfigFile>(req, 'v1.ConfigFile', 'raw'));
      return sendConfig(reply, 'configFile', file);
    },
    deleteFile: async (req, reply, ctx) => {
      await config.deleteFile(ctx, queryValue(req, 'namespace'), queryValue(req, 'group'), queryValue(req, 'name'));
      return sendConfig(reply);
    },
    batchDeleteFiles: async (req, reply, ctx) => {
      await config.batchDeleteFiles(ctx, decodeConfigBatch<ConfigFile>(req, 'v1.ConfigFile'));
      return sendConfig(reply);
    },
    exportFiles: async (req, reply, ctx) => {
      const body = decodeConfigBody<ConfigFileExportRequest>(req, 'v1.ConfigFileExportRequest', 'raw');
      let zip: Uint8Array;
      try {
        zip = await config.exportFiles(ctx, body);
      } catch (err) {
        const f = toWireFailure(err, ctx.logger!);
        return sendEnvelope(reply, 'v1.ConfigExportResponse', { code: f.code, info: f.info }, f.httpStatus);
      }
      setPolarisHeaders(reply, Code.ExecuteSuccess);
      return reply
        .code(200)
        .header('Content-Type', 'application/zip')
        .header('Content-Disposition', 'attachment; filename=config.zip')
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
    importFiles: async (req, reply, ctx) => {
      const boundary = boundaryOf(req.headers['content-type']);
      if (!boundary) throw badImport('request Content-Type isn\'t multipart/form-data');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '', 'latin1');
      if (body.length > MAX_IMPORT_BYTES) throw badImport('multipart: message too large');
      let file;
      try {
        file = formFile(body, boundary, 'config');
      } catch (err) {
        throw badImport(err instanceof Error ? err.message : String(err));
      }
      if (!file) throw badImport('http: no such file');
      // An upload that is not a zip cannot be parsed: 400001, as polaris answers it.
      if (!file.filename.endsWith('.zip')) throw badImport('file suffix must be .zip', Code.ParseException);
      if (file.data.length < 4 || file.data.readUInt32LE(0) !== 0x04034b50) {
        throw badImport('file type must be zip', Code.ParseException);
      }
      const result = await config.importFiles(ctx, file.data, {
        namespace: queryValue(req, 'namespace'),
        group: queryValue(req, 'group'),
        conflictHandling: queryValue(req, 'conflict_handling'),
      });
      return sendEnvelope(reply, 'v1.ConfigImportResponse', {
        code: Code.ExecuteSuccess,
        info: codeInfo(Code.ExecuteSuccess),
        createConfigFiles: result.created,
        skipConfigFiles: result.skipped,
        overwriteConfigFiles: result.overwritten,
      });
    },
    encryptAlgorithms: async (_req, reply) =>
      sendEnvelope(reply, 'v1.ConfigEncryptAlgorithmResponse', {
        code: Code.ExecuteSuccess,
        info: codeInfo(Code.ExecuteSuccess),
        algorithms: config.encryptAlgorithms(),
      }),
    publish: async (req, reply, ctx) => {
      const release = await config.publish(ctx, decodeConfigBody<ConfigFileRelease>(req, 'v1.ConfigFileRelease', 'nospace'));
      return sendConfig(reply, 'configFileRelease', release);
    },
    getRelease: async (req, reply, ctx) => {
      return sendConfig(reply, 'configFileRelease', await config.getRelease(ctx, configQuery(req)));
    },
    listReleases: async (req, reply, ctx) => {
      const list = await config.listReleases(ctx, configQuery(req));
      return sendConfigQuery(reply, 'configFileReleases', list.total, list.items);
    },
    releaseVersions: async (req, reply, ctx) => {
      const list = await config.releaseVersions(ctx, configQuery(req));
      return sendConfigQuery(reply, 'configFileReleases', list.total, list.items);
    },
    deleteReleases: async (req, reply, ctx) =>
      sendConfigBatch(reply, await config.deleteReleases(ctx, decodeConfigBatch<ConfigFileRelease>(req, 'v1.ConfigFileRelease'))),
    rollbackReleases: async (req, reply, ctx) =>
      sendConfigBatch(reply, await config.rollbackReleases(ctx, decodeConfigBatch<ConfigFileRelease>(req, 'v1.ConfigFileRelease'))),
    stopBeta: async (req, reply, ctx) =>
      sendConfigBatch(reply, await config.stopBeta(ctx, decodeConfigBatch<ConfigFileRelease>(req, 'v1.ConfigFileRelease'))),
    createAndPublish: async (req, reply, ctx) => {
      await config.createAndPublish(ctx, decodeConfigBody<ConfigFilePublishInfo>(req, 'v1.ConfigFilePublishInfo', 'raw'));
      return sendConfig(reply);
    },
    history: async (req, reply, ctx) => {
      const list = await config.listHistory(ctx, configQuery(req));
      return sendConfigQuery(reply, 'configFileReleaseHistories', list.total, list.items);
    },
    listTemplates: async (_req, reply, ctx) => {
      const list = await config.listTemplates(ctx);
      return sendConfigQuery(reply, 'configFileTemplates', list.total, list.items);
    },
    createTemplate: async (req, reply, ctx) => {
      const tpl = await config.createTemplate(ctx, decodeConfigBody<ConfigFileTemplate>(req, 'v1.ConfigFileTemplate', 'default'));
      return sendConfig(reply, 'configFileTemplate', tpl);
    },
    watchers: async (req, reply, ctx) => {
      try {
        const list = await config.listWatchers(ctx, configQuery(req));
        setPolarisHeaders(reply, Code.ExecuteSuccess);
        return reply
          .code(200)
          .type('application/json')
          .send(JSON.stringify({ code: Code.ExecuteSuccess, info: codeInfo(Code.ExecuteSuccess), total: list.total, watchers: list.items }));
      } catch (err) {
        const f = toWireFailure(err, ctx.logger!);
        setPolarisHeaders(reply, f.code);
        return reply.code(f.httpStatus).type('application/json').send(JSON.stringify({ code: f.code, info: f.info, total: 0, watchers: [] }));
      }
    },
  };
}

const W = ['default', 'config'] as const;
const R = ['default', 'config', 'default-read'] as const;

export const configConsoleRoutes: RouteGroup = {
  name: 'config-console',
  api: 'console',
  includeKeys: ['default', 'default-read', 'config'],
  defaultInclude: ['default'],
  normalizeInclude: consoleInclude,
  routes(deps): RouteDef[] {
    const config = deps.config;
    if (!config) return [];
    const h = handlers(config);
    const single = 'v1.ConfigResponse' as const;
    const query = 'v1.ConfigBatchQueryResponse' as const;
    const batch = 'v1.ConfigBatchWriteResponse' as const;
    const p = '/config/v1';
    return [
      { method: 'POST', url: `${p}/configfilegroups`, includes: W, envelope: single, handler: h.createGroup },
      { method: 'PUT', url: `${p}/configfilegroups`, includes: W, envelope: single, handler: h.updateGroup },
      { method: 'DELETE', url: `${p}/configfilegroups`, includes: W, envelope: single, handler: h.deleteGroup },
      { method: 'GET', url: `${p}/configfilegroups`, includes: R, envelope: query, handler: h.listGroups },
      { method: 'POST', url: `${p}/configfiles`, includes: W, envelope: single, handler: h.createFile },
      { method: 'GET', url: `${p}/configfiles`, includes: R, envelope: single, handler: h.getFile },
      { method: 'GET', url: `${p}/configfiles/by-group`, includes: R, envelope: query, handler: h.searchFiles },
      { method: 'GET', url: `${p}/configfiles/search`, includes: R, envelope: query, handler: h.searchFiles },
      { method: 'PUT', url: `${p}/configfiles`, includes: W, envelope: single, handler: h.updateFile },
      { method: 'DELETE', url: `${p}/configfiles`, includes: W, envelope: single, handler: h.deleteFile },
      { method: 'POST', url: `${p}/configfiles/batchdelete`, includes: W, envelope: single, handler: h.batchDeleteFiles },
      {
        method: 'POST',
        url: `${p}/configfiles/export`,
        includes: W,
        envelope: 'v1.ConfigExportResponse',
        json: false,
        handler: h.exportFiles,
      },
      {
        method: 'POST',
        url: `${p}/configfiles/import`,
        includes: W,
        envelope: 'v1.ConfigImportResponse',
        json: false,
        handler: h.importFiles,
      },
      {
        method: 'GET',
        url: `${p}/configfiles/encryptalgorithm`,
        includes: R,
        envelope: 'v1.ConfigEncryptAlgorithmResponse',
        handler: h.encryptAlgorithms,
      },
      { method: 'POST', url: `${p}/configfiles/release`, includes: W, envelope: single, handler: h.publish },
      { method: 'GET', url: `${p}/configfiles/release`, includes: R, envelope: single, handler: h.getRelease },
      { method: 'GET', url: `${p}/configfiles/releases`, includes: R, envelope: query, handler: h.listReleases },
      { method: 'GET', url: `${p}/configfiles/release/versions`, includes: R, envelope: query, handler: h.releaseVersions },
      { method: 'POST', url: `${p}/configfiles/releases/delete`, includes: W, envelope: batch, handler: h.deleteReleases },
      { method: 'PUT', url: `${p}/configfiles/releases/rollback`, includes: W, envelope: batch, handler: h.rollbackReleases },
      { method: 'POST', url: `${p}/configfiles/releases/stopbeta`, includes: W, envelope: batch, handler: h.stopBeta },
      { method: 'POST', url: `${p}/configfiles/createandpub`, includes: W, envelope: single, handler: h.createAndPublish },
      { method: 'GET', url: `${p}/configfiles/releasehistory`, includes: R, envelope: query, handler: h.history },
      { method: 'GET', url: `${p}/configfiletemplates`, includes: R, envelope: query, handler: h.listTemplates },
      { method: 'POST', url: `${p}/configfiletemplates`, includes: W, envelope: single, handler: h.createTemplate },
      { method: 'GET', url: `${p}/configfiles/watchers`, includes: R, envelope: null, handler: h.watchers },
      ...configClientRouteDefs(config, p, W),
    ];
  },
};

