import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiDocRoutes } from '../../src/apiserver/httpserver/debug-routes.js';
import { alwaysMountedRoutes } from '../../src/apiserver/httpserver/ops-routes.js';
import { openApiDocument } from '../../src/apiserver/httpserver/openapi.js';
import { ROUTE_GROUPS } from '../../src/apiserver/httpserver/route-groups.js';
import { selectRoutes } from '../../src/apiserver/httpserver/route-table.js';

test('the OpenAPI document covers every route of every group, each with an answer schema', () => {
  // Every group on, every optional front door present: the largest route table the server mounts.
  const deps = { namespaces: {}, naming: {}, logger: {}, config: {}, rules: {}, auth: {}, maintain: {}, metrics: {}, health: {} } as never;
  const api = { admin: { enable: true, include: [] }, console: { enable: true, include: [] }, client: { enable: true, include: [] } };
  const selected = selectRoutes(ROUTE_GROUPS, api, deps).routes;
  const mounted = [...selected, ...alwaysMountedRoutes(deps)];
  const all = [...mounted, ...apiDocRoutes(mounted)];
  assert.ok(all.length > 100, `only ${all.length} routes`);
  const doc = openApiDocument(all, { version: 'test' }) as any;
  for (const r of all) {
    const op = doc.paths[r.url]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.url} is missing`);
    assert.ok(op.responses['200'].content, `${r.method} ${r.url} has no answer schema`);
  }
  const documented = Object.values(doc.paths).reduce((n: number, ops: any) => n + Object.keys(ops).length, 0);
  assert.equal(documented, all.length, 'nothing documented that is not mounted');
  // Every referenced schema is defined.
  const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[\w.]+/g) ?? [];
  for (const ref of refs) assert.ok(doc.components.schemas[ref.split('/').pop()!], ref);
});
