import { encodeMessage } from './protos.js';

/**
 * Encoded response bodies shared between streams. A push usually sends the same resources to
 * many streams, which differ only in their nonce: the common part is encoded once and the
 * per-stream fields are encoded on their own and appended (concatenated protobuf messages merge,
 * so the result is one valid message).
 */
export class ResponseCache {
  private readonly bodies = new Map<string, Uint8Array>();

  constructor(private readonly max = 128) {}

  /** `typeName` message of `common` (memoised under `key`) followed by `perStream`. */
  encode(typeName: string, key: string, common: () => object, perStream: object): Buffer {
    let body = this.bodies.get(key);
    if (!body) {
      body = encodeMessage(typeName, common());
      if (this.bodies.size >= this.max) this.bodies.delete(this.bodies.keys().next().value as string);
      this.bodies.set(key, body);
    }
    return Buffer.concat([body, encodeMessage(typeName, perStream)]);
  }
}

export const DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse';
export const DELTA_DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';
