import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ConfigStore } from '../../src/store/config-api.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeConfigStoreConformance, type ConfigStoreFactory } from './conformance/config-store.suite.js';

async function tempDb(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-sqlite-config-'));
  return { dir, path: join(dir, 'polaris.db') };
}

const factory: ConfigStoreFactory = {
  name: 'sqlite',
  async create() {
    const { dir, path } = await tempDb();
    const naming = SqliteStore.open({ path });
    const peers: SqliteStore[] = [];
    return {
      config: naming.config(),
      naming,
      async openPeer(): Promise<ConfigStore> {
        const peer = SqliteStore.open({ path });
        peers.push(peer);
        return peer.config();
      },
      async dispose() {
        for (const p of peers) await p.close();
        await naming.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

describeConfigStoreConformance(factory);

describe('sqlite config schema', () => {
  it('is migration version 2 and is applied once', async () => {
    const { dir, path } = await tempDb();
    try {
      (await SqliteStore.open({ path }).close());
      (await SqliteStore.open({ path }).close());
      const db = new Database(path, { readonly: true });
      const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
        (r) => r.version,
      );
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'config_%'").all() as {
        name: string;
      }[]).map((r) => r.name);
      db.close();
      assert.ok(versions.includes(2));
      for (const t of ['config_group', 'config_file', 'config_release', 'config_release_version', 'config_release_history', 'config_template']) {
        assert.ok(tables.includes(t), `table ${t}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
