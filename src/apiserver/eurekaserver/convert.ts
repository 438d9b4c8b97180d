import type { Instance as WireInstance } from '../../common/api/gen/wire.js';

/**
 * Eureka InstanceInfo ↔ polaris instance (spec §1.5, §1.6). The Eureka side is the JSON form of
 * Eureka's codec (XML documents are read into the same form by xml.ts); the polaris side is a wire
 * instance. What Eureka knows and polaris has no field for lives in `internal-eureka-*` metadata.
 */

export const MD = {
  instanceId: 'internal-eureka-instance-id',
  hostName: 'internal-eureka-hostname',
  insecurePort: 'internal-eureka-insecure-port',
  insecurePortEnabled: 'internal-eureka-insecure-port-enabled',
  securePort: 'internal-eureka-secure-port',
  securePortEnabled: 'internal-eureka-secure-port-enabled',
  status: 'internal-eureka-status',
  overriddenStatus: 'internal-eureka-overriddenStatus',
  appGroup: 'internal-eureka-app-group',
  countryId: 'internal-eureka-country-id',
  dciClass: 'internal-eureka-dci-clazz',
  dciName: 'internal-eureka-dci-name',
  homePageUrl: 'internal-eureka-home-url',
  statusPageUrl: 'internal-eureka-status-url',
  healthCheckUrl: 'internal-eureka-health-url',
  vip: 'internal-eureka-vip',
  secureVip: 'internal-eureka-secure-vip',
  renewal: 'internal-eureka-renewal-interval',
  duration: 'internal-eureka-duration',
  registerFrom: 'internal-register-from',
} as const;

export const STATUSES = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const;
export type EurekaStatus = (typeof STATUSES)[number];

export const DEFAULT_DCI_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
export const DEFAULT_DCI_NAME = 'MyOwn';
const DEFAULT_RENEWAL_SEC = 30;
const DEFAULT_DURATION_SEC = 90;
/** polaris accepts heartbeat TTLs up to 60 s (larger ones fall back to 5 s, which would flap). */
const MAX_TTL_SEC = 60;

/** A request the Eureka client got wrong: answered 400 with this message, nothing stored. */
export class BadEurekaInput extends Error {}

