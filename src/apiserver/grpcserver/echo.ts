import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { encodeProto } from '../../common/api/codec.js';
import type { Response as WireResponse } from '../../common/api/gen/wire.js';
import { messageDesc } from '../../common/api/schema.js';
import { Code } from '../../common/errors/codes.js';

/**
 * Answers that echo the request (a Heartbeat's `v1.Response{code, info, instance: <the request>}`)
 * are written as a pre-encoded code/info prefix followed by the request's bytes as received: no
 * re-encoding of the instance, one small allocation per answer. Decoders see the same message as
 * if it had been encoded from the decoded request (unknown fields included, as Go keeps them).
 */

/** The received bytes of a decoded request, kept on it under a symbol (never enumerated or encoded). */
const RAW = Symbol('raw request bytes');

type WithRaw = { [RAW]?: Buffer };

/** `service` with the named methods' decoders keeping the received bytes on the decoded request. */
export function keepingRawRequests(service: ServiceDefinition, methods: readonly string[]): ServiceDefinition {
  const out: Record<string, MethodDefinition<unknown, unknown>> = { ...(service as Record<string, MethodDefinition<unknown, unknown>>) };
  for (const name of methods) {
    const def = out[name];
    if (!def) throw new Error(`keepingRawRequests: no method ${name}`);
    const decode = def.requestDeserialize;
    out[name] = {
      ...def,
      requestDeserialize: (b: Buffer) => {
        const req = decode(b) as WithRaw;
        // Not enumerable: invisible to comparisons and copies of the request.
        if (req !== null && typeof req === 'object') Object.defineProperty(req, RAW, { value: b });
        return req;
      },
    };
  }
  return out as unknown as ServiceDefinition;
}

const RESPONSE = 'v1.Response';
const prefixes = new Map<string, Buffer>();
const PREFIXES_KEPT = 16;
let instanceTag: Buffer | undefined;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** The encoded `{code, info}`; kept for success answers (failure infos may name the instance). */
function prefixOf(code: number, info: string): Buffer {
  if (code !== Code.ExecuteSuccess) return encodeProto(RESPONSE, { code, info });
  let p = prefixes.get(info);
  if (!p) {
    p = encodeProto(RESPONSE, { code, info });
    if (prefixes.size >= PREFIXES_KEPT) prefixes.clear();
    prefixes.set(info, p);
  }
  return p;
}

/**
 * `resp` as bytes when it is exactly `{code, info, instance: req}` and the bytes of `req` were kept;
 * otherwise `resp` itself (encoded the usual way by the service's serializer).
 */
export function echoInstanceResponse(resp: WireResponse, req: object): WireResponse | Buffer {
  const raw = (req as WithRaw)[RAW];
  if (raw === undefined || resp.instance !== req || typeof resp.code !== 'number') return resp;
  for (const k in resp) if (k !== 'code' && k !== 'info' && k !== 'instance') return resp;
  if (!instanceTag) {
    const field = messageDesc(RESPONSE).fields.find((f) => f.name === 'instance');
    if (!field) return resp;
    instanceTag = Buffer.from(varint((field.number << 3) | 2));
  }
  const prefix = prefixOf(resp.code, resp.info ?? '');
  const len = varint(raw.length);
  const out = Buffer.allocUnsafe(prefix.length + instanceTag.length + len.length + raw.length);
  let p = prefix.copy(out, 0);
  p += instanceTag.copy(out, p);
  for (const b of len) out[p++] = b;
  raw.copy(out, p);
  return out;
}
