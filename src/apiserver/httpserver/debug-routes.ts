import type { FastifyReply } from 'fastify';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { MaintainError } from '../../maintain/api.js';
import { serverVersion } from '../../common/version.js';
import { admitted } from './admin.js';
import { openApiDocument } from './openapi.js';
import type { HttpServerDeps, HttpServerOptions } from './options.js';
import { firstValue, rawQuery } from './query.js';
import type { RouteDef } from './route-table.js';

/**
 * Debug extras of api-http: the OpenAPI document and its page (`enableSwagger`), and the
 * diagnostics that replace Go's pprof (`enablePprof` or `POST /maintain/v1/pprof/enable`; admin
 * only, like every maintain operation).
 */

const plain = (route: Omit<RouteDef, 'includes' | 'envelope'>): RouteDef => ({ includes: [], envelope: null, ...route });

function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.code(200).type('application/json').send(JSON.stringify(value));
}

export function diagnosticsRoutes(deps: HttpServerDeps, options: HttpServerOptions): RouteDef[] {
  const diag = deps.diagnostics;
  if (!diag) return [];
  const enabled = () => deps.maintain?.pprofEnabled() ?? options.enablePprof ?? false;
  const run = (take: (q: ReturnType<typeof rawQuery>) => Promise<string>): RouteDef['handler'] =>
    async (req, reply, ctx) => {
      if (!enabled()) return reply.code(404).type('text/plain; charset=utf-8').send('diagnostics are off (enablePprof)');
      if (!(await admitted(deps.maintainGuard, ctx, reply))) return reply;
      try {
        return sendJson(reply, { file: await take(rawQuery(req)) });
      } catch (err) {
        if (err instanceof MaintainError) return reply.code(err.status).type('text/plain; charset=utf-8').send(err.message);
        throw err;
      }
    };
  return [
    plain({ method: 'GET', url: '/debug/pprof/profile', handler: run((q) => diag.cpuProfile(Number(firstValue(q, 'seconds') ?? '30'))) }),
    plain({ method: 'GET', url: '/debug/pprof/heap', handler: run(() => diag.heapSnapshot()) }),
  ];
}

/**
 * `/debug/apiserver/xds/envoy_nodes?type=sidecar|gateway` and
 * `/debug/apiserver/xds/resources?type=cds|eds|rds|lds|vhds&nodeId=&namespace=&service=`
 * (polaris xdsserverv3 DebugHandlers), mounted when xds-v3 runs; admin only, like the maintain
 * operations. Answers `{code, info, data}`; an unknown resource type is a 400 with its code.
 */
export function xdsDebugRoutes(deps: HttpServerDeps): RouteDef[] {
  const xds = deps.xdsDebug;
  if (!xds) return [];
  const ok = (reply: FastifyReply, data: unknown) => sendJson(reply, { code: Code.ExecuteSuccess, info: 'execute success', data });
  return [
    plain({
      method: 'GET',
      url: '/debug/apiserver/xds/envoy_nodes',
      handler: async (req, reply, ctx) => {
        if (!(await admitted(deps.maintainGuard, ctx, reply))) return reply;
        return ok(reply, xds.envoyNodes(firstValue(rawQuery(req), 'type') ?? ''));
      },
    }),
    plain({
      method: 'GET',
      url: '/debug/apiserver/xds/resources',
      handler: async (req, reply, ctx) => {
        if (!(await admitted(deps.maintainGuard, ctx, reply))) return reply;
        const q = rawQuery(req);
        const type = firstValue(q, 'type') ?? '';
        const data = xds.resources({
          type,
          nodeId: firstValue(q, 'nodeId') ?? '',
          namespace: firstValue(q, 'namespace') || 'default',
          service: firstValue(q, 'service') ?? '',
        });
        if (data === undefined) {
          const err = new PolarisError(Code.InvalidParameter, `type must be one of ${xds.resourceTypes.join(', ')}, not '${type}'`);
          return reply.code(err.httpStatus).type('application/json').header('X-Polaris-Code', String(err.code)).send(JSON.stringify({ code: err.code, info: err.info }));
        }
        return ok(reply, data);
      },
    }),
  ];
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Polaris OpenAPI</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}h2{margin-top:1.5em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}code{font-size:13px}.m{font-weight:bold;width:5em}
details{margin:2px 0}pre{background:#f6f6f6;padding:8px;overflow:auto}</style></head><body>
<h1>Polaris OpenAPI</h1><p id="info"></p><div id="api"></div><script>
fetch('apidocs.json').then(r=>r.json()).then(doc=>{
  document.getElementById('info').textContent=doc.info.title+' '+doc.info.version+' — '+Object.keys(doc.paths).length+' paths; token header X-Polaris-Token';
  const tags={};
  for(const [p,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))(tags[op.tags[0]]??=[]).push([m,p,op]);
  const name=s=>s&&s.$ref?s.$ref.split('/').pop():s&&s.type==='array'&&s.items.$ref?'['+s.items.$ref.split('/').pop()+']':'';
  const root=document.getElementById('api');
  for(const [t,list] of Object.entries(tags)){
    const h=document.createElement('h2');h.textContent=t;root.append(h);
    const tb=document.createElement('table');root.append(tb);
    for(const [m,p,op] of list){
      const req=op.requestBody?name(op.requestBody.content['application/json'].schema):'';
      const res=Object.values(op.responses['200'].content)[0].schema;
      const tr=tb.insertRow();tr.insertCell().textContent=m.toUpperCase();tr.cells[0].className='m';
      tr.insertCell().innerHTML='<code></code>';tr.cells[1].firstChild.textContent=p;
      tr.insertCell().textContent=req?'body: '+req:'';tr.insertCell().textContent='answer: '+(name(res)||res.type);
    }
  }
  const d=document.createElement('details');d.innerHTML='<summary>schemas</summary><pre></pre>';
  d.querySelector('pre').textContent=JSON.stringify(doc.components.schemas,null,1);root.append(d);
});
</script></body></html>`;

/** `/apidocs.json` over every mounted route (these two included) and the page rendering it. */
export function apiDocRoutes(mounted: readonly RouteDef[]): RouteDef[] {
  let doc: string | undefined;
  const own: RouteDef[] = [
    plain({
      method: 'GET',
      url: '/apidocs.json',
      handler: async (_req, reply) => {
        doc ??= JSON.stringify(openApiDocument([...mounted, ...own], { version: serverVersion() }));
        return reply.code(200).type('application/json').send(doc);
      },
    }),
    plain({ method: 'GET', url: '/apidocs', json: false, handler: async (_req, reply) => reply.code(200).type('text/html; charset=utf-8').send(PAGE) }),
  ];
  return own;
}
