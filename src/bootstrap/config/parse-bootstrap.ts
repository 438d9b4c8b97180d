import {
  defaultLoggerConfig,
  defaultLoggerOptions,
  type LoggerOptions,
} from '../../common/log/logger-options.js';
import { LOG_LEVEL_NAMES, isLogLevelName, type LogLevelName } from '../../common/log/log-scope.js';
import { Section, invalid, readString } from './section.js';
import type { BootstrapConfig, PolarisServiceConfig, SelfServiceConfig } from './types.js';

const DEFAULT_SELF_SERVICES: readonly SelfServiceConfig[] = [
  { name: 'polaris.checker', namespace: 'Polaris', protocols: ['service-grpc'], metadata: {} },
];

function parseLoggerScope(s: Section, scope: string): LoggerOptions {
  const d = defaultLoggerOptions(scope);
  const levelNode = s.get('outputLevel');
  let outputLevel: LogLevelName = d.outputLevel;
  if (levelNode) {
    const text = readString(s.ctx, s.at('outputLevel'), levelNode).toLowerCase();
    if (!isLogLevelName(text)) {
      invalid(s.ctx, s.at('outputLevel'), `expected one of ${LOG_LEVEL_NAMES.join(', ')}, got "${text}"`, levelNode);
    }
    outputLevel = text;
  }
  const out: LoggerOptions = {
    rotateOutputPath: s.str('rotateOutputPath', d.rotateOutputPath),
    errorRotateOutputPath: s.str('errorRotateOutputPath', d.errorRotateOutputPath),
    rotationMaxSize: s.int('rotationMaxSize', d.rotationMaxSize, { min: 0 }),
    rotationMaxBackups: s.int('rotationMaxBackups', d.rotationMaxBackups, { min: 0 }),
    rotationMaxAge: s.int('rotationMaxAge', d.rotationMaxAge, { min: 0 }),
    rotationMaxDurationForHour: s.int('rotationMaxDurationForHour', d.rotationMaxDurationForHour, { min: 0 }),
    outputLevel,
    compress: s.bool('compress', d.compress),
    onlyContent: s.bool('onlyContent', d.onlyContent),
    outputPaths: s.strList('outputPaths', d.outputPaths),
    errorOutputPaths: s.strList('errorOutputPaths', d.errorOutputPaths),
    jsonEncoding: s.bool('jsonEncoding', d.jsonEncoding),
    stackTraceLevel: s.str('stackTraceLevel', d.stackTraceLevel),
    disableLogCaller: s.bool('disableLogCaller', d.disableLogCaller),
  };
  s.finish();
  return out;
}

/**
 * `bootstrap.logger`: upstream merges the file's scopes into its built-in map, so built-in scopes
 * the file leaves out keep their defaults. Within a scope written in the file, keys it leaves out
 * take that scope's defaults (upstream would zero them).
 */
function parseLogger(s: Section): Record<string, LoggerOptions> {
  const out = defaultLoggerConfig();
  for (const scope of s.keys()) {
    out[scope] = parseLoggerScope(s.section(scope), scope);
  }
  return out;
}

function parseSelfService(s: Section): SelfServiceConfig {
  const out: SelfServiceConfig = {
    name: s.str('name', '') || 'polaris-server',
    namespace: s.str('namespace', '') || 'Polaris',
    protocols: s.strList('protocols', []),
    metadata: s.strMap('metadata'),
  };
  s.finish();
  return out;
}

function parsePolarisService(s: Section): PolarisServiceConfig {
  const services = s.list('services');
  const interval = s.int('heartbeat_interval', 5);
  const out: PolarisServiceConfig = {
    probe_address: s.str('probe_address', ''),
    network_inter: s.str('network_inter', ''),
    self_address: s.str('self_address', ''),
    disable_heartbeat: s.bool('disable_heartbeat', false),
    heartbeat_interval: interval > 0 ? interval : 5,
    enable_register: s.bool('enable_register', true),
    isolated: s.bool('isolated', false),
    services: services
      ? services.map(({ node, path }) => parseSelfService(Section.of(s.ctx, path, node)))
      : DEFAULT_SELF_SERVICES.map((x) => ({ ...x, protocols: [...x.protocols], metadata: { ...x.metadata } })),
  };
  s.finish();
  return out;
}

export interface ParsedBootstrap {
  readonly bootstrap: BootstrapConfig;
  /** Whether the file wrote bootstrap.polaris_service.services. */
  readonly servicesWritten: boolean;
}

export function parseBootstrap(s: Section): ParsedBootstrap {
  const startInOrder = s.section('startInOrder');
  const servicesWritten = s.section('polaris_service').has('services');
  const out: BootstrapConfig = {
    logger: parseLogger(s.section('logger')),
    startInOrder: { open: startInOrder.bool('open', true), key: startInOrder.str('key', 'sz') },
    polaris_service: parsePolarisService(s.section('polaris_service')),
  };
  startInOrder.finish();
  s.finish();
  return { bootstrap: out, servicesWritten };
}

/**
 * Resolves `services[].protocols` against the configured apiservers: an empty list means all of
 * them (as upstream), and a name written in the file that is not configured fails (upstream fails
 * start-up). After this, `protocols` is never empty. When the file has no `services`, the built-in
 * polaris.checker entry keeps only the protocols that are configured, and is dropped when none is
 * (so a file without service-grpc loads, and registers nothing).
 */
export function resolveSelfProtocols(
  bootstrapSection: Section,
  polaris: PolarisServiceConfig,
  apiserverNames: readonly string[],
  servicesWritten: boolean,
): PolarisServiceConfig {
  if (!servicesWritten) {
    const services = polaris.services
      .map((svc) => ({ ...svc, protocols: svc.protocols.filter((p) => apiserverNames.includes(p)) }))
      .filter((svc) => svc.protocols.length > 0);
    return { ...polaris, services };
  }
  const services = polaris.services.map((svc, i) => {
    if (svc.protocols.length === 0) return { ...svc, protocols: [...apiserverNames] };
    svc.protocols.forEach((p, j) => {
      if (polaris.enable_register && !apiserverNames.includes(p)) {
        const path = `${bootstrapSection.at('polaris_service')}.services[${i}].protocols[${j}]`;
        invalid(
          bootstrapSection.ctx,
          path,
          `apiserver "${p}" is not configured in apiservers (configured: ${apiserverNames.join(', ') || 'none'})`,
        );
      }
    });
    return svc;
  });
  return { ...polaris, services };
}