export function toStatus(v: unknown): EurekaStatus | undefined {
  const s = typeof v === 'string' ? v.trim().toUpperCase() : '';
  return (STATUSES as readonly string[]).includes(s) ? (s as EurekaStatus) : undefined;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `{"$": 8080, "@enabled": "true"}`, `<port enabled="true">8080</port>` or a bare number. */
function readPort(v: unknown, field: string, required: boolean, dflt: number, dfltEnabled: boolean): { port: number; enabled: boolean } {
  if (v === undefined || v === null || v === '') {
    if (required) throw new BadEurekaInput(`${field} is missing`);
    return { port: dflt, enabled: dfltEnabled };
  }
  const o = obj(v);
  const raw = o ? o.$ : v;
  const port = Number(text(raw));
  if (!Number.isInteger(port) || port < 0 || port > 65535 || text(raw) === '') throw new BadEurekaInput(`${field} is not a port number`);
  const en = o ? text(o['@enabled']).toLowerCase() : '';
  return { port, enabled: en === '' ? dfltEnabled : en === 'true' };
}

function positive(v: unknown, dflt: number): number {
  const n = Number(text(v));
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
}

/** The case-folded pieces every path-level operation needs. */
export interface Target {
  namespace: string;
  /** The polaris service name: the Eureka app, lower-cased. */
  service: string;
  /** The Eureka instance id the client knows. */
  eurekaId: string;
}

/**
 * A registration body to the wire instance to register. `override` is a status an operator set
 * with PUT …/status earlier: it outlives re-registration until DELETE …/status, as in Eureka.
 */
export function toPolarisInstance(
  body: unknown,
  appPath: string,
  opts: { namespace: string; id: (eurekaId: string) => string; override?: EurekaStatus },
): { wire: WireInstance; target: Target } {
  const info = obj(obj(body)?.instance) ?? (obj(body) && 'hostName' in (obj(body) as object) ? obj(body) : undefined);
  if (!info) throw new BadEurekaInput('the body carries no instance');
  const app = text(info.app);
  if (!app) throw new BadEurekaInput('instance.app is missing');
  if (app.toLowerCase() !== appPath.toLowerCase()) throw new BadEurekaInput(`instance.app ${app} does not match the path's ${appPath}`);
  const hostName = text(info.hostName);
  if (!hostName) throw new BadEurekaInput('instance.hostName is missing');
  const eurekaId = text(info.instanceId) || hostName;
  const host = text(info.ipAddr) || hostName;
  const port = readPort(info.port, 'instance.port', true, 8080, true);
  const secure = readPort(info.securePort, 'instance.securePort', false, 443, false);
  const registered = toStatus(info.status) ?? 'UP';
  const status = opts.override && opts.override !== 'UNKNOWN' ? opts.override : registered;
  const lease = obj(info.leaseInfo) ?? {};
  const renewal = positive(lease.renewalIntervalInSecs, DEFAULT_RENEWAL_SEC);
  const duration = positive(lease.durationInSecs, DEFAULT_DURATION_SEC);
  const ttl = Math.max(1, Math.min(Math.ceil(duration / 3), renewal, MAX_TTL_SEC));

  const md: Record<string, string> = {};
  const userMd = obj(info.metadata) ?? {};
  for (const [k, v] of Object.entries(userMd)) {
    // `@class` is the Java map type XStream/Jackson attach; internal keys are ours to set.
    if (k.startsWith('@') || k.startsWith('internal-')) continue;
    md[k] = typeof v === 'string' ? v : text(v) || JSON.stringify(v);
  }
  const set = (k: string, v: string): void => {
    if (v !== '') md[k] = v;
  };
  set(MD.registerFrom, 'eureka');
  set(MD.instanceId, eurekaId);
  set(MD.hostName, hostName);
  set(MD.insecurePort, String(port.port));
  set(MD.insecurePortEnabled, String(port.enabled));
  set(MD.securePort, String(secure.port));
  set(MD.securePortEnabled, String(secure.enabled));
  set(MD.status, status);
  // Only an operator's override (PUT …/status) is kept; what the client sends is its own view.
  if (opts.override && opts.override !== 'UNKNOWN') set(MD.overriddenStatus, opts.override);
  set(MD.appGroup, text(info.appGroupName));
  const country = text(obj(info.countryId)?.$ ?? info.countryId);
  if (country !== '' && country !== '1') set(MD.countryId, country);
  const dci = obj(info.dataCenterInfo) ?? {};
  const dciClass = text(dci['@class']);
  const dciName = text(dci.name);
  if (dciClass && dciClass !== DEFAULT_DCI_CLASS) set(MD.dciClass, dciClass);
  if (dciName && dciName !== DEFAULT_DCI_NAME) set(MD.dciName, dciName);
  set(MD.homePageUrl, text(info.homePageUrl));
  set(MD.statusPageUrl, text(info.statusPageUrl));
  set(MD.healthCheckUrl, text(info.healthCheckUrl));
  set(MD.vip, text(info.vipAddress));
  set(MD.secureVip, text(info.secureVipAddress));
  set(MD.renewal, String(renewal));
  set(MD.duration, String(duration));

  const service = appPath.toLowerCase();
  const wire: WireInstance = {
    id: opts.id(eurekaId),
    service,
    namespace: opts.namespace,
    host,
    port: port.port,
    protocol: 'HTTP',
    weight: 100,
    healthy: true,
    isolate: status !== 'UP',
    enable_health_check: true,
    health_check: { type: 'HEARTBEAT', heartbeat: { ttl } },
    metadata: md,
  };
  if (userMd.region !== undefined || userMd.zone !== undefined || userMd.campus !== undefined) {
    wire.location = { region: text(userMd.region), zone: text(userMd.zone), campus: text(userMd.campus) };
  }
  return { wire, target: { namespace: opts.namespace, service, eurekaId } };
}

/** Eureka status of a polaris instance: UP unless isolated; an isolated one keeps its Eureka reason. */
export function statusOf(w: WireInstance): EurekaStatus {
  if (!w.isolate) return 'UP';
  const s = toStatus(w.metadata?.[MD.status]);
  return s && s !== 'UP' ? s : 'OUT_OF_SERVICE';
}

/** `2006-01-02 15:04:05` (server-local) to epoch ms; 0 when absent. */
function parseTime(s: string | null | undefined): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(s ?? '');
  if (!m) return 0;
  return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]).getTime();
}

