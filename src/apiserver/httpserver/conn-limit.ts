import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConnLimitOptions } from './options.js';

const WARN_INTERVAL_MS = 5_000;

function ipOf(socket: Socket): string {
  const ip = socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

function whiteListOf(opts: ConnLimitOptions): Set<string> {
  const raw = opts.whiteList ?? [];
  const list = Array.isArray(raw) ? raw : raw.split(',');
  return new Set(list.map((s) => s.trim()).filter((s) => s !== ''));
}

/**
 * Upstream's connection-limit listener: with `openConnLimit`, connections beyond `maxConnLimit` in
 * total or `maxConnPerHost` from one IP are closed as soon as they are accepted. White-listed IPs
 * are never refused.
 */
export function applyConnLimit(server: Server, opts: ConnLimitOptions | undefined, log: Logger): void {
  if (!opts?.openConnLimit) return;
  const maxTotal = opts.maxConnLimit ?? 0;
  const maxPerHost = opts.maxConnPerHost ?? 0;
  const white = whiteListOf(opts);
  const perHost = new Map<string, number>();
  let total = 0;
  let lastWarn = 0;

  server.on('connection', (socket: Socket) => {
    const ip = ipOf(socket);
    const fromHost = perHost.get(ip) ?? 0;
    const refuse =
      !white.has(ip) && ((maxTotal > 0 && total >= maxTotal) || (maxPerHost > 0 && fromHost >= maxPerHost));
    if (refuse) {
      const now = Date.now();
      if (now - lastWarn >= WARN_INTERVAL_MS) {
        lastWarn = now;
        log.warn({ conn: { ip, fromHost, total } }, 'http connection refused by the connection limit');
      }
      socket.destroy();
      return;
    }
    total += 1;
    perHost.set(ip, fromHost + 1);
    socket.once('close', () => {
      total -= 1;
      const n = (perHost.get(ip) ?? 1) - 1;
      if (n <= 0) perHost.delete(ip);
      else perHost.set(ip, n);
    });
  });
}
