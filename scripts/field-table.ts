/**
 * The shape of the contract's field table (test/fixtures/api-fields.json) and its loader, shared by
 * the generators (gen-protos, gen-wire-types, gen-codes) and the test that checks proto/ against it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FieldRow {
  name: string;
  number: number;
  label: 'optional' | 'repeated' | 'map';
  type: string;
  resolved_type: string;
  kind: 'scalar' | 'message' | 'enum' | 'map';
  json_name: string;
  json_name_explicit: boolean;
  oneof: string | null;
  deprecated: boolean;
  proto3_optional?: boolean;
  map_key_type?: string;
  map_value_type?: string;
  map_value_kind?: string;
}

export interface MessageRow {
  full_name: string;
  name: string;
  package: string;
  file: string;
  parent: string | null;
  fields: FieldRow[];
  oneofs: (string | { name: string })[];
  reserved_numbers: [number, number][];
  reserved_names: string[];
  nested_messages: string[];
  nested_enums: string[];
}

export interface EnumRow {
  full_name: string;
  name: string;
  package: string;
  file: string;
  parent: string | null;
  values: { name: string; number: number }[];
  reserved_numbers: [number, number][];
  reserved_names: string[];
  allow_alias: boolean;
}

export interface RpcRow {
  name: string;
  request_type: string;
  response_type: string;
  client_streaming: boolean;
  server_streaming: boolean;
  grpc_path: string;
}

export interface ServiceRow {
  full_name: string;
  name: string;
  package: string;
  file: string;
  rpcs: RpcRow[];
}

export interface FileRow {
  path: string;
  syntax: string;
  package: string;
  imports: string[];
  options: Record<string, string | boolean>;
}

export interface FieldTable {
  source: { repo: string; rev: string; commit: string };
  counts: { files: number; messages: number; enums: number; services: number; rpcs: number; google_types: number };
  files: FileRow[];
  messages: MessageRow[];
  enums: EnumRow[];
  services: ServiceRow[];
  google_types: MessageRow[];
}

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIELD_TABLE_PATH = join(REPO_ROOT, 'test/fixtures/api-fields.json');

export function loadFieldTable(): FieldTable {
  return JSON.parse(readFileSync(FIELD_TABLE_PATH, 'utf8')) as FieldTable;
}
