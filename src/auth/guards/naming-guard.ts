import type { NamingReader } from '../../cache/api.js';
import type { DiscoverRequest as WireDiscoverRequest, DiscoverResponse as WireDiscoverResponse } from '../../common/api/gen/wire.js';
import { failed } from '../../common/errors/batch.js';
import type { PolarisError } from '../../common/errors/polaris-error.js';
import type { NamingService } from '../../service/api.js';
import type { AuthChecker, ResourceRef } from '../api.js';
import { guard, PASS, type OperationTable } from './guard.js';
import { aliasRefs, instanceRefs, serviceRef, serviceRefs } from './naming-resources.js';

/** A refused Discover is answered like any other Discover failure: the code, type and service echoed. */
function refuseDiscover(err: PolarisError, req: WireDiscoverRequest): WireDiscoverResponse {
  const svc = req.service ?? {};
  return {
    code: err.code,
    info: err.info,
    type: (req.type ?? 'UNKNOWN') as WireDiscoverResponse['type'],
    service: { name: svc.name ?? '', namespace: svc.namespace ?? '' },
  };
}

/**
 * The naming module's operations (polaris service/interceptor/auth): console operations under the
 * console switch, SDK register / deregister / discover under the client switch. Heartbeats and
 * client reports are not token-checked, as in polaris.
 */
export function namingOperations(cache: NamingReader): OperationTable<NamingService> {
  const services = (reqs: Parameters<NamingService['createServices']>[1]): ResourceRef[] => serviceRefs(cache, reqs);
  const instances = (reqs: Parameters<NamingService['createInstances']>[1]): ResourceRef[] => instanceRefs(cache, reqs);
  const console = 'console' as const;
  const client = 'client' as const;
  return {
    createServices: { plane: console, access: 'write', fn: 'CreateServices', resources: services },
    updateServices: { plane: console, access: 'write', fn: 'UpdateServices', resources: services },
    deleteServices: { plane: console, access: 'write', fn: 'DeleteServices', resources: services },
    listServices: { plane: console, access: 'read', fn: 'DescribeServices' },
    allServices: { plane: console, access: 'read', fn: 'DescribeAllServices' },
    countServices: { plane: console, access: 'read', fn: 'DescribeServicesCount' },
    getServiceOwners: { plane: console, access: 'read', fn: 'DescribeServiceOwner' },
    getServiceToken: {
      plane: console,
      access: 'write',
      fn: 'DescribeServiceToken',
      resources: (req) => [serviceRef(cache, req.namespace, req.name)],
    },
    updateServiceToken: {
      plane: console,
      access: 'write',
      fn: 'UpdateServiceToken',
      resources: (req) => [serviceRef(cache, req.namespace, req.name)],
    },

    createAlias: { plane: console, access: 'write', fn: 'CreateServiceAlias', resources: (req) => aliasRefs(cache, [req]) },
    updateAlias: { plane: console, access: 'write', fn: 'UpdateServiceAlias', resources: (req) => aliasRefs(cache, [req]) },
    deleteAliases: { plane: console, access: 'write', fn: 'DeleteServiceAliases', resources: (reqs) => aliasRefs(cache, reqs) },
    listAliases: { plane: console, access: 'read', fn: 'DescribeServiceAliases' },

    createInstances: { plane: console, access: 'write', fn: 'CreateInstances', resources: instances },
    updateInstances: { plane: console, access: 'write', fn: 'UpdateInstances', resources: instances },
    deleteInstances: { plane: console, access: 'write', fn: 'DeleteInstances', resources: instances },
    deleteInstancesByHost: { plane: console, access: 'write', fn: 'DeleteInstancesByHost', resources: instances },
    updateIsolateByHost: { plane: console, access: 'write', fn: 'UpdateInstancesIsolate', resources: instances },
    listInstances: { plane: console, access: 'read', fn: 'DescribeInstances' },
    countInstances: { plane: console, access: 'read', fn: 'DescribeInstancesCount' },
    instanceLabels: { plane: console, access: 'read', fn: 'DescribeInstanceLabels' },

    registerInstance: {
      plane: client,
      access: 'write',
      fn: 'RegisterInstance',
      resources: (req) => instanceRefs(cache, [req]),
      refuse: (err, req) => failed(err, req),
    },
    deregisterInstance: {
      plane: client,
      access: 'write',
      fn: 'DeregisterInstance',
      resources: (req) => instanceRefs(cache, [req]),
      refuse: (err, req) => failed(err, req),
    },
    heartbeat: PASS,
    reportClient: PASS,
    discover: {
      plane: client,
      access: 'read',
      fn: 'Discover',
      resources: (req) => (req.service ? [serviceRef(cache, req.service.namespace, req.service.name)] : []),
      refuse: refuseDiscover,
    },
    prometheusTargets: PASS,

    // Eureka adapter calls: the id look-up behind renewals is as open as heartbeats (polaris reads
    // its cache there); patches are client writes of that instance.
    getInstance: PASS,
    patchInstance: {
      plane: client,
      access: 'write',
      fn: 'UpdateInstance',
      resources: (id) => instanceRefs(cache, [{ id }]),
      refuse: (err, id) => failed(err, { id }),
    },
    onInstancesChange: PASS,
  };
}

export function guardNaming(inner: NamingService, cache: NamingReader, checker: AuthChecker): NamingService {
  return guard(inner, namingOperations(cache), checker);
}
