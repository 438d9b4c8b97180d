export { createGrpcServer, type GrpcApiServer } from './server.js';
export {
  DEFAULT_GRPC_SERVER_NAME,
  type GrpcApiGroupConfig,
  type GrpcConnLimitOptions,
  type GrpcServerDeps,
  type GrpcServerOptions,
  type GrpcTlsOptions,
  type HeartbeatRecordsAccess,
  type ServiceContractAccess,
} from './options.js';
export { METHOD_GROUPS } from './allow-list.js';
export type { ProtoCacheStats } from './proto-cache.js';
