import type { LoggerOptions } from '../../common/log/logger-options.js';
import type { MemoryReclaimConfig } from '../../maintain/memory-reclaim.js';

/**
 * The validated, deeply frozen content of polaris-server.yaml. Field names are the YAML keys.
 * Durations written in Go syntax ("32ms", "30s") are milliseconds here; keys polaris-server reads
 * as a bare number of seconds stay seconds (noted on each field).
 */
export interface ServerConfig {
  /** Absolute path of the file this was loaded from. */
  readonly file: string;
  /** Directory of that file (upstream's utils.ConfDir), absolute. */
  readonly confDir: string;
  readonly bootstrap: BootstrapConfig;
  /** In file order; entries with an unknown name are dropped with a warning (upstream skips them). */
  readonly apiservers: readonly ApiServerConfig[];
  readonly auth: AuthConfig;
  readonly namespace: NamespaceConfig;
  readonly naming: NamingConfig;
  readonly healthcheck: HealthCheckConfig;
  readonly config: ConfigCenterConfig;
  readonly cache: CacheConfig;
  readonly store: StoreConfig;
  readonly plugin: PluginConfig;
  readonly maintain: MaintainConfig;
}

// ---------------------------------------------------------------- bootstrap

export interface BootstrapConfig {
  /** Scope name → options. Upstream's built-in scopes are always present; the file adds or overrides. */
  readonly logger: Readonly<Record<string, LoggerOptions>>;
  readonly startInOrder: StartInOrderConfig;
  readonly polaris_service: PolarisServiceConfig;
}

export interface StartInOrderConfig {
  /** Serialise start-ups through the store's start lock. Default true. */
  readonly open: boolean;
  /** start_lock.lock_key. Default "sz". */
  readonly key: string;
}

export interface PolarisServiceConfig {
  /** TCP target whose local address gives this node's IP. */
  readonly probe_address: string;
  /** Network interface to take the IP from. */
  readonly network_inter: string;
  /** Explicit IP of this node (highest priority). */
  readonly self_address: string;
  /** Register but do not run the self heartbeat. */
  readonly disable_heartbeat: boolean;
  /** Self heartbeat period and TTL, seconds (values ≤ 0 become 5). */
  readonly heartbeat_interval: number;
  /** Register this server's ports as instances. Default true. */
  readonly enable_register: boolean;
  /** Register them isolated. */
  readonly isolated: boolean;
  readonly services: readonly SelfServiceConfig[];
}

export interface SelfServiceConfig {
  /** Default "polaris-server" when empty (the YAML uses polaris.checker). */
  readonly name: string;
  /** Default "Polaris". */
  readonly namespace: string;
  /**
   * apiserver names whose ports are registered, all configured in `apiservers` (checked when
   * enable_register is true). Never empty: an empty list in the file is resolved to every
   * configured apiserver at load time.
   */
  readonly protocols: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------- apiservers

export type ApiServerName =
  | 'api-http'
  | 'service-grpc'
  | 'config-grpc'
  | 'service-eureka'
  | 'xds-v3'
  | 'service-nacos'
  | 'service-l5'
  | 'prometheus-sd';

export interface ConnLimitConfig {
  readonly openConnLimit: boolean;
  /** Connections per client host (0 = unlimited). */
  readonly maxConnPerHost: number;
  /** Connections on this listener (values < 1 = unlimited). */
  readonly maxConnLimit: number;
  /** Hosts exempt from the per-host limit (YAML: comma-separated string or list). */
  readonly whiteList: readonly string[];
  /** ms; 0 = none. */
  readonly readTimeout: number;
  /** ms. Default 10 s. */
  readonly purgeCounterInterval: number;
  /** ms. Default 5 s. YAML `purgeCounterExpired` (upstream's code reads `purgeCounterExpire`; both accepted). */
  readonly purgeCounterExpired: number;
}

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustedCAFile: string;
}

export interface ApiServerOptionBase {
  /** Default "0.0.0.0". */
  readonly listenIP: string;
  /** Default: the server's well-known port (8090, 8091, 8093, 8761, 15010, 8848, 7779, 9000). 0 = any free port. */
  readonly listenPort: number;
  readonly connLimit: ConnLimitConfig;
  readonly tls: TlsConfig;
}

