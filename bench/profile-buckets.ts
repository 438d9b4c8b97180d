/** One frame of a V8 profile (.cpuprofile node, or .heapprofile node with its children inline). */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: unknown[];
}

/**
 * The bucket of one stack (root first): garbage collection, our xDS code (by file and function),
 * other code of ours (by directory), or the package doing the work (grpc-js, protobufjs, …).
 */
export function bucket(stack: ProfileNode[]): string {
  const leaf = stack[stack.length - 1];
  const name = leaf.callFrame.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return '(program: native, outside JS)';
  // The innermost frame of our own code says which of our steps is running.
  let ours: string | undefined;
  for (let i = stack.length - 1; i >= 0; i--) {
    const url = stack[i].callFrame.url;
    const m = /\/src\/(.*)\.ts$/.exec(url);
    if (m && !url.includes('node_modules')) {
      ours = m[1].startsWith('apiserver/xdsserverv3/') ? `xds:${m[1].slice('apiserver/xdsserverv3/'.length)}.${stack[i].callFrame.functionName || '(anon)'}` : `src:${m[1].split('/').slice(0, 2).join('/')}`;
      break;
    }
  }
  const url = leaf.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith('node:') ? url : url === '' ? `(native ${name || 'anon'})` : 'other');
  return ours ? `${ours} > ${pkg}` : pkg;
}


/**
 * The step of an xDS push a bucket belongs to (coarse, for a table): the write that makes the
 * change, the rebuild, the fan-out, reading the ACKs, GC, or gRPC/HTTP/2 machinery reached from none
 * of our frames (mostly socket reads: the ACK frames).
 */
export function step(bucketName: string): string {
  const b = bucketName;
  if (b === 'GC') return 'GC';
  if (b.startsWith('(program')) return 'native, outside JS';
  if (/^xds:(protos\.encodeMessage|protos\.packAny|resource\.makeResource|service-build|snapshot|convert|eds|rds|cds|lds|mtls)/.test(b)) return 'rebuild (Discover, build, encode)';
  if (/^src:(service|cache)/.test(b)) return 'rebuild (Discover, build, encode)';
  if (/^src:(store|apiserver\/httpserver|common|plugin|bootstrap)/.test(b) || /^(fastify|find-my-way|node:_http|avvio|light-my-request|pino)/.test(b)) return 'the write (HTTP PUT, store, cache feed, metrics)';
  if (/^xds:(stream\.write|stream\.push|sotw\.onChanges|sotw\.respond|delta\.onChanges|delta\.respond|subscriptions\.(answer|refresh|touches|version|resources)|response-cache|view|resource|slicer|server)/.test(b)) return 'fan-out (answers and writes)';
  if (/^xds:/.test(b)) return 'ACK reading (ours: decode, check)';
  if (b === 'prom-client') return 'the write (HTTP PUT, store, cache feed, metrics)';
  return 'gRPC / HTTP/2 / streams (reads, ACK frames)';
}
