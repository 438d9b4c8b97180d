import { randomBytes } from 'node:crypto';
import { call } from './daemon.js';
import { discoverOnce } from './grpc-client.js';

/** Helpers of the governance-rule e2e tests (test/e2e/rules-*.test.ts). */

export const w = (value: unknown) => ({ value });

export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** One Discover on a fresh gRPC stream (as an SDK's first request or a re-poll with its revision). */
export function discoverRules(client: unknown, type: string, namespace: string, name: string, revision?: string): Promise<any> {
  const service: Record<string, unknown> = { name: w(name), namespace: w(namespace) };
  if (revision !== undefined) service.revision = w(revision);
  return discoverOnce(client, { type, service });
}

/** The same request through the client HTTP API. */
export async function httpDiscover(base: string, type: string, namespace: string, name: string, revision?: string): Promise<any> {
  const res = await call(base, 'POST', '/v1/Discover', { type, service: { name, namespace, revision } });
  return { status: res.status, ...res.body };
}

/** Creates services (and their namespace) so rules have real services to bind to. */
export async function createServices(base: string, namespace: string, names: string[]): Promise<void> {
  const res = await call(base, 'POST', '/naming/v1/services', names.map((name) => ({ name, namespace })));
  if (res.body?.code !== 200000) throw new Error(`create services: ${res.text}`);
}

export const code = (r: any): number => r.code?.value ?? r.code;

/** A v2 route rule in `ns`: caller → callee, one destination group with `env=gray` and `weight`. */
export function routeRuleV2(ns: string, caller: string, callee: string, weight = 100): Record<string, any> {
  return {
    name: uniq('route'),
    namespace: ns,
    enable: true,
    routing_policy: 'RulePolicy',
    priority: 0,
    routing_config: {
      '@type': 'type.googleapis.com/v1.RuleRoutingConfig',
      rules: [
        {
          name: 'sub',
          sources: [{ service: caller, namespace: ns }],
          destinations: [{ service: callee, namespace: ns, labels: { env: { type: 'EXACT', value: 'gray' } }, weight, name: 'grp' }],
        },
      ],
    },
  };
}
