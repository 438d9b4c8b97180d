import { createServer } from 'node:net';

// Ports handed out by listen(0) come from the kernel's ephemeral range (32768-60999 on Linux), the
// same range every outgoing connection takes its source port from. Between freePort() closing its
// probe and the daemon binding, a client socket of another test (to MariaDB, Redis, another daemon)
// could take the port, and the daemon then dies with EADDRINUSE. Picking below that range leaves
// only the two concurrent test processes to collide, which a random start and a retry make rare.
const LOW = 20_000;
const HIGH = 32_000;
let next = LOW + Math.floor(Math.random() * (HIGH - LOW));

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port below the ephemeral range that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = next;
    next = next + 1 + Math.floor(Math.random() * 50);
    if (next >= HIGH) next = LOW + (next % 50);
    if (await tryListen(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

/** Whether a start-up failed only because a port it was given was taken in the meantime. */
export function isPortClash(err: unknown): boolean {
  return /EADDRINUSE/.test(String((err as Error)?.message ?? err));
}

/** Runs `start` again (it picks new ports itself) when it failed on a port taken meanwhile. */
export async function retryPortClash<T>(start: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !isPortClash(err)) throw err;
    }
  }
}
