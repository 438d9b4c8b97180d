import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { messageType } from '../src/apiserver/xdsserverv3/protos.js';
import { DeltaSession, SotwSession, type DeltaResponse, type SotwResponse } from '../test/helpers/xds-client.js';

/**
 * An ADS client for the bench that reads only the envelope of each DiscoveryResponse or
 * DeltaDiscoveryResponse (version, type, nonce, removed names, and the number of resources) and skips the resources' bytes. One bench process
 * stands in for 1,000 Envoys; decoding every resource of every stream in it would measure this
 * process's decoding (serially, on one core) instead of the server's delivery, which 1,000 real
 * Envoys decode in parallel. Its HTTP/2 receive windows are Envoy's defaults (256 MiB per stream
 * and per connection) instead of grpc-js's 64 KiB, which would make the server wait for window
 * updates from this one busy process every 64 KiB of a connection carrying 250 streams.
 */
export function leanAdsClient(port: number): { close(): void; sotw(): SotwSession; delta(): DeltaSession } {
  const req = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const res = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  const f = res.fields;
  const ids = { version: f.version_info.id, resources: f.resources.id, type: f.type_url.id, nonce: f.nonce.id };
  const serialize = (v: object) => Buffer.from(req.encode(req.fromObject(v)).finish());
  const deserialize = (b: Buffer): SotwResponse => {
    const r = protobuf.Reader.create(b);
    const out: SotwResponse = { version_info: '', resources: [], type_url: '', nonce: '' };
    while (r.pos < r.len) {
      const tag = r.uint32();
      const id = tag >>> 3;
      if (id === ids.version) out.version_info = r.string();
      else if (id === ids.type) out.type_url = r.string();
      else if (id === ids.nonce) out.nonce = r.string();
      else {
        if (id === ids.resources) out.resources.push({ type_url: '', value: Buffer.alloc(0) });
        r.skipType(tag & 7);
      }
    }
    return out;
  };
  // The same for DeltaDiscoveryResponse: each resource counted, its bytes skipped.
  const dreq = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const dres = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const df = dres.fields;
  const dids = { version: df.system_version_info.id, resources: df.resources.id, type: df.type_url.id, removed: df.removed_resources.id, nonce: df.nonce.id };
  const dserialize = (v: object) => Buffer.from(dreq.encode(dreq.fromObject(v)).finish());
  const ddeserialize = (b: Buffer): DeltaResponse => {
    const r = protobuf.Reader.create(b);
    const out: DeltaResponse = { system_version_info: '', resources: [], type_url: '', removed_resources: [], nonce: '' };
    while (r.pos < r.len) {
      const tag = r.uint32();
      const id = tag >>> 3;
      if (id === dids.version) out.system_version_info = r.string();
      else if (id === dids.type) out.type_url = r.string();
      else if (id === dids.nonce) out.nonce = r.string();
      else if (id === dids.removed) out.removed_resources.push(r.string());
      else {
        if (id === dids.resources) out.resources.push({ name: '', version: '', resource: { type_url: '', value: Buffer.alloc(0) } });
        r.skipType(tag & 7);
      }
    }
    return out;
  };
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
    'grpc-node.flow_control_window': 256 * 1024 * 1024,
  });
  return {
    close: () => client.close(),
    sotw: () =>
      new SotwSession(
        client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources', serialize, deserialize) as grpc.ClientDuplexStream<object, SotwResponse>,
      ),
    delta: () =>
      new DeltaSession(
        client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources', dserialize, ddeserialize) as grpc.ClientDuplexStream<object, DeltaResponse>,
      ),
  };
}
