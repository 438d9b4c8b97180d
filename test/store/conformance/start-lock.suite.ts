import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import type { Store } from '../../../src/store/api.js';
import { settledWithin, sleep, uniq, withStore, type StoreFactory } from './fixtures.js';

const OPTS = { timeoutMs: 10_000, staleAfterMs: 1_500 };

export function describeStartLockSuite(factory: StoreFactory): void {
  describe('start lock', () => {
    it('a free lock is taken at once; release is safe to repeat', () =>
      withStore(factory, async ({ store }) => {
        const key = uniq('lock');
        const lock = await store.acquireStartLock(key, 'a', OPTS);
        await lock.release();
        await lock.release();
        const again = await store.acquireStartLock(key, 'b', { ...OPTS, timeoutMs: 1_000 });
        await again.release();
      }));

    it('a second holder waits until the first releases', () =>
      withStore(factory, async ({ store }) => {
        const key = uniq('lock');
        const first = await store.acquireStartLock(key, 'first', OPTS);
        const second = store.acquireStartLock(key, 'second', OPTS);
        assert.equal(await settledWithin(second, 400), 'pending');
        await first.release();
        assert.equal(await settledWithin(second, 3_000), 'settled');
        const lock = await second;
        const third = store.acquireStartLock(key, 'third', OPTS);
        assert.equal(await settledWithin(third, 300), 'pending');
        await lock.release();
        await (await third).release();
      }));

    it('a live holder keeps the lock past staleAfterMs', () =>
      withStore(factory, async ({ store }) => {
        const key = uniq('lock');
        const opts = { timeoutMs: 10_000, staleAfterMs: 1_000 };
        const first = await store.acquireStartLock(key, 'first', opts);
        await sleep(2_000);
        await assert.rejects(store.acquireStartLock(key, 'second', { ...opts, timeoutMs: 1_000 }), {
          code: Code.StoreLayerException,
        });
        await first.release();
      }));

    it('different keys do not block each other', () =>
      withStore(factory, async ({ store }) => {
        const a = await store.acquireStartLock(uniq('lock'), 'x', OPTS);
        const b = await store.acquireStartLock(uniq('lock'), 'y', { ...OPTS, timeoutMs: 1_000 });
        await a.release();
        await b.release();
      }));

    it('waiting past timeoutMs rejects with a store error', () =>
      withStore(factory, async ({ store }) => {
        const key = uniq('lock');
        const first = await store.acquireStartLock(key, 'first', OPTS);
        const started = Date.now();
        await assert.rejects(store.acquireStartLock(key, 'second', { ...OPTS, timeoutMs: 300 }), {
          code: Code.StoreLayerException,
        });
        const waited = Date.now() - started;
        assert.ok(waited >= 250 && waited < 5_000, `waited ${waited} ms`);
        await first.release();
      }));

    it('a holder that dies without releasing is taken over', async (t) => {
      await withStore(factory, async (h) => {
        if (!h.openPeer) {
          t.skip(`${factory.name}: no openPeer`);
          return;
        }
        const key = uniq('lock');
        const peer: Store = await h.openPeer();
        let peerClosed = false;
        try {
          await peer.acquireStartLock(key, 'doomed', OPTS);
          const waiting = h.store.acquireStartLock(key, 'survivor', OPTS);
          assert.equal(await settledWithin(waiting, 500), 'pending', 'must wait while the holder is alive');
          // The peer goes away without releasing: its lock must not outlive it for long.
          await peer.close();
          peerClosed = true;
          const closedAt = Date.now();
          assert.equal(await settledWithin(waiting, OPTS.staleAfterMs + 3_000), 'settled');
          const lock = await waiting;
          assert.ok(Date.now() - closedAt < OPTS.staleAfterMs + 3_000);
          await lock.release();
        } finally {
          if (!peerClosed) await peer.close();
        }
      });
    });
  });
}
