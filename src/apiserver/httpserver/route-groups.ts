import { adminRoutes } from './admin.js';
import { clientRoutes } from './client.js';
import { adminClientTargetRoutes, consoleClientTargetRoutes } from './client-targets.js';
import { coreNamespaceRoutes } from './core-namespaces.js';
import { namingInstanceRoutes } from './naming-instances.js';
import { namingServiceRoutes } from './naming-services.js';
import type { RouteGroup } from './route-table.js';

/**
 * Every route group of the HTTP OpenAPI, in registration order. Later areas (config center,
 * auth, routing / rate-limit / circuit-breaker rules, naming v2, more maintain operations) add
 * their group here; their front doors go into `HttpServerDeps` as optional dependencies.
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  adminRoutes,
  adminClientTargetRoutes,
  namingServiceRoutes,
  namingInstanceRoutes,
  coreNamespaceRoutes,
  clientRoutes,
  consoleClientTargetRoutes,
];
