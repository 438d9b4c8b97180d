// Imports the model only: the web console bundles this file to decide which controls to offer.
import type { Access, ResourceRef, Strategy, StrategyResource } from '../common/model/auth.js';

/**
 * The policy decision, a pure function of the caller's strategies (its own plus its groups').
 *
 * - A strategy applies to a call when its `functions` match the call's function name (empty list,
 *   `*`, an exact name, or a `Prefix*`).
 * - A strategy covers a resource when it lists that resource (by id) or `*` of its type, or the
 *   namespace / service the resource lives in (a namespace grant covers its services, config groups
 *   and rules; a service grant covers its instances and rules).
 * - Any applicable DENY covering a touched resource refuses the call.
 * - A write needs, for every touched resource, an applicable ALLOW (READ_WRITE counts as ALLOW;
 *   ONLY_READ only allows reads) that covers it. A write touching nothing identifiable needs a
 *   grant on every namespace (`namespaces: *`).
 * - Strategies with resource-label conditions are not used to allow (their conditions cannot be
 *   evaluated here), only to deny.
 * - Reads need no grant.
 */
export function decide(strategies: readonly Strategy[], fn: string, access: Access, refs: readonly ResourceRef[]): boolean {
  const applicable = strategies.filter((s) => functionMatches(s.functions, fn));
  const denies = applicable.filter((s) => s.action === 'DENY');
  for (const ref of refs) if (denies.some((s) => covers(s.resources, ref))) return false;
  if (access === 'read') return true;
  const allows = applicable.filter(
    (s) => (s.action === 'ALLOW' || s.action === 'READ_WRITE') && s.resourceLabels.length === 0,
  );
  if (refs.length === 0) return allows.some((s) => s.resources.some((r) => r.type === 'namespaces' && r.id === '*'));
  return refs.every((ref) => allows.some((s) => covers(s.resources, ref)));
}

export function functionMatches(functions: readonly string[], fn: string): boolean {
  if (functions.length === 0) return true;
  return functions.some((f) => f === '*' || f === fn || (f.endsWith('*') && fn.startsWith(f.slice(0, -1))));
}

function covers(resources: readonly StrategyResource[], ref: ResourceRef): boolean {
  return resources.some(
    (r) =>
      (r.type === ref.type && (r.id === '*' || (ref.id !== '' && r.id === ref.id))) ||
      (r.type === 'namespaces' && ref.namespace !== undefined && ref.namespace !== '' && (r.id === '*' || r.id === ref.namespace)) ||
      (r.type === 'services' && ref.serviceId !== undefined && ref.serviceId !== '' && (r.id === '*' || r.id === ref.serviceId)),
  );
}
