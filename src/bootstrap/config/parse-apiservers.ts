import { JSON_FIELD_SET_NAMES, type JsonFieldSetName } from '../../common/api/field-sets.js';
import { Section, childPath, fail, invalid, readString, readStringList, warn } from './section.js';
import type {
  ApiGroupConfig,
  ApiGroups,
  ApiServerConfig,
  ApiServerName,
  ApiServerOptionBase,
  ConnLimitConfig,
  ProtoCacheOption,
  TlsConfig,
  WebConsoleConfig,
} from './types.js';

/**
 * `peersToReplicate` (spec §1.13): each item is a `host:port` string, replicated for the
 * configured namespace, or a map `{<namespace>: [host:port, …]}`. Returns peers by namespace,
 * duplicates dropped, in file order.
 */
function parsePeers(s: Section, namespace: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (ns: string, peer: string) => {
    const list = (out[ns] ??= []);
    if (peer.trim() !== '' && !list.includes(peer.trim())) list.push(peer.trim());
  };
  for (const { node, path } of s.list('peersToReplicate') ?? []) {
    if (node.kind === 'map') {
      for (const [ns, peers] of node.entries) {
        const at = childPath(path, ns);
        if (ns.trim() === '') invalid(s.ctx, at, 'a namespace name is empty', peers);
        for (const peer of peers.kind === 'scalar' ? [readString(s.ctx, at, peers)] : readStringList(s.ctx, at, peers)) add(ns.trim(), peer);
      }
    } else add(namespace, readString(s.ctx, path, node));
  }
  for (const ns of Object.keys(out)) if (out[ns].length === 0) delete out[ns];
  return out;
}

/** Well-known ports (spec §3.7), used when `listenPort` is absent. */
const DEFAULT_PORTS: Readonly<Record<ApiServerName, number>> = {
  'api-http': 8090,
  'service-grpc': 8091,
  'config-grpc': 8093,
  'service-eureka': 8761,
  'xds-v3': 15010,
  'service-nacos': 8848,
  'service-l5': 7779,
  'prometheus-sd': 9000,
};

/** API groups each server understands; others are warned about. */
const KNOWN_GROUPS: Readonly<Partial<Record<ApiServerName, readonly string[]>>> = {
  'api-http': ['admin', 'console', 'client', 'config'],
  'service-grpc': ['client'],
  'config-grpc': ['client'],
};

export const API_SERVER_NAMES = Object.keys(DEFAULT_PORTS) as ApiServerName[];

function isApiServerName(name: string): name is ApiServerName {
  return (API_SERVER_NAMES as string[]).includes(name);
}

function parseConnLimit(s: Section): ConnLimitConfig {
  const wl = s.get('whiteList');
  let whiteList: string[] = [];
  if (wl?.kind === 'seq') whiteList = s.strList('whiteList', []);
  else if (wl) whiteList = readString(s.ctx, s.at('whiteList'), wl).split(',');
  const expiredKey = s.has('purgeCounterExpired') ? 'purgeCounterExpired' : 'purgeCounterExpire';
  s.accept('purgeCounterExpired', 'purgeCounterExpire');
  const out: ConnLimitConfig = {
    openConnLimit: s.bool('openConnLimit', false),
    maxConnPerHost: s.int('maxConnPerHost', 0, { min: 0 }),
    maxConnLimit: s.int('maxConnLimit', 0),
    whiteList: whiteList.map((h) => h.trim()).filter((h) => h !== ''),
    readTimeout: s.duration('readTimeout', 0),
    purgeCounterInterval: s.duration('purgeCounterInterval', 10_000),
    purgeCounterExpired: s.duration(expiredKey, 5_000),
  };
  s.finish();
  return out;
}

function parseTls(s: Section): TlsConfig {
  const out: TlsConfig = {
    certFile: s.str('certFile', ''),
    keyFile: s.str('keyFile', ''),
    trustedCAFile: s.str('trustedCAFile', ''),
  };
  s.finish();
  return out;
}

/** First path segments of the HTTP API's own routes, which the console must not take. */
const API_PATH_ROOTS = ['naming', 'core', 'config', 'maintain', 'v1', 'v2', 'metrics', 'prometheus', 'apidocs.json', 'debug'];

/** The web console switch and path; a path that is not a plain URL path stops start-up. */
function parseWebConsole(s: Section): WebConsoleConfig {
  const enable = s.bool('enable', true);
  const raw = s.str('path', '/console').trim();
  const path = '/' + raw.split('/').filter((p) => p !== '').join('/');
  if (path === '/' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || path.split('/').some((seg) => /^\.+$/.test(seg))) {
    invalid(s.ctx, s.at('path'), 'expected a URL path below / such as /console', s.get('path'));
  }
  const top = path.split('/')[1];
  if (API_PATH_ROOTS.includes(top)) {
    invalid(s.ctx, s.at('path'), `/${top} belongs to the OpenAPI; choose another path such as /console`, s.get('path'));
  }
  s.finish();
  return { enable, path };
}

