import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Code } from '../../src/common/errors/codes.js';
import type { RuleStore } from '../../src/store/rules-api.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRule } from './conformance/rules-fixtures.js';
import { describeRuleStoreConformance, type RuleStoreFactory } from './conformance/rules-store.suite.js';

async function tempDb(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-rules-'));
  return { dir, path: join(dir, 'polaris.db') };
}

const factory: RuleStoreFactory = {
  name: 'sqlite',
  async create() {
    const { dir, path } = await tempDb();
    const naming = SqliteStore.open({ path });
    const peers: SqliteStore[] = [];
    return {
      rules: naming.rules(),
      naming,
      async openPeer(): Promise<RuleStore> {
        const peer = SqliteStore.open({ path });
        peers.push(peer);
        return peer.rules();
      },
      async dispose() {
        for (const p of peers) await p.close();
        await naming.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

describeRuleStoreConformance(factory);

describe('sqlite rule store specifics', () => {
  it('rules survive close and re-open, with the sequence', async () => {
    const { dir, path } = await tempDb();
    try {
      const first = SqliteStore.open({ path });
      const r = makeRule('route');
      await first.rules().createRule(r);
      const seq = await first.currentSeq();
      await first.close();
      const second = SqliteStore.open({ path });
      try {
        assert.equal(await second.rules().currentSeq(), seq);
        assert.equal((await second.rules().getRule('route', r.id))?.body, r.body);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rule and naming transactions are serialised by the one write mutex', async () => {
    const { dir, path } = await tempDb();
    const store = SqliteStore.open({ path });
    try {
      const rules = store.rules();
      let inRules = false;
      const a = rules.transaction(async (tx) => {
        inRules = true;
        await new Promise((r) => setTimeout(r, 30));
        await tx.createRule(makeRule('ratelimit'));
        inRules = false;
      });
      const b = store.transaction(async () => {
        assert.equal(inRules, false, 'the naming transaction waited');
      });
      await Promise.all([a, b]);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a closed store rejects rule calls with a store error', async () => {
    const { dir, path } = await tempDb();
    try {
      const store = SqliteStore.open({ path });
      const rules = store.rules();
      await store.close();
      await assert.rejects(rules.getRule('route', 'x'), { code: Code.StoreLayerException });
      await assert.rejects(rules.createRule(makeRule('route')), { code: Code.StoreLayerException });
      await assert.rejects(rules.readRuleChanges(0), { code: Code.StoreLayerException });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the rules schema is migration version 3', async () => {
    const { dir, path } = await tempDb();
    try {
      await SqliteStore.open({ path }).close();
      const db = new Database(path, { readonly: true });
      try {
        const versions = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
        assert.ok(versions.includes(3));
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
        assert.ok(tables.includes('gov_rule') && tables.includes('gov_rule_binding'));
      } finally {
        db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
