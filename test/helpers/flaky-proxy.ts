import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of the server, to simulate outages: refuse, or swallow every byte. */
export class FlakyProxy {
  private mode: 'forward' | 'blackhole' = 'forward';
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.mode === 'blackhole') {
        client.on('data', () => undefined);
        return;
      }
      const upstream = tcpConnect(this.targetPort, this.targetHost);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (d) => {
        if (this.mode === 'forward') upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (this.mode === 'forward') client.write(d);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Drops every connection and stops listening: new connections are refused. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps connections open but never answers (a partitioned network). */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  async up(): Promise<void> {
    this.mode = 'forward';
    if (!this.server) await this.start();
  }
}

