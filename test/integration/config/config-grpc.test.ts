import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createConfigGrpcServer, type ConfigGrpcApiServer } from '../../../src/apiserver/configgrpc/index.js';
import { configClient, unary } from '../../helpers/config-daemon.js';
import { ctxOf, openHarness, silent, type Harness } from './harness.js';

const w = (value: unknown) => ({ value });

function discover(client: any, reqs: unknown[]): Promise<any[]> {
  return new Promise((res, rej) => {
    const out: any[] = [];
    const stream = client.Discover();
    stream.on('data', (d: unknown) => {
      out.push(d);
      if (out.length === reqs.length) stream.end();
    });
    stream.on('end', () => res(out));
    stream.on('error', rej);
    for (const r of reqs) stream.write(r);
  });
}

describe('config-grpc server', () => {
  let h: Harness;
  let server: ConfigGrpcApiServer;
  let client: any;
  before(async () => {
    h = await openHarness();
    server = createConfigGrpcServer({ config: h.center, logger: silent }, { listenIP: '127.0.0.1', listenPort: 0, api: { client: { enable: true, include: [] } } });
    await server.start();
    client = configClient(server.listenPort);
    await h.center.createFile(ctxOf(), { namespace: 'ns', group: 'g', name: 'f.txt', content: 'x' });
    await h.center.publish(ctxOf(), { namespace: 'ns', group: 'g', file_name: 'f.txt' });
  });
  after(async () => {
    client?.close();
    await server?.stop();
    await h?.close();
  });

  it('answers every Discover request of a stream in order, unknown types with 400004, and keeps the stream open', async () => {
    const out = await discover(client, [
      { type: 'CONFIG_FILE', config_file: { namespace: w('ns'), group: w('g'), file_name: w('f.txt') } },
      { type: 'UNKNOWN' },
      { type: 'CONFIG_FILE', config_file: { namespace: w('ns'), group: w('g'), file_name: w('f.txt') }, revision: '1' },
      { type: 'CONFIG_FILE_GROUPS', config_file: {} },
      { type: 'CONFIG_FILE', config_file: { namespace: w('ns'), group: w('g'), file_name: w('missing') } },
    ]);
    assert.deepEqual(
      out.map((r) => [r.code, r.type]),
      [
        [200000, 'CONFIG_FILE'],
        [400004, undefined],
        [200001, 'CONFIG_FILE'],
        [400000, 'CONFIG_FILE_GROUPS'],
        [400202, 'CONFIG_FILE'],
      ],
    );
  });

  it('a cancelled watch call releases its watcher; a gRPC deadline shortens the hold', async () => {
    const req = { watch_files: [{ namespace: w('ns'), group: w('g'), file_name: w('f.txt'), version: w('1') }] };
    const call = client.WatchConfigFiles(req, () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.center.watches.size(), 1);
    call.cancel();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.center.watches.size(), 0);

    const t0 = Date.now();
    const resp = await new Promise<any>((res, rej) =>
      client.WatchConfigFiles(req, { deadline: Date.now() + 700 }, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))),
    );
    assert.equal(resp.code.value, 200001);
    assert.ok(Date.now() - t0 < 700);
  });

  it('is UNIMPLEMENTED when api.client is off', async () => {
    const off = createConfigGrpcServer({ config: h.center, logger: silent }, { listenIP: '127.0.0.1', listenPort: 0, api: {} });
    await off.start();
    const c = configClient(off.listenPort);
    try {
      await assert.rejects(unary(c, 'GetConfigFile', {}), (err: grpc.ServiceError) => err.code === grpc.status.UNIMPLEMENTED);
    } finally {
      c.close();
      await off.stop();
    }
  });
});