export interface ReadOptions {
  /** customValues.dataCenterInfoClass / dataCenterInfoName. */
  dciClass?: string;
  dciName?: string;
}

/** The Eureka id a polaris instance is known by. */
export function eurekaIdOf(w: WireInstance): string {
  return w.metadata?.[MD.instanceId] || (w.id ?? '');
}

/**
 * A polaris instance as an InstanceInfo, in Eureka's own JSON form (strings for `@enabled`,
 * timestamps as strings). Plain polaris instances get Eureka's
 * defaults: app-name VIP, insecure port = the instance port (secure when its protocol is HTTPS).
 */
export function toInstanceInfo(w: WireInstance, opts: ReadOptions): Record<string, unknown> {
  const md = w.metadata ?? {};
  const app = (w.service ?? '').toUpperCase();
  let port: { $: number; '@enabled': string };
  let securePort: { $: number; '@enabled': string };
  if (md[MD.insecurePort] !== undefined && md[MD.securePort] !== undefined) {
    port = { $: Number(md[MD.insecurePort]), '@enabled': md[MD.insecurePortEnabled] === 'false' ? 'false' : 'true' };
    securePort = { $: Number(md[MD.securePort]), '@enabled': md[MD.securePortEnabled] === 'true' ? 'true' : 'false' };
  } else if ((w.protocol ?? '').toUpperCase() === 'HTTPS') {
    securePort = { $: w.port ?? 0, '@enabled': 'true' };
    const insecure = Number(md[MD.insecurePort] ?? 0);
    port = insecure > 0 ? { $: insecure, '@enabled': 'true' } : { $: 8080, '@enabled': 'false' };
  } else {
    port = { $: w.port ?? 0, '@enabled': 'true' };
    securePort = { $: 443, '@enabled': 'false' };
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(md)) if (!k.startsWith('internal-')) metadata[k] = v;
  const ts = String(parseTime(w.mtime));
  const dciClass = md[MD.dciClass] ?? opts.dciClass ?? DEFAULT_DCI_CLASS;
  const dciName = md[MD.dciName] ?? opts.dciName ?? DEFAULT_DCI_NAME;
  const status = statusOf(w);
  const override = toStatus(md[MD.overriddenStatus]) ?? 'UNKNOWN';
  return {
    instanceId: eurekaIdOf(w),
    hostName: md[MD.hostName] || w.host || '',
    app,
    ipAddr: w.host ?? '',
    status,
    // Eureka's XML (XStream) and older JSON codecs read `overriddenstatus`, its current Jackson
    // codec `overriddenStatus`; each ignores the other, so both are sent.
    overriddenstatus: override,
    overriddenStatus: override,
    port,
    securePort,
    countryId: Number(md[MD.countryId] ?? 1) || 1,
    dataCenterInfo: { '@class': dciClass, name: dciName },
    leaseInfo: {
      renewalIntervalInSecs: positive(md[MD.renewal], DEFAULT_RENEWAL_SEC),
      durationInSecs: positive(md[MD.duration], DEFAULT_DURATION_SEC),
      registrationTimestamp: parseTime(w.ctime),
      lastRenewalTimestamp: 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: status === 'UP' ? parseTime(w.ctime) : 0,
    },
    metadata,
    ...(md[MD.appGroup] ? { appGroupName: md[MD.appGroup] } : {}),
    homePageUrl: md[MD.homePageUrl] ?? '',
    statusPageUrl: md[MD.statusPageUrl] ?? '',
    healthCheckUrl: md[MD.healthCheckUrl] ?? '',
    vipAddress: md[MD.vip] ?? app,
    ...(md[MD.secureVip] ? { secureVipAddress: md[MD.secureVip] } : {}),
    isCoordinatingDiscoveryServer: 'false',
    lastUpdatedTimestamp: ts,
    lastDirtyTimestamp: ts,
    actionType: 'ADDED',
  };
}
