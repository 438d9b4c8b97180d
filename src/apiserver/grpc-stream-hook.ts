import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

/** What an HTTP/2 server emits for each new stream (node's `'stream'` event). */
export type StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

/**
 * Puts a listener of ours in front of the `'stream'` listener grpc-js keeps on each HTTP/2 server
 * of `server` (the servers behind its connection injectors). `wrap` gets grpc-js' own listener
 * and returns the one to install; calling the given listener (with the HTTP/2 server as `this`,
 * as node does) hands a stream to grpc-js as if nothing stood in between.
 *
 * Those HTTP/2 servers are grpc-js internal state (1.14: `Server.http2Servers`, one `'stream'`
 * listener each). Returns how many servers got the wrapper under `tag` this time (a server is
 * wrapped once per tag), or undefined when the internals are not as expected — the caller then
 * leaves grpc-js alone.
 */
export function hookGrpcStreams(server: Server, tag: symbol, wrap: (grpcJs: StreamListener, h2: Http2Server) => StreamListener): number | undefined {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return undefined;
  let hooked = 0;
  for (const h2 of servers.keys() as IterableIterator<Http2Server & Record<symbol, true>>) {
    if (h2[tag]) continue;
    const inner = h2.listeners('stream');
    if (inner.length !== 1) continue;
    const grpcJs = inner[0] as StreamListener;
    h2.removeListener('stream', grpcJs);
    h2.on('stream', wrap(grpcJs, h2));
    h2[tag] = true;
    hooked++;
  }
  return hooked;
}
