import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { Daemon } from '../helpers/daemon.js';
import { uniq } from '../helpers/rules.js';
import { adsClient, byName, decodeDiscoveryResponse, discoveryRequestFrame, node, T, type SotwResponse } from '../helpers/xds-client.js';
import { putInstances, startXdsDaemon } from '../helpers/xds-daemon.js';

// Uncompressed xDS streams are served straight from node's HTTP/2 stream (call.ts); grpc-js serves
// them with `streamFastPath: false`. A client must not be able to tell the two apart: the same
// headers, messages, trailers and error statuses, whatever way the request bytes are cut.

const ADS_SOTW_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

interface Served {
  d: Daemon;
  xdsPort: number;
}
let direct: Served;
let viaGrpcJs: Served;

before(async () => {
  direct = await startXdsDaemon();
  viaGrpcJs = await startXdsDaemon(undefined, ['streamFastPath: false']);
});
after(async () => {
  await direct?.d.stop();
  await viaGrpcJs?.d.stop();
});

/** How one raw ADS stream ended, as the client saw it. */
interface Ending {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  /** grpc-status and grpc-message, from the trailers or a trailers-only answer. */
  status: string | undefined;
  message: string | undefined;
  /** Every message received. */
  messages: SotwResponse[];
}

/** An ADS stream on a connection of its own, driven byte by byte. */
class RawStream {
  private readonly session: http2.ClientHttp2Session;
  private readonly req: http2.ClientHttp2Stream;
  private headers: http2.IncomingHttpHeaders = {};
  private trailers: http2.IncomingHttpHeaders | undefined;
  private readonly messages: SotwResponse[] = [];
  private read = 0;
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private readonly closed: Promise<unknown>;

  constructor(port: number, extraHeaders: http2.OutgoingHttpHeaders = {}) {
    this.session = http2.connect(`http://127.0.0.1:${port}`);
    this.session.on('error', () => undefined);
    this.req = this.session.request({ ':method': 'POST', ':path': ADS_SOTW_PATH, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
    this.req.on('error', () => undefined);
    this.req.on('response', (h) => (this.headers = h));
    this.req.on('trailers', (t) => (this.trailers = t));
    this.req.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5 && this.buf.length >= 5 + this.buf.readUInt32BE(1)) {
        const len = this.buf.readUInt32BE(1);
        this.messages.push(decodeDiscoveryResponse(this.buf.subarray(5, 5 + len)));
        this.buf = this.buf.subarray(5 + len);
      }
      this.waiting?.();
    });
    // The server's side ends with its status; the client's side may stay open (an answer before
    // the request was whole), so the end of what is read is the stream's end here.
    this.closed = new Promise<void>((resolve) => {
      this.req.on('end', resolve);
      this.req.on('close', resolve);
    }).then(() => this.waiting?.());
  }

  /** Writes `bytes` as one DATA write and waits until it left. */
  send(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => this.req.write(bytes, () => resolve()));
  }

  /** The next message not read yet. */
  async next(): Promise<SotwResponse> {
    const until = Date.now() + 5000;
    while (this.read >= this.messages.length) {
      if (this.req.closed || this.req.readableEnded) assert.fail(`stream closed before its answer (${String(this.trailers?.['grpc-status'] ?? this.headers['grpc-status'])})`);
      if (Date.now() > until) assert.fail('no answer within 5 s');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.messages[this.read++] as SotwResponse;
  }

  /** Half-closes when `halfClose`, then waits (5 s at most) for the server to end the stream. */
  async ending(halfClose: boolean): Promise<Ending> {
    if (halfClose) this.req.end();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ]);
    clearTimeout(timer);
    this.session.destroy();
    if (!ended) assert.fail('the server did not end the stream within 5 s');
    const last = this.trailers ?? this.headers;
    return {
      headers: this.headers,
      trailers: this.trailers,
      status: last['grpc-status'] as string | undefined,
      message: last['grpc-message'] as string | undefined,
      messages: this.messages,
    };
  }
}

/** Header fields a client may read (the date and the like differ per answer). */
function grpcHeaders(h: http2.IncomingHttpHeaders | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [':status', 'content-type', 'grpc-encoding', 'grpc-accept-encoding', 'grpc-status', 'grpc-message']) {
    if (h?.[k] !== undefined) out[k] = h[k];
  }
  return out;
}

async function service(): Promise<{ ns: string; cds: Buffer }> {
  const ns = uniq('xdsdirect');
  for (const s of [direct, viaGrpcJs]) await putInstances(s.d.http, ns, 'svc', [{ host: '10.9.0.1', port: 80 }]);
  return { ns, cds: discoveryRequestFrame({ node: node(`${ns}/direct~10.0.0.7`), type_url: T.CDS, resource_names: [] }) };
}

/** Sends `bytes` on a new stream of each daemon and returns both endings. */
async function bothEnd(bytes: () => Buffer[]): Promise<[Ending, Ending]> {
  const out: Ending[] = [];
  for (const s of [direct, viaGrpcJs]) {
    const raw = new RawStream(s.xdsPort);
    for (const b of bytes()) await raw.send(b);
    out.push(await raw.ending(false));
  }
  return out as [Ending, Ending];
}

