import { networkInterfaces } from 'node:os';
import { Socket } from 'node:net';

/**
 * The address this server registers itself under, chosen as polaris-server does:
 * self_address, then the first IPv4 of network_inter, then the local end of a TCP connection to
 * probe_address, then 127.0.0.1.
 */
export async function resolveLocalHost(opts: {
  selfAddress?: string;
  networkInter?: string;
  probeAddress?: string;
}): Promise<string> {
  if (opts.selfAddress) return opts.selfAddress;
  if (opts.networkInter) {
    const addrs = networkInterfaces()[opts.networkInter] ?? [];
    const v4 = addrs.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  if (opts.probeAddress) {
    const probed = await probe(opts.probeAddress).catch(() => undefined);
    if (probed) return probed;
  }
  return '127.0.0.1';
}

function probe(target: string): Promise<string> {
  const idx = target.lastIndexOf(':');
  const host = idx > 0 ? target.slice(0, idx) : target;
  const port = idx > 0 ? Number(target.slice(idx + 1)) : 80;
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.setTimeout(2000);
    s.once('connect', () => {
      const addr = s.localAddress ?? '';
      s.destroy();
      resolve(addr.replace(/^::ffff:/, ''));
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('probe timed out'));
    });
    s.once('error', reject);
    s.connect(port, host);
  });
}
