/**
 * JSON field sets: which fields of each message a JSON answer carries.
 *
 * The codec's schema is specification v1.5 (proto/). polaris-server 1.18.1 is built on v1.4.2 and
 * its answers carry only that version's fields; strict decoders (Go jsonpb / protojson, polaris'
 * own integration suite) reject anything else. The `v1.4.2` set leaves out, per message, the fields
 * v1.4.2 lacks (gen/fields-v1.4.2.ts, from the contract's json-fields-1.18.1.md), wherever the
 * message appears (nested, in lists, maps and Any). The `v1.5` set is every field.
 *
 * A set is applied when a message type's JSON writer is compiled (once per type and set), so it
 * costs nothing per answer. Decoding always accepts every v1.5 field.
 */
import { ABSENT_IN_V1_4_2 } from './gen/fields-v1.4.2.js';

export type JsonFieldSetName = 'v1.4.2' | 'v1.5';
export const JSON_FIELD_SET_NAMES: readonly JsonFieldSetName[] = ['v1.4.2', 'v1.5'];

export interface JsonFieldSet {
  readonly name: JsonFieldSetName;
  /** message full name → proto names of the fields its JSON leaves out */
  readonly omit: ReadonlyMap<string, ReadonlySet<string>>;
}

function fieldSet(name: JsonFieldSetName, absent: Readonly<Record<string, readonly string[]>>): JsonFieldSet {
  return Object.freeze({ name, omit: new Map(Object.entries(absent).map(([m, fs]) => [m, new Set(fs)])) });
}

/** Every field of the v1.5 schema. */
export const ALL_FIELDS: JsonFieldSet = fieldSet('v1.5', {});

/** The fields of specification v1.4.2, as polaris-server 1.18.1 answers. */
export const POLARIS_1_18_FIELDS: JsonFieldSet = fieldSet('v1.4.2', ABSENT_IN_V1_4_2);

export function jsonFieldSet(name: JsonFieldSetName): JsonFieldSet {
  return name === 'v1.5' ? ALL_FIELDS : POLARIS_1_18_FIELDS;
}
