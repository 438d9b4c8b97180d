export { createConfigGrpcServer, type ConfigGrpcApiServer } from './server.js';
export {
  DEFAULT_CONFIG_GRPC_NAME,
  type ConfigGrpcApiGroupConfig,
  type ConfigGrpcConnLimitOptions,
  type ConfigGrpcServerDeps,
  type ConfigGrpcServerOptions,
} from './options.js';
