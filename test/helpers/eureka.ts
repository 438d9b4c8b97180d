import { Eureka } from 'eureka-js-client';
import { daemonPorts, defaultYaml, startDaemon, type Daemon, type DaemonOptions } from './daemon.js';
import { freePort, retryPortClash } from './ports.js';

export interface EurekaDaemon extends Daemon {
  /** Base URL of the Eureka server, e.g. http://127.0.0.1:8761 */
  eureka: string;
  eurekaPort: number;
}

/** The service-eureka entry of a test config; `option` keys override the test defaults. */
export function eurekaEntry(port: number, option: Record<string, string | number | boolean> = {}, rawLines = ''): string {
  const merged = { listenIP: '127.0.0.1', listenPort: port, refreshInterval: 1, deltaExpireInterval: 60, ...option };
  const lines = Object.entries(merged).map(([k, v]) => `      ${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return `  - name: service-eureka\n    option:\n${lines.join('\n')}\n${rawLines}`;
}

/** The default test daemon (or `yamlBase`) plus a service-eureka listener. */
export async function startEurekaDaemon(
  opts: DaemonOptions & {
    eurekaOption?: Record<string, string | number | boolean>;
    /** Extra YAML lines of the option block (nested keys such as tls), indented by 6. */
    eurekaRaw?: string;
    yamlBase?: string;
  } = {},
): Promise<EurekaDaemon> {
  return retryPortClash(async () => {
    const port = await freePort();
    const base = opts.yamlBase ?? defaultYaml();
    const yaml = base.replace('apiservers:\n', `apiservers:\n${eurekaEntry(port, opts.eurekaOption, opts.eurekaRaw)}`) + (opts.extraYaml ?? '');
    const d = await startDaemon({ ...opts, yaml, ports: opts.ports ?? (await daemonPorts()) });
    return Object.assign(d, { eureka: `http://127.0.0.1:${port}`, eurekaPort: port });
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One raw REST call to the Eureka server. */
export async function eu(
  base: string,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(base + path, { method, headers: opts.headers, body: opts.body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** A Spring-Cloud-like registration body. */
export function instanceBody(app: string, host: string, port: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    instance: {
      instanceId: `${host}:${app.toLowerCase()}:${port}`,
      hostName: host,
      app: app.toUpperCase(),
      ipAddr: host,
      status: 'UP',
      overriddenstatus: 'UNKNOWN',
      port: { $: port, '@enabled': 'true' },
      securePort: { $: 443, '@enabled': 'false' },
      countryId: 1,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
      metadata: { 'management.port': String(port), zone: 'zone-a' },
      homePageUrl: `http://${host}:${port}/`,
      statusPageUrl: `http://${host}:${port}/actuator/info`,
      healthCheckUrl: `http://${host}:${port}/actuator/health`,
      vipAddress: app.toLowerCase(),
      secureVipAddress: app.toLowerCase(),
      ...extra,
    },
  });
}

/** A quiet eureka-js-client against the daemon. */
export function jsClient(base: string, instance: Record<string, unknown>, eureka: Record<string, unknown> = {}): Eureka {
  const url = new URL(base);
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, level() {} };
  return new Eureka({
    logger: quiet,
    instance,
    eureka: { host: url.hostname, port: Number(url.port), servicePath: '/eureka/apps/', maxRetries: 0, ...eureka },
  } as never);
}
