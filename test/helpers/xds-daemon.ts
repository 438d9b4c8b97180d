import assert from 'node:assert/strict';
import { call, daemonPorts, defaultYaml, startDaemon, type Daemon } from './daemon.js';
import { freePort, retryPortClash } from './ports.js';

/**
 * A daemon with the xds-v3 listener on a free port (the default test config plus that entry);
 * `optionLines` are more `key: value` lines for that entry's option.
 */
export async function startXdsDaemon(nodeArgs?: string[], optionLines: string[] = []): Promise<{ d: Daemon; xdsPort: number }> {
  return retryPortClash(async () => {
    const xdsPort = await freePort();
    const yaml = defaultYaml().replace(
      'apiservers:\n',
      `apiservers:\n  - name: xds-v3\n    option:\n      listenIP: 127.0.0.1\n      listenPort: ${xdsPort}\n` +
        optionLines.map((l) => `      ${l}\n`).join(''),
    );
    const d = await startDaemon({ yaml, nodeArgs, ports: await daemonPorts() });
    return { d, xdsPort };
  });
}

export interface TestInstance {
  host: string;
  port: number;
  weight?: number;
  healthy?: boolean;
  isolate?: boolean;
  metadata?: Record<string, string>;
  location?: { region?: string; zone?: string; campus?: string };
}

/** Console create (upsert) of instances of one service; the service is auto-created. */
export async function putInstances(base: string, namespace: string, service: string, list: TestInstance[]): Promise<string[]> {
  const res = await call(
    base,
    'POST',
    '/naming/v1/instances',
    list.map((i) => ({ service, namespace, weight: 100, healthy: true, isolate: false, ...i })),
  );
  assert.equal(res.body?.code, 200000, res.text);
  return res.body.responses.map((r: any) => r.instance?.id ?? r.data?.id);
}

export async function deleteInstances(base: string, namespace: string, service: string, list: Array<{ host: string; port: number }>): Promise<void> {
  const res = await call(base, 'POST', '/naming/v1/instances/delete', list.map((i) => ({ service, namespace, ...i })));
  assert.equal(res.body?.code, 200000, res.text);
}

export async function putRouteRule(base: string, name: string, subRules: unknown[], id?: string): Promise<string> {
  const rule = {
    ...(id ? { id } : {}),
    name,
    enable: true,
    routing_policy: 'RulePolicy',
    priority: 0,
    routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig', rules: subRules },
  };
  const res = await call(base, id ? 'PUT' : 'POST', '/naming/v2/routings', [rule]);
  assert.equal(res.body?.code, 200000, res.text);
  return id ?? res.body.responses[0].data.id;
}
