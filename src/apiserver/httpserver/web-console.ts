import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';

/**
 * The web console: static assets built by `npm run build` (scripts/build-console.ts) into
 * dist/console, served under a configurable path. The console is a client of the OpenAPI only;
 * nothing here touches a module. The build leaves .br/.gz copies next to each file, sent as they
 * are; @fastify/compress covers anything else. Both are scoped to these routes, so the OpenAPI's
 * own answers stay exactly as they were.
 */

export interface WebConsoleOptions {
  enable: boolean;
  /** URL path without a trailing slash, e.g. `/console`. */
  path: string;
  /** Directory of the built assets; default `<package root>/dist/console`. */
  assetsDir?: string;
}

/** Content-hashed file names (`app-3F2K7Q1A.js`, or its .br/.gz copy) never change: cached for a year. */
const HASHED = /-[A-Z0-9]{8}\.(js|css|svg|woff2)(\.br|\.gz)?$/;
const TEXT = 'text/plain; charset=utf-8';

/** The package root: the nearest ancestor with a package.json (works from src/ and dist/src/). */
function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

export function defaultAssetsDir(): string {
  return join(packageRoot(import.meta.dirname), 'dist', 'console');
}

const SECURITY_HEADERS: Record<string, string> = {
  // Everything comes from this server: no CDN, no inline script.
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Registers the console routes on `app` (an encapsulated plugin); a no-op when disabled. */
export function mountWebConsole(app: FastifyInstance, options: WebConsoleOptions | undefined, log: Logger): void {
  if (!options?.enable) return;
  const prefix = options.path;
  const root = resolve(options.assetsDir ?? defaultAssetsDir());
  if (!existsSync(join(root, 'index.html'))) {
    log.warn({ assets: root }, 'web console assets are not built (run `npm run build`); the console answers 503');
    const notBuilt = async (_req: unknown, reply: FastifyReply) =>
      reply.code(503).type(TEXT).send('The web console is not built: run `npm run build` and restart.\n');
    app.get(prefix, notBuilt);
    app.get(`${prefix}/*`, notBuilt);
    return;
  }
  app.register(async (scope) => {
    await scope.register(compress, { threshold: 1024, encodings: ['br', 'gzip'] });
    scope.addHook('onSend', async (_req, reply, payload) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
      return payload;
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: `${prefix}/`,
      // The router ignores trailing slashes, so the bare path is answered below, not by the plugin.
      index: false,
      redirect: false,
      wildcard: true,
      preCompressed: true,
      cacheControl: false,
      setHeaders(res, filePath) {
        res.setHeader('Cache-Control', HASHED.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // `/console` and `/console/` both match here; the page's asset URLs are relative, so the bare
    // path is redirected to the one with the slash.
    scope.route({
      method: ['GET', 'HEAD'],
      url: prefix,
      handler: async (req, reply) => {
        const path = req.url.split('?')[0];
        if (!path.endsWith('/')) return reply.redirect(`${prefix}/`, 301);
        return reply.sendFile('index.html');
      },
    });
  });
  log.info({ path: `${prefix}/` }, 'web console served');
}
