/**
 * THE wire codec of the project.
 *
 * Convention ("wire objects"): a message is a plain JS object keyed by the proto field name
 * (snake_case as written in the .proto). google.protobuf wrapper fields are unwrapped to the bare
 * value (absent / undefined / null = wrapper not set); 64-bit integers (int64, uint64, Int64Value,
 * UInt64Value, …) are decimal strings; enums are their value names; maps are plain objects;
 * repeated fields are arrays; nested messages are nested wire objects; bytes are base64 strings
 * (encoders also take a Uint8Array);
 * google.protobuf.Any is `{ '@type': 'type.googleapis.com/v1.X', ...wire object of X }`;
 * google.protobuf.Duration is a string such as "1.500s" (Go jsonpb text; any Go duration text is
 * accepted on input).
 *
 * Decoders only set the fields present in the input (proto3 scalars at their default are absent
 * in binary input); encoders treat absent as default.
 *
 * JSON follows golang jsonpb v1.5.4 as polaris-server uses it: EmitDefaults output, both field
 * spellings on input, unknown fields rejected (v1.18.1 behaviour). JSON encoders take a field set
 * (field-sets.ts): every v1.5 field by default, or v1.4.2's as polaris-server 1.18.1 answers. Every failure is a CodecError;
 * callers answer 400001 ParseException ("request decode failed: " + message).
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { CodecError } from './codec-error.js';
import { decodeJson, decodeJsonArray } from './json-decode.js';
import { encodeJson, encodeJsonArray, encodeJsonBuffer } from './json-encode.js';
import { ALL_FIELDS, JSON_FIELD_SET_NAMES, POLARIS_1_18_FIELDS, jsonFieldSet, type JsonFieldSet, type JsonFieldSetName } from './field-sets.js';
import { decodeProto } from './proto-decode.js';
import { encodeProto } from './proto-encode.js';
import { protoRoot } from './protos.js';
import { messageDesc } from './schema.js';

export { ALL_FIELDS, JSON_FIELD_SET_NAMES, POLARIS_1_18_FIELDS, jsonFieldSet, type JsonFieldSet, type JsonFieldSetName };
export { CodecError, decodeJson, decodeJsonArray, decodeProto, encodeJson, encodeJsonArray, encodeJsonBuffer, encodeProto };

/** A wire object of any message type. */
export type WireObject = Record<string, unknown>;

/**
 * Parses JSON text and decodes it as `typeName`. JSON syntax errors and empty input are
 * CodecErrors too (golang reports an empty body as "EOF").
 */
export function parseJson<T extends object = WireObject>(typeName: string, text: string): T {
  return decodeJson<T>(typeName, parseJsonText(text));
}

/** Parses JSON text holding an array of `typeName` messages. */
export function parseJsonArray<T extends object = WireObject>(typeName: string, text: string): T[] {
  return decodeJsonArray<T>(typeName, parseJsonText(text));
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new CodecError('EOF');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

const strip = (n: string): string => (n.startsWith('.') ? n.slice(1) : n);

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

const serviceCache = new Map<string, ServiceDefinition>();

/**
 * A @grpc/grpc-js ServiceDefinition (e.g. for 'v1.PolarisGRPC') whose (de)serializers are
 * encodeProto/decodeProto on wire objects. Methods are keyed by their proto name (e.g.
 * 'RegisterInstance', with originalName 'registerInstance'). Serializers pass a Buffer through
 * unchanged, so callers may send pre-encoded messages.
 */
export function grpcService(serviceFullName: string): ServiceDefinition {
  const name = strip(serviceFullName);
  const cached = serviceCache.get(name);
  if (cached) return cached;
  let svc;
  try {
    svc = protoRoot().lookupService(name);
  } catch {
    throw new Error(`unknown gRPC service ${name}`);
  }
  const def: Record<string, unknown> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = strip(m.resolvedRequestType!.fullName);
    const res = strip(m.resolvedResponseType!.fullName);
    messageDesc(req);
    messageDesc(res);
    def[m.name] = {
      path: `/${name}/${m.name}`,
      requestStream: Boolean(m.requestStream),
      responseStream: Boolean(m.responseStream),
      requestSerialize: (v: object): Buffer => (Buffer.isBuffer(v) ? v : encodeProto(req, v)),
      requestDeserialize: (b: Buffer): object => decodeProto(req, b),
      responseSerialize: (v: object): Buffer => (Buffer.isBuffer(v) ? v : encodeProto(res, v)),
      responseDeserialize: (b: Buffer): object => decodeProto(res, b),
      originalName: lowerFirst(m.name),
    };
  }
  const out = def as unknown as ServiceDefinition;
  serviceCache.set(name, out);
  return out;
}
