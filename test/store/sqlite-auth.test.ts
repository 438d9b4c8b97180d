import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeAuthStoreConformance, makeUser, type AuthStoreFactory } from './conformance/auth-store.suite.js';

async function tempDb(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-auth-'));
  return { dir, path: join(dir, 'polaris.db') };
}

const factory: AuthStoreFactory = {
  name: 'sqlite',
  async create() {
    const { dir, path } = await tempDb();
    const naming = SqliteStore.open({ path });
    return {
      auth: naming.auth(),
      naming,
      async dispose() {
        await naming.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

describeAuthStoreConformance(factory);

describe('sqlite auth store specifics', () => {
  it('users survive close and re-open; the schema records migration 4', async () => {
    const { dir, path } = await tempDb();
    try {
      const first = SqliteStore.open({ path });
      const u = makeUser();
      await first.auth().createUser(u);
      await first.close();
      const db = new Database(path, { readonly: true });
      try {
        const row = db.prepare('SELECT name FROM schema_migrations WHERE version = 4').get() as { name: string } | undefined;
        assert.ok(row?.name.startsWith('auth'));
      } finally {
        db.close();
      }
      const second = SqliteStore.open({ path });
      try {
        assert.deepEqual(await second.auth().getUser(u.id), u);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('auth writes wait for a naming transaction in progress (one writer)', async () => {
    const { dir, path } = await tempDb();
    const store = SqliteStore.open({ path });
    try {
      const order: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const naming = store.transaction(async () => {
        order.push('naming start');
        await gate;
        order.push('naming end');
      });
      const auth = store.auth().createUser(makeUser()).then(() => order.push('auth'));
      await new Promise((r) => setTimeout(r, 20));
      release();
      await Promise.all([naming, auth]);
      assert.deepEqual(order, ['naming start', 'naming end', 'auth']);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
