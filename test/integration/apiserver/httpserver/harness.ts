import { Writable } from 'node:stream';
import pino from 'pino';
import { createHttpServer, type HttpServer } from '../../../../src/apiserver/httpserver/server.js';
import type { ApiGroupConfig, HttpServerDeps, HttpServerOptions } from '../../../../src/apiserver/httpserver/options.js';
import { FakeNamespaces, FakeNaming } from '../../../helpers/fake-naming.js';

/** Every group on, default include lists. */
export const ALL_APIS: Record<string, ApiGroupConfig> = {
  admin: { enable: true, include: [] },
  console: { enable: true, include: [] },
  client: { enable: true, include: [] },
};

export interface Harness {
  base: string;
  server: HttpServer;
  namespaces: FakeNamespaces;
  naming: FakeNaming;
  /** Parsed log records (level >= the harness level). */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  api?: Record<string, ApiGroupConfig>;
  options?: Partial<HttpServerOptions>;
  deps?: Partial<Omit<HttpServerDeps, 'namespaces' | 'naming' | 'logger'>>;
  logLevel?: pino.Level;
}

/** A real server on 127.0.0.1, an OS-chosen port, over the in-memory fakes. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: opts.logLevel ?? 'warn' }, sink);
  const namespaces = new FakeNamespaces();
  const naming = new FakeNaming();
  const server = createHttpServer(
    { namespaces, naming, logger, ...opts.deps },
    { listenIP: '127.0.0.1', listenPort: 0, api: opts.api ?? ALL_APIS, ...opts.options },
  );
  await server.start();
  return {
    base: `http://127.0.0.1:${server.listenPort}`,
    server,
    namespaces,
    naming,
    logs,
    close: () => server.stop(),
  };
}

/** POST/PUT a JSON text with the right content type. */
export function sendJson(base: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(base + path, { method, body: text, headers: { 'content-type': 'application/json', ...headers } });
}