function base(s: Section, name: ApiServerName): ApiServerOptionBase {
  return {
    listenIP: s.str('listenIP', '0.0.0.0'),
    listenPort: s.int('listenPort', DEFAULT_PORTS[name], { min: 0, max: 65535 }),
    connLimit: parseConnLimit(s.section('connLimit')),
    tls: parseTls(s.section('tls')),
  };
}

function protoCache(s: Section, enabledByDefault: boolean): ProtoCacheOption {
  return {
    enableCacheProto: s.bool('enableCacheProto', enabledByDefault),
    sizeCacheProto: s.int('sizeCacheProto', 128, { min: 0 }),
  };
}

/** `jsonFieldSet`: the fields of HTTP JSON answers, `v1.4.2` (polaris-server 1.18.1's, default) or `v1.5`. */
function parseJsonFieldSet(s: Section): JsonFieldSetName {
  const text = s.str('jsonFieldSet', 'v1.4.2');
  if (!(JSON_FIELD_SET_NAMES as readonly string[]).includes(text)) {
    invalid(s.ctx, s.at('jsonFieldSet'), `expected one of ${JSON_FIELD_SET_NAMES.join(', ')}, got "${text}"`, s.get('jsonFieldSet'));
  }
  return text as JsonFieldSetName;
}

function parseOption(name: ApiServerName, s: Section): ApiServerConfig['option'] {
  const b = base(s, name);
  let option: ApiServerConfig['option'];
  switch (name) {
    case 'api-http':
      option = {
        ...b,
        ...protoCache(s, false),
        enablePprof: s.bool('enablePprof', false),
        enableSwagger: s.bool('enableSwagger', false),
        jsonFieldSet: parseJsonFieldSet(s),
        console: parseWebConsole(s.section('console')),
      };
      break;
    case 'service-grpc':
      option = { ...b, ...protoCache(s, false), unaryFastPath: s.bool('unaryFastPath', true) };
      break;
    case 'config-grpc':
      option = { ...b, ...protoCache(s, false) };
      break;
    case 'service-eureka': {
      const refresh = s.int('refreshInterval', 10);
      const delta = s.int('deltaExpireInterval', 60);
      const namespace = s.str('namespace', 'default') || 'default';
      option = {
        ...b,
        namespace,
        refreshInterval: refresh > 0 ? refresh : 10,
        deltaExpireInterval: delta > 0 ? delta : 60,
        unhealthyExpireInterval: s.int('unhealthyExpireInterval', 180),
        enableSelfPreservation: s.bool('enableSelfPreservation', true),
        generateUniqueInstId: s.bool('generateUniqueInstId', false),
        peersToReplicate: parsePeers(s, namespace),
        customValues: s.strMap('customValues'),
        owner: s.str('owner', ''),
      };
      break;
    }
    case 'service-nacos':
      option = {
        ...b,
        defaultNamespace: s.str('defaultNamespace', 'default') || 'default',
        serverService: s.str('serverService', ''),
        serverNamespace: s.str('serverNamespace', ''),
      };
      break;
    case 'service-l5':
      option = { ...b, clusterName: s.str('clusterName', '') };
      break;
    case 'xds-v3':
      option = { ...b, streamFastPath: s.bool('streamFastPath', true) };
      break;
    case 'prometheus-sd':
      option = b;
      break;
  }
  s.finish();
  return option;
}

function parseApiGroups(s: Section, name: ApiServerName): ApiGroups {
  const out: Record<string, ApiGroupConfig> = {};
  const known = KNOWN_GROUPS[name];
  for (const group of s.keys()) {
    const g = s.section(group);
    if (known && !known.includes(group)) warn(s.ctx, s.at(group), `unknown API group for ${name}, ignored`);
    out[group] = { enable: g.bool('enable', false), include: g.strList('include', []) };
    g.finish();
  }
  return out;
}

/**
 * `apiservers`: entries in file order. An unknown name is dropped with a warning (upstream logs
 * and skips it); a name used twice fails.
 */
export function parseApiServers(root: Section): ApiServerConfig[] {
  const items = root.list('apiservers') ?? [];
  const out: ApiServerConfig[] = [];
  const seen = new Set<string>();
  for (const { node, path } of items) {
    const s = Section.of(root.ctx, path, node);
    const nameNode = s.get('name');
    if (!nameNode) fail(root.ctx, s.at('name'), 'expected the apiserver name', node);
    const name = readString(root.ctx, s.at('name'), nameNode);
    if (!isApiServerName(name)) {
      warn(root.ctx, s.at('name'), `unknown apiserver "${name}", entry ignored (known: ${API_SERVER_NAMES.join(', ')})`);
      s.accept('option', 'api');
      continue;
    }
    if (seen.has(name)) invalid(root.ctx, s.at('name'), `apiserver "${name}" is configured twice`, nameNode);
    seen.add(name);
    const option = parseOption(name, s.section('option'));
    const api = parseApiGroups(s.section('api'), name);
    s.finish();
    out.push({ name, option, api } as ApiServerConfig);
  }
  return out;
}
