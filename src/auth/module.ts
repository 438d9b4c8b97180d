import type { Logger } from 'pino';
import type { NamingReader } from '../cache/api.js';
import type { AuthStore } from '../store/auth-api.js';
import type { AuthServices } from './api.js';
import { AuthCache } from './auth-cache.js';
import { DefaultAuthChecker } from './checker.js';
import type { AuthModuleConfig } from './config.js';
import { AuthCore } from './core.js';
import { DefaultGroupService } from './group-service.js';
import { DefaultPolicyService } from './policy-service.js';
import { DefaultUserService } from './user-service.js';

export interface AuthModule {
  /** Start it before serving (loads users, groups and strategies); stop it on shutdown. */
  cache: AuthCache;
  checker: DefaultAuthChecker;
  services: AuthServices;
}

/** The auth module: its cache, the checker guards ask, and the user / group / policy services. */
export function createAuthModule(
  deps: { store: AuthStore; naming: NamingReader; logger: Logger },
  config: AuthModuleConfig & { cacheIntervalMs: number; cacheProbeMs?: number; cacheProbe?: () => Promise<number> },
): AuthModule {
  const cache = new AuthCache({ store: deps.store, logger: deps.logger }, {
    intervalMs: config.cacheIntervalMs,
    probeMs: config.cacheProbeMs,
    probe: config.cacheProbe,
  });
  const checker = new DefaultAuthChecker({ cache, logger: deps.logger }, config);
  const core = new AuthCore({ store: deps.store, cache, checker, naming: deps.naming, logger: deps.logger }, config);
  return {
    cache,
    checker,
    services: {
      users: new DefaultUserService(core),
      groups: new DefaultGroupService(core),
      policies: new DefaultPolicyService(core),
    },
  };
}
