import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Code } from '../../src/common/errors/codes.js';
import type { Store } from '../../src/store/api.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeInstance, makeNamespace, makeService, settledWithin, uniq } from './conformance/fixtures.js';
import { describeStoreConformance, type StoreFactory } from './conformance/store-conformance.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE_MODULE = pathToFileURL(join(PROJECT_ROOT, 'src/store/sqlite/sqlite-store.ts')).href;

async function tempDb(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-sqlite-'));
  return { dir, path: join(dir, 'polaris.db') };
}

const factory: StoreFactory = {
  name: 'sqlite',
  async create() {
    const { dir, path } = await tempDb();
    const store = SqliteStore.open({ path });
    const peers: Store[] = [];
    return {
      store,
      async openPeer() {
        const peer = SqliteStore.open({ path });
        peers.push(peer);
        return peer;
      },
      async dispose() {
        for (const peer of peers) await peer.close();
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

describeStoreConformance(factory);

// ---- child processes ----

const CHILD_SOURCE = `
import { SqliteStore } from ${JSON.stringify(STORE_MODULE)};
const [path, mode, key, stale] = process.argv.slice(2);
const store = SqliteStore.open({ path });
const svc = { id: 'svc-kill', name: 'kill', namespace: 'default' };
const instance = (id) => ({
  id, serviceId: svc.id, service: svc.name, namespace: svc.namespace, vpcId: '', host: '10.1.1.1', port: 80,
  protocol: '', version: '', priority: 0, weight: 100, enableHealthCheck: false, healthCheck: null, healthy: true,
  isolate: false, logicSet: '', location: { region: '', zone: '', campus: '' }, metadata: { id },
  revision: 'r', ctime: 0, mtime: 0,
});
if (mode === 'write') {
  for (let i = 0; ; i++) {
    await store.transaction(async (tx) => {
      await tx.upsertInstances([instance('k-' + i + '-a')]);
      await tx.upsertInstances([instance('k-' + i + '-b')]);
    });
    process.stdout.write('ack ' + i + '\\n');
  }
} else if (mode === 'lock') {
  await store.acquireStartLock(key, 'child-' + process.pid, { timeoutMs: 10000, staleAfterMs: Number(stale) });
  process.stdout.write('locked\\n');
  setInterval(() => {}, 60000);
}
`;

async function spawnChild(dir: string, args: string[]): Promise<ChildProcessWithoutNullStreams> {
  const script = join(dir, 'child.mjs');
  await writeFile(script, CHILD_SOURCE);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => process.stderr.write(`[child] ${d}`));
  return child;
}

/** Calls `onLine` for every stdout line until it returns true; resolves when the child exited. */
function watchLines(child: ChildProcessWithoutNullStreams, onLine: (line: string) => void): Promise<void> {
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return new Promise((resolve) => child.on('exit', () => resolve()));
}

describe('sqlite store specifics', () => {
  it('refuses :memory:, which cannot be shared by its two connections', () => {
    assert.throws(() => SqliteStore.open({ path: ':memory:' }), { code: Code.StoreLayerException });
  });

  it('data and the sequence survive close and re-open', async () => {
    const { dir, path } = await tempDb();
    try {
      const first = SqliteStore.open({ path });
      const ns = makeNamespace({ metadata: { a: 'b' } });
      const svc = makeService(ns.name);
      const ins = makeInstance(svc);
      await first.transaction(async (tx) => {
        await tx.createNamespace(ns);
        await tx.createService(svc);
        await tx.upsertInstances([ins]);
      });
      await first.deleteInstances([ins.id]);
      const seq = await first.currentSeq();
      await first.close();

      const second = SqliteStore.open({ path });
      try {
        assert.equal(await second.currentSeq(), seq);
        assert.deepEqual((await second.getNamespace(ns.name))?.metadata, { a: 'b' });
        assert.equal((await second.getServiceById(svc.id))?.name, svc.name);
        assert.equal(await second.getInstance(ins.id), undefined);
        const inc = await second.readChanges(seq - 1);
        assert.ok(inc.instances.some((v) => v.value.id === ins.id && v.deleted));
        await second.createNamespace(makeNamespace());
        assert.equal(await second.currentSeq(), seq + 1);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies each migration once and records it', async () => {
    const { dir, path } = await tempDb();
    try {
      await SqliteStore.open({ path }).close();
      await SqliteStore.open({ path }).close();
      const db = new Database(path, { readonly: true });
      try {
        const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
        assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a closed store rejects further calls with a store error', async () => {
    const { dir, path } = await tempDb();
    try {
      const store = SqliteStore.open({ path });
      await store.close();
      await store.close();
      await assert.rejects(store.getNamespace('x'), { code: Code.StoreLayerException });
      await assert.rejects(store.createNamespace(makeNamespace()), { code: Code.StoreLayerException });
      await assert.rejects(store.readChanges(0), { code: Code.StoreLayerException });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loses nothing acknowledged when the writing process is killed with SIGKILL', async () => {
    const { dir, path } = await tempDb();
    try {
      const child = await spawnChild(dir, [path, 'write']);
      let lastAck = -1;
      const exited = watchLines(child, (line) => {
        const m = /^ack (\d+)$/.exec(line);
        if (!m) return;
        lastAck = Number(m[1]);
        if (lastAck >= 300 && child.exitCode === null) child.kill('SIGKILL');
      });
      await exited;
      assert.equal(child.signalCode, 'SIGKILL');
      assert.ok(lastAck >= 300, `last ack ${lastAck}`);

      const store = SqliteStore.open({ path });
      try {
        const ids = Array.from({ length: lastAck + 1 }, (_, i) => [`k-${i}-a`, `k-${i}-b`]).flat();
        const found = new Set((await store.getInstances(ids)).map((i) => i.id));
        const missing = ids.filter((id) => !found.has(id));
        assert.deepEqual(missing, [], 'every acknowledged write is on disk');
        const all = await store.listInstancesOfService('svc-kill');
        assert.equal(all.length % 2, 0, 'a transaction is all or nothing');
        assert.ok((await store.currentSeq()) >= lastAck + 1);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('another process takes over the start lock after its holder is killed', async () => {
    const { dir, path } = await tempDb();
    const key = uniq('boot');
    const staleAfterMs = 2_000;
    try {
      const child = await spawnChild(dir, [path, 'lock', key, String(staleAfterMs)]);
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const exited = watchLines(child, (line) => {
        if (line === 'locked') locked();
      });
      const store = SqliteStore.open({ path });
      try {
        await isLocked;
        const waiting = store.acquireStartLock(key, 'parent', { timeoutMs: 15_000, staleAfterMs });
        assert.equal(await settledWithin(waiting, 2_500), 'pending', 'the live holder keeps the lock');
        child.kill('SIGKILL');
        await exited;
        const killedAt = Date.now();
        const lock = await waiting;
        const after = Date.now() - killedAt;
        assert.ok(after >= 300 && after < staleAfterMs + 3_000, `taken over ${after} ms after the kill`);
        await lock.release();
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('bulk writes and a full load stay fast', async (t) => {
    // POLARIS_SQLITE_PERF_INSTANCES=100000 reproduces the figures quoted for the store.
    const total = Number(process.env.POLARIS_SQLITE_PERF_INSTANCES ?? 50_000);
    const { dir, path } = await tempDb();
    const store = SqliteStore.open({ path });
    try {
      const services = Array.from({ length: Math.ceil(total / 1000) }, () => makeService(uniq('ns')));
      const upsertMs: number[] = [];
      for (const [n, svc] of services.entries()) {
        const batch = Array.from({ length: 1000 }, (_, i) =>
          makeInstance(svc, { host: `10.${n % 250}.${i >> 8}.${i & 255}`, metadata: { idx: String(i), env: 'prod' } }),
        );
        const t0 = performance.now();
        await store.upsertInstances(batch);
        upsertMs.push(performance.now() - t0);
      }
      upsertMs.sort((a, b) => a - b);
      const cpu0 = process.cpuUsage();
      const t1 = performance.now();
      const full = await store.readChanges(0);
      const readMs = performance.now() - t1;
      const cpu = process.cpuUsage(cpu0);
      assert.equal(full.instances.length, services.length * 1000);
      const [db, wal] = await Promise.all(['', '-wal'].map((s) => stat(path + s).then((st) => st.size, () => 0)));
      t.diagnostic(
        `upsert 1k (median of ${upsertMs.length}): ${upsertMs[upsertMs.length >> 1].toFixed(1)} ms; ` +
          `readChanges(0) of ${full.instances.length}: ${readMs.toFixed(0)} ms wall, ` +
          `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu; db ${(db / 1e6).toFixed(1)} MB + wal ${(wal / 1e6).toFixed(1)} MB`,
      );
      // Loose bounds: a guard against pathological regressions on a loaded CI box, not a benchmark.
      assert.ok(upsertMs[upsertMs.length >> 1] < 1_000, 'upsert of 1,000 instances');
      assert.ok(readMs < 5_000, `readChanges(0) took ${readMs} ms`);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
