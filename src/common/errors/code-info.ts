import { Code } from './codes.js';

/**
 * English text of each code, as polaris-server sends it in `info` and in the `X-Polaris-Message`
 * header: its `code2info` table (polarismesh/polaris common/api/v1/codeinfo.go). Codes that table
 * has no entry for get "" there (Go's Code2Info returns the empty string), so they are listed here
 * with '' too: a detail appended by PolarisError then reads ": detail", exactly like Go's
 * `code2info(code) + ": " + msg`.
 *
 * (polaris' i18n bundle release/conf/i18n/en.toml additionally knows 400703 as "invalid routing
 * priority, only support [0, 10]"; that text only replaces an untouched `info`, never the header.)
 */
const INFO: Readonly<Record<number, string>> = {
  [Code.Unknown]: '',

  // 200xxx
  [Code.ExecuteSuccess]: 'execute success',
  [Code.DataNoChange]: 'discover data is no change',
  [Code.NoNeedUpdate]: 'update data is no change, no need to update',

  // 4000xx request shape
  [Code.BadRequest]: 'bad request',
  [Code.ParseException]: 'request decode failed',
  [Code.EmptyRequest]: 'empty request',
  [Code.BatchSizeOverLimit]: 'batch size over the limit',
  [Code.InvalidDiscoverResource]: 'invalid discover resource',

  // 4001xx parameters
  [Code.InvalidRequestID]: 'invalid request id',
  [Code.InvalidUserName]: 'invalid user name',
  [Code.InvalidUserToken]: 'invalid user token',
  [Code.InvalidParameter]: 'invalid parameter',
  [Code.EmptyQueryParameter]: 'query instance parameter is empty',
  [Code.InvalidQueryInsParameter]: 'query instance, service or namespace or host is required',
  [Code.InvalidNamespaceName]: 'invalid namespace name',
  [Code.InvalidNamespaceOwners]: 'invalid namespace owners',
  [Code.InvalidNamespaceToken]: 'invalid namespace token',
  [Code.InvalidServiceName]: 'invalid service name',
  [Code.InvalidServiceOwners]: 'invalid service owners',
  [Code.InvalidServiceToken]: 'invalid service token',
  [Code.InvalidServiceMetadata]: 'invalid service metadata',
  [Code.InvalidServicePorts]: 'invalid service ports',
  [Code.InvalidServiceBusiness]: 'invalid service business',
  [Code.InvalidServiceDepartment]: 'invalid service department',
  [Code.InvalidServiceCMDB]: 'invalid service CMDB',
  [Code.InvalidServiceComment]: 'invalid service comment',
  [Code.InvalidServiceAliasComment]: 'invalid service alias comment',
  [Code.InvalidInstanceID]: 'invalid instance id',
  [Code.InvalidInstanceHost]: 'invalid instance host',
  [Code.InvalidInstancePort]: 'invalid instance port',
  [Code.InvalidServiceAlias]: 'invalid service alias',
  [Code.InvalidNamespaceWithAlias]: 'request namespace is not allow to create sid type alias',
  [Code.InvalidServiceAliasOwners]: 'invalid service alias owners',
  [Code.InvalidInstanceProtocol]: 'invalid instance protocol',
  [Code.InvalidInstanceVersion]: 'invalid instance version',
  [Code.InvalidInstanceLogicSet]: 'invalid instance logic set',
  [Code.InvalidInstanceIsolate]: 'invalid instance isolate',
  [Code.HealthCheckNotOpen]: 'server not open health check',
  [Code.HeartbeatOnDisabledIns]: 'heartbeat on disabled instance',
  [Code.HeartbeatExceedLimit]: 'instance can only heartbeat 1 time per second',
  [Code.HeartbeatTypeNotFound]: '',
  [Code.InvalidMetadata]: 'the length of metadata is too long or metadata contains invalid characters',
  [Code.InvalidRateLimitID]: 'invalid rate limit id',
  [Code.InvalidRateLimitLabels]: 'invalid rate limit labels',
  [Code.InvalidRateLimitAmounts]: 'invalid rate limit amounts',
  [Code.InvalidRateLimitName]: '',
  [Code.InvalidCircuitBreakerID]: 'invalid circuit breaker id',
  [Code.InvalidCircuitBreakerVersion]: 'invalid circuit breaker version',
  [Code.InvalidCircuitBreakerName]: 'invalid circuit breaker name',
  [Code.InvalidCircuitBreakerNamespace]: 'invalid circuit breaker namespace',
  [Code.InvalidCircuitBreakerOwners]: 'invalid circuit breaker owners',
  [Code.InvalidCircuitBreakerToken]: 'invalid circuit breaker token',
  [Code.InvalidCircuitBreakerBusiness]: 'invalid circuit breaker business',
  [Code.InvalidCircuitBreakerDepartment]: 'invalid circuit breaker department',
  [Code.InvalidCircuitBreakerComment]: 'invalid circuit breaker comment',
  [Code.CircuitBreakerRuleExisted]: '',
  [Code.ServicesExistedMesh]: 'services existed mesh',
  [Code.ResourcesExistedMesh]: 'resources existed mesh',
  [Code.InvalidMeshParameter]: 'invalid mesh parameter',
  [Code.InvalidPlatformID]: 'invalid platform id',
  [Code.InvalidPlatformName]: 'invalid platform name',
  [Code.InvalidPlatformDomain]: 'invalid platform domain',
  [Code.InvalidPlatformQPS]: 'invalid platform qps',
  [Code.InvalidPlatformToken]: 'invalid platform token',
  [Code.InvalidPlatformOwner]: 'invalid platform owner',
  [Code.InvalidPlatformDepartment]: 'invalid platform department',
  [Code.InvalidPlatformComment]: 'invalid platform comment',
  [Code.NotFoundPlatform]: 'not found platform',
  [Code.InvalidFluxRateLimitId]: 'invalid flux ratelimit id',
  [Code.InvalidFluxRateLimitQps]: 'invalid flux ratelimit qps',
  [Code.InvalidFluxRateLimitSetKey]: 'invalid flux ratelimit key',

  // 4002xx existence conflicts
  [Code.ExistedResource]: 'existed resource',
  [Code.NotFoundResource]: 'not found resource',
  [Code.NamespaceExistedServices]: 'some services existed in namespace',
  [Code.ServiceExistedInstances]: 'some instances existed in service',
  [Code.ServiceExistedRoutings]: 'some routings existed in service',
  [Code.ServiceExistedRateLimits]: 'some rate limits existed in service',
  [Code.ExistReleasedConfig]: 'exist released config',
  [Code.SameInstanceRequest]: 'the same instance request',
  [Code.ServiceExistedCircuitBreakers]: 'some circuit breakers existed in service',
  [Code.ServiceExistedAlias]: 'some aliases existed in service',
  [Code.NamespaceExistedMeshResources]: 'some mesh resources existed in namespace',
  [Code.NamespaceExistedCircuitBreakers]: 'some circuit breakers existed in namespace',
  [Code.ServiceSubscribedByMeshes]: 'service subscribed by some mesh',
  [Code.ServiceExistedFluxRateLimits]: '',
  [Code.UserExisted]: 'exist user',
  [Code.UserGroupExisted]: 'exist usergroup',
  [Code.AuthStrategyRuleExisted]: 'exist auth strategy rule',
  [Code.SubAccountExisted]: 'some sub-account existed in owner',
  [Code.NamespaceExistedConfigGroups]: 'some config group existed in namespace',

  // 4003xx not found
  [Code.NotFoundService]: 'not found service',
  [Code.NotFoundRouting]: 'not found routing',
  [Code.NotFoundInstance]: 'not found instances',
  [Code.NotFoundServiceAlias]: 'not found service alias',
  [Code.NotFoundNamespace]: 'not found namespace',
  [Code.NotFoundSourceService]: 'not found the source service link with the alias',
  [Code.NotFoundRateLimit]: 'not found rate limit',
  [Code.NotFoundCircuitBreaker]: 'not found circuit breaker',
  [Code.NotFoundMasterConfig]: 'not found master config',
  [Code.NotFoundTagConfig]: 'not found tag config',
  [Code.NotFoundTagConfigOrService]: 'not found tag config or service, or relation already exists',
  [Code.NotFoundUser]: 'not found user',
  [Code.NotFoundOwnerUser]: 'not found owner user',
  [Code.NotFoundUserGroup]: 'not found usergroup',
  [Code.NotFoundAuthStrategyRule]: 'not found auth strategy rule',

  // 4004xx client / auth parameters
  [Code.ClientAPINotOpen]: 'client api is not open',
  [Code.NotAllowBusinessService]: 'not allow requesting business service',
  [Code.InvalidUserOwners]: '',
  [Code.InvalidUserID]: 'invalid user-id',
  [Code.InvalidUserPassword]: 'invalid user password',
  [Code.InvalidUserMobile]: '',
  [Code.InvalidUserEmail]: '',
  [Code.InvalidUserGroupOwners]: 'invalid usergroup owner attribute',
  [Code.InvalidUserGroupID]: '',
  [Code.InvalidAuthStrategyOwners]: 'invalid auth strategy rule owner',
  [Code.InvalidAuthStrategyName]: 'invalid auth strategy rule name',
  [Code.InvalidAuthStrategyID]: '',
  [Code.InvalidPrincipalType]: 'invalid principal type',

  // 4005xx not allowed
  [Code.NotAllowAliasUpdate]: 'not allow service alias updating',
  [Code.NotAllowAliasCreateInstance]: 'not allow service alias creating instance',
  [Code.NotAllowAliasCreateRouting]: 'not allow service alias creating routing config',
  [Code.NotAllowCreateAliasForAlias]: 'only source service can create alias',
  [Code.NotAllowAliasCreateRateLimit]: 'not allow service alias creating rate limit',
  [Code.NotAllowAliasBindRule]: 'not allow service alias binding rule',
  [Code.NotAllowDifferentNamespaceBindRule]: 'not allow different namespace binding rule',
  [Code.NotAllowModifyDefaultStrategyPrincipal]: 'not allow modify default strategy principal',
  [Code.NotAllowModifyOwnerDefaultStrategy]: 'not allow modify main account default strategy',

  // 4007xx routing
  [Code.InvalidRoutingID]: 'invalid routing id',
  [Code.InvalidRoutingPolicy]: 'invalid routing policy, only support (RulePolicy,MetadataPolicy)',
  [Code.InvalidRoutingName]: 'invalid routing name',
  [Code.InvalidRoutingPriority]: '',

  // 4008xx config center
  [Code.InvalidConfigFileGroupName]: 'invalid config file group name',
  [Code.InvalidConfigFileName]: 'invalid config file name',
  [Code.InvalidConfigFileContentLength]: 'config file content too long',
  [Code.InvalidConfigFileFormat]: 'invalid config file format, support json,xml,html,properties,text,yaml',
  [Code.InvalidConfigFileTags]:
    'invalid config file tags, tags should be pair, like key1,value1,key2,value2, both key and value should not blank',
  [Code.InvalidWatchConfigFileFormat]: 'invalid watch config file format',
  [Code.NotFoundResourceConfigFile]: 'config file not existed',
  [Code.InvalidConfigFileTemplateName]: 'invalid config file template name',
  [Code.EncryptConfigFileException]: '',
  [Code.GroupExistActiveRelease]: '',
  [Code.DecryptConfigFileException]: '',

  // 4009xx fault detection, gray rules
  [Code.InvalidFaultDetectID]: '',
  [Code.InvalidFaultDetectName]: '',
  [Code.InvalidFaultDetectNamespace]: '',
  [Code.FaultDetectRuleExisted]: '',
  [Code.InvalidMatchRule]: 'invalid gray config beta labels',

  // 401xxx / 403xxx / 404xxx / 409xxx / 429xxx
  [Code.Unauthorized]: 'unauthorized',
  [Code.NotAllowedAccess]: 'access is not approved',
  [Code.EmptyAutToken]: 'auth token empty',
  [Code.TokenDisabled]: 'token already disabled',
  [Code.TokenNotExisted]: 'token not existed',
  [Code.AuthTokenForbidden]: 'token verify exception',
  [Code.OperationRoleForbidden]: 'operation role exception',
  [Code.APIRateLimit]: 'server limit the api access',
  [Code.CMDBNotFindHost]: 'not found the host cmdb',
  [Code.DataConflict]: 'data is conflict, please try again',
  [Code.InstanceTooManyRequests]: 'your instance has too many requests',
  [Code.IPRateLimit]: 'server limit the ip access',

  // 5xxxxx
  [Code.ExecuteException]: 'execute exception',
  [Code.StoreLayerException]: 'store layer exception',
  [Code.CMDBPluginException]: 'cmdb plugin exception',
  [Code.ParseRoutingException]: 'parsing routing failed',
  [Code.ParseRateLimitException]: 'parse rate limit failed',
  [Code.ParseCircuitBreakerException]: 'parse circuit breaker failed',
  [Code.HeartbeatException]: 'heartbeat execute exception',
  [Code.InstanceRegisTimeout]: 'instance async regist timeout',
};

/** The code's table text ('' for codes polaris-server has no text for, like Go's Code2Info). */
export function codeInfo(code: number): string {
  return INFO[code] ?? '';
}

/** True for every code of the contract's v1.Code enum (i.e. the table knows the code). */
export function hasCodeInfo(code: number): boolean {
  return INFO[code] !== undefined;
}
