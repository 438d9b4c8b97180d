import { adminRoutes } from './admin.js';
import { authGroupRoutes } from './auth-groups.js';
import { authStrategyRoutes } from './auth-strategies.js';
import { authUserRoutes } from './auth-users.js';
import { clientRoutes } from './client.js';
import { adminClientTargetRoutes, consoleClientTargetRoutes } from './client-targets.js';
import { configClientRoutes } from './config-client.js';
import { configConsoleRoutes } from './config-console.js';
import { coreNamespaceRoutes } from './core-namespaces.js';
import { namingInstanceRoutes } from './naming-instances.js';
import { namingServiceRoutes } from './naming-services.js';
import { namingContractRoutes } from './naming-rules-contract.js';
import { namingFaultToleranceRoutes } from './naming-rules-fault.js';
import { namingLaneRoutes } from './naming-rules-lane.js';
import { namingRateLimitRoutes } from './naming-rules-ratelimit.js';
import { namingRoutingRoutes } from './naming-rules-routing.js';
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
  namingContractRoutes,
  namingRoutingRoutes,
  namingLaneRoutes,
  namingRateLimitRoutes,
  namingFaultToleranceRoutes,
  coreNamespaceRoutes,
  clientRoutes,
  configConsoleRoutes,
  configClientRoutes,
  consoleClientTargetRoutes,
  authUserRoutes,
  authGroupRoutes,
  authStrategyRoutes,
];
