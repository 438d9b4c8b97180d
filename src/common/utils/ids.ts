import { hash, randomUUID } from 'node:crypto';

/** 32 lowercase hex chars: a UUID without dashes, as polaris-server makes ids, tokens and revisions. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * The instance id polaris-server derives when a request gives none: lowercase hex SHA-1 of
 * `namespace##service##host##port`, or `namespace##service##vpc_id##host##port` with a VPC.
 */
export function instanceId(namespace: string, service: string, host: string, port: number, vpcId = ''): string {
  const text = vpcId
    ? `${namespace}##${service}##${vpcId}##${host}##${port}`
    : `${namespace}##${service}##${host}##${port}`;
  // One-shot hashing: no Hash object per call (this runs on every register and heartbeat).
  return hash('sha1', text, 'hex');
}
