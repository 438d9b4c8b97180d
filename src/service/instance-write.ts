import type { Instance as WireInstance } from '../common/api/gen/wire.js';
import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import type { Instance } from '../common/model/naming.js';
import { instanceId, newId } from '../common/utils/ids.js';
import { checkLength, checkMetadata } from '../common/utils/validate.js';
import { locationFromWire } from './convert.js';
import { checkServiceKey } from './service-ops.js';

const DEFAULT_TTL = 5;

export interface InstanceKey {
  id: string;
  namespace: string;
  service: string;
}

/**
 * Validates a register/create request and derives its id (polaris's rule when none is given).
 * Throws PolarisError with the field's code.
 */
export function checkInstanceCreate(req: WireInstance): InstanceKey {
  const { name: service, namespace } = checkServiceKey({ name: req.service, namespace: req.namespace });
  if (typeof req.host !== 'string' || req.host === '') throw new PolarisError(Code.InvalidInstanceHost, 'host is empty');
  checkLength(req.host, 128, Code.InvalidInstanceHost, 'host');
  if (req.port === undefined || req.port === null) throw new PolarisError(Code.InvalidInstancePort, 'port is required');
  if (req.port > 65535) throw new PolarisError(Code.InvalidInstancePort, 'port is over 65535');
  checkInstanceFields(req);
  if (req.id !== undefined && req.id !== null && req.id === '') throw new PolarisError(Code.InvalidInstanceID);
  const id = req.id || instanceId(namespace, service, req.host, req.port, req.vpc_id ?? '');
  return { id, namespace, service };
}

export function checkInstanceFields(req: WireInstance): void {
  checkLength(req.protocol, 32, Code.InvalidInstanceProtocol, 'protocol');
  checkLength(req.version, 32, Code.InvalidInstanceVersion, 'version');
  checkLength(req.logic_set, 128, Code.InvalidInstanceLogicSet, 'logic_set');
  if (req.weight !== undefined && req.weight !== null && req.weight > 65535) {
    throw new PolarisError(Code.InvalidParameter, 'weight is over 65535');
  }
  checkMetadata(req.metadata);
}

/**
 * Identifies an existing instance for update/deregister/heartbeat: by `id` when given (it must not
 * be empty), otherwise by the namespace/service/host/port tetrad.
 */
export function instanceKeyOf(req: WireInstance): InstanceKey | { id: string; namespace?: undefined; service?: undefined } {
  if (req.id !== undefined && req.id !== null) {
    if (req.id === '') throw new PolarisError(Code.InvalidInstanceID);
    return { id: req.id };
  }
  const { name: service, namespace } = checkServiceKey({ name: req.service, namespace: req.namespace });
  if (typeof req.host !== 'string' || req.host === '') throw new PolarisError(Code.InvalidInstanceHost, 'host is empty');
  if (req.port === undefined || req.port === null) throw new PolarisError(Code.InvalidInstancePort, 'port is required');
  return { id: instanceId(namespace, service, req.host, req.port, req.vpc_id ?? ''), namespace, service };
}

/**
 * polaris's rule: a heartbeat block turns the check on unless `enable_health_check` is explicitly
 * false (older SDKs and the console send only the block); the flag alone turns it on too, TTL 5.
 */
function healthCheckRequested(req: WireInstance): boolean | undefined {
  if (req.enable_health_check !== undefined && req.enable_health_check !== null) return req.enable_health_check;
  return req.health_check?.heartbeat != null ? true : undefined;
}

function ttlOf(req: WireInstance): number {
  const ttl = req.health_check?.heartbeat?.ttl;
  return ttl !== undefined && ttl !== null && ttl > 0 && ttl <= 60 ? ttl : DEFAULT_TTL;
}

/** Builds the row for a create/register (upsert): defaults as polaris; `isolate` kept when not sent. */
export function buildInstance(
  req: WireInstance,
  key: InstanceKey,
  serviceId: string,
  existing: Instance | undefined,
  now: number,
): Instance {
  const enableHealthCheck = healthCheckRequested(req) ?? false;
  return {
    id: key.id,
    serviceId,
    service: key.service,
    namespace: key.namespace,
    vpcId: req.vpc_id ?? '',
    host: req.host as string,
    port: req.port as number,
    protocol: req.protocol ?? '',
    version: req.version ?? '',
    priority: req.priority ?? 0,
    weight: req.weight ?? 100,
    enableHealthCheck,
    healthCheck: enableHealthCheck ? { type: 1, ttl: ttlOf(req) } : null,
    healthy: req.healthy ?? true,
    isolate: req.isolate ?? existing?.isolate ?? false,
    logicSet: req.logic_set ?? '',
    location: locationFromWire(req.location),
    metadata: { ...(req.metadata ?? {}) },
    revision: newId(),
    ctime: existing?.ctime ?? now,
    mtime: now,
  };
}

/** Applies a console update (weight, isolate, metadata, location, …) to an existing instance. */
export function applyInstanceUpdate(cur: Instance, req: WireInstance, now: number): Instance | undefined {
  const enableHealthCheck = healthCheckRequested(req) ?? cur.enableHealthCheck;
  const next: Instance = {
    ...cur,
    protocol: req.protocol ?? cur.protocol,
    version: req.version ?? cur.version,
    priority: req.priority ?? cur.priority,
    weight: req.weight ?? cur.weight,
    isolate: req.isolate ?? cur.isolate,
    logicSet: req.logic_set ?? cur.logicSet,
    location: req.location ? locationFromWire(req.location) : cur.location,
    metadata: req.metadata != null ? { ...req.metadata } : cur.metadata,
    enableHealthCheck,
    healthCheck: enableHealthCheck
      ? req.health_check
        ? { type: 1, ttl: ttlOf(req) }
        : (cur.healthCheck ?? { type: 1, ttl: DEFAULT_TTL })
      : null,
    healthy: enableHealthCheck ? cur.healthy : (req.healthy ?? cur.healthy),
  };
  if (JSON.stringify({ ...next, revision: '', mtime: 0 }) === JSON.stringify({ ...cur, revision: '', mtime: 0 })) return undefined;
  next.revision = newId();
  next.mtime = now;
  return next;
}