describe('xDS streams served from the HTTP/2 stream, beside grpc-js serving them', () => {
  it('answers a request cut into one-byte writes and an ACK sent with the next request in one write; ends with OK trailers', async () => {
    const { ns, cds } = await service();
    const endings: Ending[] = [];
    for (const s of [direct, viaGrpcJs]) {
      const raw = new RawStream(s.xdsPort);
      for (const b of cds) await raw.send(Buffer.from([b]));
      const first = await raw.next();
      assert.equal(first.type_url, T.CDS);
      assert.ok(byName(first).has(`OUTBOUND|${ns}|svc`));
      const ack = discoveryRequestFrame({ type_url: T.CDS, version_info: first.version_info, response_nonce: first.nonce });
      const eds = discoveryRequestFrame({ type_url: T.EDS, resource_names: [`OUTBOUND|${ns}|svc`] });
      // The ACK, the EDS request and the first half of a third (LDS) request leave as one write.
      const lds = discoveryRequestFrame({ type_url: T.LDS, resource_names: [] });
      await raw.send(Buffer.concat([ack, eds, lds.subarray(0, 3)]));
      const second = await raw.next();
      assert.equal(second.type_url, T.EDS);
      await raw.send(lds.subarray(3));
      const third = await raw.next();
      assert.equal(third.type_url, T.LDS);
      endings.push(await raw.ending(true));
    }
    const [d, g] = endings as [Ending, Ending];
    assert.equal(d.messages.length, 3, 'the ACK got no answer');
    assert.equal(d.status, '0');
    assert.deepEqual(grpcHeaders(d.headers), grpcHeaders(g.headers));
    assert.deepEqual(grpcHeaders(d.trailers), grpcHeaders(g.trailers));
    assert.deepEqual(
      d.messages.map((m) => m.type_url),
      g.messages.map((m) => m.type_url),
    );
  });

  it('refuses an oversized request with RESOURCE_EXHAUSTED, announced by its prefix before the bytes arrive', async () => {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(5 * 1024 * 1024, 1);
    const [d, g] = await bothEnd(() => [prefix, Buffer.alloc(1024, 0x41)]);
    assert.equal(d.status, String(grpc.status.RESOURCE_EXHAUSTED));
    assert.deepEqual(grpcHeaders(d.headers), grpcHeaders(g.headers));
    assert.deepEqual(grpcHeaders(d.trailers), grpcHeaders(g.trailers));
    assert.match(decodeURIComponent(d.message ?? ''), /^Received message larger than max \(5242880 vs 4194304\)$/);
  });

  it('ends a stream whose message does not decode with INTERNAL, as grpc-js does', async () => {
    const garbage = Buffer.from([0, 0, 0, 0, 2, 0xff, 0xff]);
    const [d, g] = await bothEnd(() => [garbage]);
    assert.equal(d.status, String(grpc.status.INTERNAL));
    assert.deepEqual(grpcHeaders(d.headers), grpcHeaders(g.headers));
    assert.deepEqual(grpcHeaders(d.trailers), grpcHeaders(g.trailers));
  });

  it('ends a stream whose later message does not decode: INTERNAL in the trailers after the answers', async () => {
    const { cds } = await service();
    const endings: Ending[] = [];
    for (const s of [direct, viaGrpcJs]) {
      const raw = new RawStream(s.xdsPort);
      await raw.send(cds);
      await raw.next();
      await raw.send(Buffer.from([0, 0, 0, 0, 3, 0x0a, 0xff, 0xff]));
      endings.push(await raw.ending(false));
    }
    const [d, g] = endings as [Ending, Ending];
    assert.equal(d.status, String(grpc.status.INTERNAL));
    assert.deepEqual(grpcHeaders(d.headers), grpcHeaders(g.headers));
    assert.deepEqual(grpcHeaders(d.trailers), grpcHeaders(g.trailers));
  });

  it('ends a stream with a deadline (grpc-timeout) with DEADLINE_EXCEEDED when it is due', async () => {
    const { cds } = await service();
    const endings: Ending[] = [];
    for (const s of [direct, viaGrpcJs]) {
      const raw = new RawStream(s.xdsPort, { 'grpc-timeout': '300m' });
      await raw.send(cds);
      await raw.next();
      endings.push(await raw.ending(false));
    }
    const [d, g] = endings as [Ending, Ending];
    assert.equal(d.status, String(grpc.status.DEADLINE_EXCEEDED));
    assert.deepEqual(grpcHeaders(d.trailers), grpcHeaders(g.trailers));
  });

  it('serves a gzip-compressed stream (through grpc-js) and a stream on the daemon with streamFastPath off', async () => {
    const { ns } = await service();
    for (const [s, options] of [
      [direct, { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip, 'grpc.default_compression_level': 2 }],
      [viaGrpcJs, {}],
    ] as const) {
      const ads = adsClient(s.xdsPort, { channelOptions: options });
      try {
        const st = ads.sotw();
        st.request(T.CDS, [], { node: node(`${ns}/gz~10.0.0.8`) });
        assert.ok(byName(await st.next()).has(`OUTBOUND|${ns}|svc`));
        st.end();
      } finally {
        ads.close();
      }
    }
  });
});
