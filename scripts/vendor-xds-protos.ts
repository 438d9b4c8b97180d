/**
 * Copies the Envoy xDS protos the xds-v3 server loads (src/apiserver/xdsserverv3/protos.ts
 * XDS_PROTO_FILES), with every file they import, from @grpc/grpc-js-xds's deps/ (a dev
 * dependency) into vendor/xds-protos/, so a production install (npm prune --omit=dev) still has
 * them. Run after upgrading @grpc/grpc-js-xds: node --import tsx scripts/vendor-xds-protos.ts
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { XDS_PROTO_FILES } from '../src/apiserver/xdsserverv3/protos.js';

const require = createRequire(import.meta.url);
const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const ROOTS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'];
const out = resolve(import.meta.dirname, '..', 'vendor', 'xds-protos');

function locate(file: string): string | undefined {
  for (const r of ROOTS) if (existsSync(join(deps, r, file))) return r;
  return undefined;
}

for (const r of ROOTS) rmSync(join(out, r), { recursive: true, force: true });
const seen = new Set<string>();
const queue = [...XDS_PROTO_FILES];
let copied = 0;
while (queue.length > 0) {
  const file = queue.shift() as string;
  if (seen.has(file)) continue;
  seen.add(file);
  const root = locate(file);
  if (!root) {
    // google/protobuf/*.proto: bundled with protobufjs (a runtime dependency).
    if (!file.startsWith('google/protobuf/')) throw new Error(`${file} not found under ${deps}`);
    continue;
  }
  const src = join(deps, root, file);
  mkdirSync(dirname(join(out, root, file)), { recursive: true });
  copyFileSync(src, join(out, root, file));
  copied++;
  for (const m of readFileSync(src, 'utf8').matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)) queue.push(m[1]);
}
console.log(`${copied} proto files copied to ${out}`);
