import { PolarisError } from '../../common/errors/polaris-error.js';
import type { CallerPrincipal, RequestContext } from '../../common/lifecycle.js';
import type { Access, AuthChecker, Operator, Plane, ResourceRef } from '../api.js';

/**
 * Guards: authorization as a decorator around a module's front door (STYLE §3.11). A module plugs
 * in with an operation table that names, for EVERY method of its interface, either `PASS` or a
 * rule: which switch governs it, read or write, polaris' function name, and how to find the
 * resources it touches from its arguments. `guard(inner, table, checker)` builds the wrapper; the
 * table type makes a method added to the interface a compile error until it is classified.
 */

/** A method that needs no check (heartbeats, Prometheus targets). */
export const PASS = 'pass';

export interface OperationRule<A extends unknown[], R> {
  plane: Plane;
  access: Access;
  /** polaris server-function name, matched against strategies' `functions`. */
  fn: string;
  /** The resources the call touches; only called when the plane's switch is on. */
  resources?: (...args: A) => ResourceRef[];
  /** Adjusts the arguments for an authenticated caller before the call (e.g. owner stamping). */
  prepare?: (op: Operator, ...args: A) => void;
  /** The answer to give instead of rejecting, for methods that answer codes (client APIs). */
  refuse?: (err: PolarisError, ...args: A) => R;
}

type RuleFor<M> = M extends (ctx: RequestContext, ...args: infer A) => Promise<infer R> ? OperationRule<A, R> : never;

/** One entry per method of T: a rule, or PASS. */
export type OperationTable<T> = { [K in keyof T]-?: RuleFor<T[K]> | typeof PASS };

type AnyMethod = (ctx: RequestContext, ...args: unknown[]) => Promise<unknown>;

/** A copy of ctx carrying the principal; getters (the lazy logger) stay lazy. */
function withPrincipal(ctx: RequestContext, op: Operator): RequestContext {
  if (op.kind !== 'user' && op.kind !== 'group' && op.kind !== 'anonymous') return ctx;
  const principal: CallerPrincipal = { kind: op.kind, id: op.id, name: op.name, ownerId: op.ownerId };
  // Same prototype too: a context class keeps its getters there.
  const copy = Object.create(Object.getPrototypeOf(ctx), Object.getOwnPropertyDescriptors(ctx)) as RequestContext;
  copy.principal = principal;
  return copy;
}

export function guard<T extends object>(inner: T, table: OperationTable<T>, checker: AuthChecker): T {
  const out: Partial<Record<keyof T, AnyMethod>> = {};
  for (const key of Object.keys(table) as (keyof T & string)[]) {
    const member: unknown = inner[key];
    if (typeof member !== 'function') throw new Error(`guard: ${key} is not a method of the guarded module`);
    const call = (member as AnyMethod).bind(inner);
    const entry = table[key] as OperationRule<unknown[], unknown> | typeof PASS;
    if (entry === PASS) {
      out[key] = call;
      continue;
    }
    const rule = entry;
    const checked = async (ctx: RequestContext, args: unknown[]) => {
      let op: Operator;
      try {
        op = await checker.authorize(ctx, {
          plane: rule.plane,
          access: rule.access,
          fn: rule.fn,
          resources: () => (rule.resources ? rule.resources(...args) : []),
        });
      } catch (err) {
        if (rule.refuse && err instanceof PolarisError) return rule.refuse(err, ...args);
        throw err;
      }
      rule.prepare?.(op, ...args);
      return call(withPrincipal(ctx, op), ...args);
    };
    // With the plane's switch off (or for the server's own calls) authorize() answers an operator
    // that carries no principal, so a rule without `prepare` has nothing to do: the call goes
    // straight through, without an extra Promise per call (SDK hot path).
    out[key] =
      rule.prepare === undefined
        ? (ctx: RequestContext, ...args: unknown[]) => (ctx.internal || !checker.isOpen(rule.plane) ? call(ctx, ...args) : checked(ctx, args))
        : (ctx: RequestContext, ...args: unknown[]) => checked(ctx, args);
  }
  return out as T;
}
