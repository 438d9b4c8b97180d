import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
const store = SqliteStore.open({ path: join(mkdtempSync(join(tmpdir(), 'sb-')), 'p.db') });
const now = Date.now();
await store.transaction(async (tx: any) => { await tx.createNamespace?.({ name: 'bench', comment: '', owner: '', token: '', serviceExportTo: [], metadata: {}, ctime: now, mtime: now }); });
const B = 32, N = 20000;
let seq = await store.currentSeq();
const inst = (i: number) => ({ id: 'x'.repeat(30) + String(i).padStart(10, '0'), serviceId: 'svc' + (i % 200), service: `core-${i % 200}`, namespace: 'bench', vpcId: '', host: `10.0.${i >> 8}.${i & 255}`, port: 8080, protocol: 'grpc', version: '1.0.0', priority: 0, weight: 100, enableHealthCheck: true, healthCheck: { type: 1, ttl: 60 }, healthy: true, isolate: false, logicSet: '', location: { region: '', zone: '', campus: '' }, metadata: { env: 'prod', zone: 'z1' }, revision: 'r'.repeat(32), ctime: now, mtime: now });
let tTx = 0, tRead = 0, tGet = 0;
const c0 = process.cpuUsage();
for (let i = 0; i < N; i += B) {
  const ids = Array.from({ length: B }, (_, k) => inst(i + k));
  let t = performance.now();
  await store.transaction(async (tx: any) => {
    const g = performance.now();
    await tx.getInstances(ids.map((x) => x.id));
    tGet += performance.now() - g;
    await tx.upsertInstances(ids);
  });
  tTx += performance.now() - t;
  t = performance.now();
  const cs = await store.readChanges(seq);
  seq = cs.seq;
  tRead += performance.now() - t;
}
const c = process.cpuUsage(c0);
console.log(`per instance: tx ${(tTx / N * 1000).toFixed(1)} µs (get ${(tGet / N * 1000).toFixed(1)}), readChanges ${(tRead / N * 1000).toFixed(1)} µs; cpu ${((c.user + c.system) / N).toFixed(1)} µs (sys ${(c.system / N).toFixed(1)})`);