export interface ProtoCacheOption {
  /** Cache serialized discovery responses. */
  readonly enableCacheProto: boolean;
  /** MiB of pre-encoded Discover answers service-grpc keeps (api-http has no such cache). Default 128. */
  readonly sizeCacheProto: number;
}

/** `apiservers[api-http].option.console` (a polaris-ts addition): the web console. */
export interface WebConsoleConfig {
  /** Serve the console. Default true. */
  readonly enable: boolean;
  /** URL path it is served under, normalized to a leading slash and no trailing one. Default "/console". */
  readonly path: string;
}

export interface HttpServerOption extends ApiServerOptionBase, ProtoCacheOption {
  readonly enablePprof: boolean;
  readonly enableSwagger: boolean;
  /** Fields of JSON answers on polaris-server 1.18.1's routes: `v1.4.2` (its own, default) or `v1.5`. */
  readonly jsonFieldSet: 'v1.4.2' | 'v1.5';
  readonly console: WebConsoleConfig;
}

export type GrpcServerOption = ApiServerOptionBase &
  ProtoCacheOption & {
    /**
     * service-grpc only (a polaris-ts addition): serve the SDK's plain unary calls (Heartbeat,
     * Register/DeregisterInstance, ReportClient) straight from the HTTP/2 stream instead of through
     * grpc-js' per-call machinery. Default true; false sends every call through grpc-js.
     */
    readonly unaryFastPath?: boolean;
  };

export interface EurekaServerOption extends ApiServerOptionBase {
  /** Polaris namespace of every Eureka operation. Default "default". */
  readonly namespace: string;
  /** Seconds between full-registry cache rebuilds (≤ 0 → 10). */
  readonly refreshInterval: number;
  /** Seconds a change stays in /apps/delta (≤ 0 → 60). */
  readonly deltaExpireInterval: number;
  /** Seconds; read but unused upstream. Default 180. */
  readonly unhealthyExpireInterval: number;
  /** Read but unused at upstream HEAD. Default true. */
  readonly enableSelfPreservation: boolean;
  readonly generateUniqueInstId: boolean;
  /**
   * Peer Eureka servers to replicate to, by polaris namespace: plain `host:port` items of the
   * list count for `namespace`, `{<namespace>: [host:port, …]}` items for the one they name.
   */
  readonly peersToReplicate: Readonly<Record<string, readonly string[]>>;
  /** dataCenterInfoClass / dataCenterInfoName overrides. */
  readonly customValues: Readonly<Record<string, string>>;
  /** v1.12; unused. */
  readonly owner: string;
}

export type XdsServerOption = ApiServerOptionBase & {
  /**
   * A polaris-ts addition: serve uncompressed discovery streams straight from the HTTP/2 stream
   * instead of through grpc-js' per-call machinery. Default true; false sends every stream through
   * grpc-js.
   */
  readonly streamFastPath?: boolean;
};

export interface NacosServerOption extends ApiServerOptionBase {
  /** Polaris namespace for Nacos' "public". Default "default". */
  readonly defaultNamespace: string;
  readonly serverService: string;
  readonly serverNamespace: string;
}

export interface L5ServerOption extends ApiServerOptionBase {
  readonly clusterName: string;
}

export type PrometheusSdServerOption = ApiServerOptionBase;

export interface ApiGroupConfig {
  readonly enable: boolean;
  /** API sub-groups, e.g. console: [default, service, config]; client: [discover, register, healthcheck, config]. */
  readonly include: readonly string[];
}

/** `api` of an apiserver: group name (admin, console, client, config) → switch. */
export type ApiGroups = Readonly<Record<string, ApiGroupConfig>>;

interface ApiServerEntry<N extends ApiServerName, O> {
  readonly name: N;
  readonly option: O;
  readonly api: ApiGroups;
}

