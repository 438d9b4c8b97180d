import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { call, startDaemon } from '../test/helpers/daemon.js';
import { polarisClient, stream, w } from './grpc-load.js';
const d = await startDaemon({ nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
const pid = d.proc.pid as number;
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 1e4; };
for (let n = 0; n < 20000; n += 500) {
  const items = [];
  for (let k = n; k < n + 500; k++) items.push({ service: `core-${k % 200}`, namespace: 'bench', host: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, port: 8080, protocol: 'grpc', version: '1.0.0', metadata: { env: 'prod', zone: `z${k % 3}` } });
  await call(d.http, 'POST', '/naming/v1/instances', items);
}
execFileSync('taskset', ['-a', '-cp', '1', String(pid)]); execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)]);
const cs = Array.from({ length: 4 }, () => polarisClient(d.ports.grpc, { ownConnection: true, rawDiscover: true }));
const ss = Array.from({ length: 16 }, (_, k) => stream(cs[k % 4]));
const full = (i: number) => ({ type: 'INSTANCE', service: { name: w(`core-${i % 200}`), namespace: w('bench') } });
for (let i = 0; i < 200; i++) await ss[0](full(i));
for (let round = 0; round < 2; round++) {
  let n = 0; let next = 0; const c0 = cpu(); const t0 = Date.now();
  await Promise.all(ss.map(async (s) => { while (Date.now() - t0 < 6000) { await s(full(next++)); n++; } }));
  console.log('discover full', ((cpu() - c0) / n).toFixed(1), 'µs CPU/answer', (n / 6).toFixed(0), '/s');
}
for (const c of cs) c.close(); await d.stop();