export type ApiServerConfig =
  | ApiServerEntry<'api-http', HttpServerOption>
  | ApiServerEntry<'service-grpc', GrpcServerOption>
  | ApiServerEntry<'config-grpc', GrpcServerOption>
  | ApiServerEntry<'service-eureka', EurekaServerOption>
  | ApiServerEntry<'xds-v3', XdsServerOption>
  | ApiServerEntry<'service-nacos', NacosServerOption>
  | ApiServerEntry<'service-l5', L5ServerOption>
  | ApiServerEntry<'prometheus-sd', PrometheusSdServerOption>;

// ---------------------------------------------------------------- auth, namespace, naming

export interface AuthConfig {
  readonly user: {
    /** Default "defaultUser". */
    readonly name: string;
    readonly option: {
      /** Token AES key; length 16, 24 or 32. Default "polarismesh@2021". */
      readonly salt: string;
      /**
       * polaris-ts only: password of the main account `polaris` created at first start (env
       * POLARIS_ADMIN_PASSWORD wins). Generated, printed once and saved (0600) when neither is set.
       */
      readonly adminPassword?: string;
      /**
       * polaris-ts only: token of that account (env POLARIS_ADMIN_TOKEN wins), e.g. the token a
       * migrated polaris-server console uses; it must be a token of that account under `salt`.
       */
      readonly adminToken?: string;
    };
  };
  readonly strategy: {
    /** Default "defaultStrategy". */
    readonly name: string;
    readonly option: AuthStrategyOption;
  };
  /** True when the deprecated v1.12 form (auth.name / auth.option) was used. */
  readonly deprecatedForm: boolean;
}

export interface AuthStrategyOption {
  /** Check tokens on console (OpenAPI) calls. Upstream default true. */
  readonly consoleOpen: boolean;
  /** Reject anonymous console calls even on resources without policies. Default false. */
  readonly consoleStrict: boolean;
  /** Check tokens on client (SDK) calls. Default false. */
  readonly clientOpen: boolean;
  readonly clientStrict: boolean;
  /** Deprecated single strict switch. */
  readonly strict: boolean;
  readonly openPrincipalDefaultPolicy: boolean;
  /** Request headers that mark a trusted caller. */
  readonly credibleHeaders: Readonly<Record<string, string>>;
}

export interface NamespaceConfig {
  /** Create a missing namespace when a service or config group is created in it. Default false (upstream zero value). */
  readonly autoCreate: boolean;
}

export interface BatchCtrlConfig {
  /** false = synchronous single writes. */
  readonly open: boolean;
  readonly queueSize: number;
  /** ms to wait for a batch to fill. */
  readonly waitTime: number;
  readonly maxBatchCount: number;
  readonly concurrency: number;
  /** Drop tasks older than taskLife (register only). */
  readonly dropExpireTask: boolean;
  /** ms; 0 = tasks never expire. */
  readonly taskLife: number;
}

export interface NamingBatchConfig {
  readonly register: BatchCtrlConfig;
  readonly deregister: BatchCtrlConfig;
  readonly clientRegister: BatchCtrlConfig;
  readonly clientDeregister: BatchCtrlConfig;
}

export interface NamingConfig {
  /** Create a missing service on instance registration. Default true. */
  readonly autoCreate: boolean;
  /** Open the L5 cache. Default false. */
  readonly l5Open: boolean;
  /** v1.12 `naming.auth`, present only when written. */
  readonly auth?: { readonly open: boolean };
  readonly batch: NamingBatchConfig;
}

// ---------------------------------------------------------------- healthcheck, config, cache

export interface PluginEntry {
  readonly name: string;
  /** Free-form; validated by the plugin that receives it. */
  readonly option: Readonly<Record<string, unknown>>;
}

export interface HealthCheckConfig {
  /** Default true. */
  readonly open: boolean;
  /** Service whose instances form the checker ring. Default "polaris.checker". */
  readonly service: string;
  /** Time-wheel slots. Default 30. */
  readonly slotNum: number;
  /** '' = the detected local IP. */
  readonly localHost: string;
  /** ms. Default 1 s. */
  readonly minCheckInterval: number;
  /** ms. Default 30 s. */
  readonly maxCheckInterval: number;
  /** ms. Default 120 s. */
  readonly clientCheckInterval: number;
  /** ms. Default 120 s. */
  readonly clientCheckTtl: number;
  /** ms; written in the release file but not read by upstream HEAD. */
  readonly clientReportInterval?: number;
  readonly batch: { readonly heartbeat: BatchCtrlConfig };
  /** Heartbeat store plugins (heartbeatMemory, heartbeatRedis, heartbeatLeader); one is used. */
  readonly checkers: readonly PluginEntry[];
}

export interface ConfigCenterConfig {
  /** Enable the config center. Default false (upstream zero value; the release file sets true). */
  readonly open: boolean;
  /** Max characters of a config file. Default 20000. */
  readonly contentMaxLength: number;
  /** v1.12: file cache TTL, seconds. Not read at upstream HEAD. */
  readonly cache: { readonly expireTimeAfterWrite: number };
}

export interface CacheConfig {
  /** Incremental look-back window, ms (sign ignored). Default 5 s. */
  readonly diffTime: number;
  /** v1.12 switch; caches are always on. */
  readonly open: boolean;
  /** ms; accepted, not applied (the refresh tick is 1 s). */
  readonly reportInterval: number;
  /** v1.12 explicit cache list; informational. */
  readonly resources: readonly PluginEntry[];
}

// ---------------------------------------------------------------- store

export interface SqliteStoreConfig {
  readonly name: 'sqliteStore';
  readonly option: {
    /** Database file, relative to the working directory. Default "./polaris.db". */
    readonly path: string;
    /** Upstream bolt seed file (users, policies); not read, the store seeds itself. */
    readonly loadFile: string;
  };
  /** Set when the file said boltdbStore: the bolt path the SQLite path was derived from. */
  readonly fromBoltdb?: { readonly path: string };
}

export interface MysqlDbConfig {
  /** Must be "mysql". */
  readonly dbType: string;
  readonly dbName: string;
  readonly dbUser: string;
  readonly dbPwd: string;
  /** host:port */
  readonly dbAddr: string;
  /** 0 = driver default. */
  readonly maxOpenConns: number;
  /** 0 = driver default. */
  readonly maxIdleConns: number;
  /** Seconds. Default 1800. */
  readonly connMaxLifetime: number;
  /** Go sql isolation level (0 default, 1 read uncommitted, 2 read committed, 4 repeatable read, 6 serializable). */
  readonly txIsolationLevel: number;
}

export interface MysqlStoreConfig {
  readonly name: 'defaultStore';
  readonly option: {
    readonly master: MysqlDbConfig;
    /** Read replica; reads use master when absent. */
    readonly slave?: MysqlDbConfig;
    /**
     * polaris-ts addition. Identity of the cluster owning the database: recorded on first start,
     * and a cluster started with another identity against the same database is refused. '' = the
     * database name is used.
     */
    readonly clusterId: string;
  };
}

export type StoreConfig = SqliteStoreConfig | MysqlStoreConfig;

// ---------------------------------------------------------------- plugin, maintain

export type PluginCategoryName =
  | 'crypto'
  | 'cmdb'
  | 'history'
  | 'discoverEvent'
  | 'discoverStatis'
  | 'statis'
  | 'ratelimit'
  | 'auth'
  | 'parsePassword'
  | 'whitelist'
  | 'meshResourceValidate';

/**
 * One plugin category. Both YAML forms (`{name, option}` and `{entries: [{name, option}]}`) become
 * `entries`; single-plugin categories use entries[0].
 */
export interface PluginCategoryConfig {
  readonly entries: readonly PluginEntry[];
}

export type PluginConfig = { readonly [C in PluginCategoryName]?: PluginCategoryConfig };

export interface MaintainJobConfig {
  readonly name: string;
  readonly enable: boolean;
  /** Free-form; e.g. instanceDeleteTimeout: "60m". Parsed by the job. */
  readonly option: Readonly<Record<string, unknown>>;
}

export interface MaintainConfig {
  readonly jobs: readonly MaintainJobConfig[];
  /** (polaris-ts) memory-reducing collections once the server is idle after a burst. */
  readonly memoryReclaim: MemoryReclaimConfig;
}
