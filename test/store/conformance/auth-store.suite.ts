import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Code } from '../../../src/common/errors/codes.js';
import { PolarisError } from '../../../src/common/errors/polaris-error.js';
import { UserType, type Strategy, type User, type UserGroup } from '../../../src/common/model/auth.js';
import type { Store } from '../../../src/store/api.js';
import type { AuthStore } from '../../../src/store/auth-api.js';

/**
 * The auth store contract as tests, backend-neutral: every case uses only `AuthStore` (plus the
 * naming `Store` on the same database, to prove the shared change sequence) and unique names.
 */

export interface AuthStoreHandle {
  auth: AuthStore;
  /** The naming store on the same database. */
  naming: Store;
  dispose(): Promise<void>;
}

export interface AuthStoreFactory {
  name: string;
  create(): Promise<AuthStoreHandle>;
}

const uid = (): string => randomUUID().replaceAll('-', '');

export function makeUser(over: Partial<User> = {}): User {
  const now = Date.now();
  return {
    id: uid(),
    name: `u-${uid().slice(0, 10)}`,
    password: 'scrypt$x',
    owner: '',
    source: 'Polaris',
    token: `tok-${uid()}`,
    tokenEnable: true,
    type: UserType.Main,
    comment: '',
    mobile: '',
    email: '',
    metadata: { k: 'v' },
    ctime: now,
    mtime: now,
    ...over,
  };
}

export function makeGroup(owner: string, over: Partial<UserGroup> = {}): UserGroup {
  const now = Date.now();
  return {
    id: uid(),
    name: `g-${uid().slice(0, 10)}`,
    owner,
    token: `gtok-${uid()}`,
    tokenEnable: true,
    comment: 'c',
    source: 'Polaris',
    metadata: {},
    userIds: [],
    ctime: now,
    mtime: now,
    ...over,
  };
}

export function makeStrategy(owner: string, over: Partial<Strategy> = {}): Strategy {
  const now = Date.now();
  return {
    id: uid(),
    name: `s-${uid().slice(0, 10)}`,
    action: 'READ_WRITE',
    comment: '',
    owner,
    defaultStrategy: false,
    source: 'Polaris',
    metadata: {},
    functions: [],
    resourceLabels: [],
    principals: [],
    resources: [],
    ctime: now,
    mtime: now,
    ...over,
  };
}

async function withAuth(factory: AuthStoreFactory, fn: (h: AuthStoreHandle) => Promise<void>): Promise<void> {
  const h = await factory.create();
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
}

const isCode = (code: number) => (err: unknown) => err instanceof PolarisError && err.code === code;

export function describeAuthStoreConformance(factory: AuthStoreFactory): void {
  describe(`auth store conformance: ${factory.name}`, () => {
    describe('users', () => {
      it('creates, reads by id and by (owner, name), updates and soft-deletes', () =>
        withAuth(factory, async ({ auth }) => {
          const main = makeUser();
          await auth.createUser(main);
          const sub = makeUser({ owner: main.id, type: UserType.Sub, tokenEnable: false });
          await auth.createUser(sub);
          assert.deepEqual(await auth.getUser(main.id), main);
          assert.deepEqual(await auth.getUserByName(main.id, sub.name), sub);
          assert.equal(await auth.getUserByName('', sub.name), undefined);
          assert.equal(await auth.countSubUsers(main.id), 1);

          const changed = { ...sub, comment: 'new', tokenEnable: true, token: 'other', mtime: sub.mtime + 5 };
          assert.equal(await auth.updateUser(changed), true);
          assert.deepEqual(await auth.getUser(sub.id), changed);

          assert.equal(await auth.deleteUser(sub.id), true);
          assert.equal(await auth.getUser(sub.id), undefined);
          assert.equal(await auth.deleteUser(sub.id), false);
          assert.equal(await auth.updateUser(changed), false);
          assert.equal(await auth.countSubUsers(main.id), 0);
        }));

      it('refuses a duplicate id or a live (owner, name); a deleted name can be used again', () =>
        withAuth(factory, async ({ auth }) => {
          const u = makeUser();
          await auth.createUser(u);
          await assert.rejects(auth.createUser(u), isCode(Code.ExistedResource));
          await assert.rejects(auth.createUser(makeUser({ name: u.name })), isCode(Code.ExistedResource));
          // The same name under another owner is another user.
          await auth.createUser(makeUser({ name: u.name, owner: u.id, type: UserType.Sub }));
          await auth.deleteUser(u.id);
          const again = makeUser({ name: u.name });
          await auth.createUser(again);
          assert.equal((await auth.getUserByName('', u.name))?.id, again.id);
          // Re-creating a deleted id revives it (under a free name).
          await auth.createUser({ ...u, name: `${u.name}-2`, comment: 'revived' });
          assert.equal((await auth.getUser(u.id))?.comment, 'revived');
        }));
    });

    describe('groups and strategies', () => {
      it('keep members, principals, resources and labels as written', () =>
        withAuth(factory, async ({ auth }) => {
          const owner = makeUser();
          const member = makeUser({ owner: owner.id, type: UserType.Sub });
          const g = makeGroup(owner.id, { userIds: [member.id], metadata: { team: 'a' } });
          await auth.createGroup(g);
          assert.deepEqual(await auth.getGroup(g.id), g);
          assert.deepEqual(await auth.getGroupByName(owner.id, g.name), g);
          await assert.rejects(auth.createGroup(makeGroup(owner.id, { name: g.name })), isCode(Code.ExistedResource));

          const s = makeStrategy(owner.id, {
            action: 'DENY',
            functions: ['Describe*'],
            resourceLabels: [{ key: 'env', value: 'prod', compareType: 'equals' }],
            principals: [
              { type: 'user', id: member.id },
              { type: 'group', id: g.id },
            ],
            resources: [
              { type: 'namespaces', id: 'ns1', namespace: '', name: 'ns1' },
              { type: 'services', id: '*', namespace: '*', name: '*' },
            ],
          });
          await auth.createStrategy(s);
          assert.deepEqual(await auth.getStrategy(s.id), s);
          const next = { ...s, resources: [], principals: [{ type: 'user' as const, id: owner.id }], defaultStrategy: true };
          assert.equal(await auth.updateStrategy(next), true);
          assert.deepEqual(await auth.getStrategy(s.id), next);
          assert.equal(await auth.deleteStrategy(s.id), true);
          assert.equal(await auth.getStrategy(s.id), undefined);

          const gg = { ...g, userIds: [] };
          assert.equal(await auth.updateGroup(gg), true);
          assert.deepEqual((await auth.getGroup(g.id))?.userIds, []);
          assert.equal(await auth.deleteGroup(g.id), true);
          assert.equal(await auth.deleteGroup(g.id), false);
        }));
    });

    describe('transaction', () => {
      it('commits every write of fn, or none when fn rejects', () =>
        withAuth(factory, async ({ auth }) => {
          const keep = makeUser();
          await auth.createUser(keep);
          const u = makeUser();
          const g = makeGroup(u.id);
          const boom = new Error('boom');
          await assert.rejects(
            auth.transaction(async (tx) => {
              await tx.createUser(u);
              await tx.createGroup(g);
              await tx.updateUser({ ...keep, comment: 'must not stick' });
              throw boom;
            }),
            (err) => err === boom,
          );
          assert.equal(await auth.getUser(u.id), undefined);
          assert.equal(await auth.getGroup(g.id), undefined);
          assert.equal((await auth.getUser(keep.id))?.comment, '');

          const out = await auth.transaction(async (tx) => {
            await tx.createUser(u);
            await tx.createGroup(g);
            return (await tx.getUser(u.id))?.name;
          });
          assert.equal(out, u.name);
          assert.ok(await auth.getGroup(g.id));
        }));
    });

    describe('change feed', () => {
      it('shares one monotonic sequence with the naming store; one transaction = one value', () =>
        withAuth(factory, async ({ auth, naming }) => {
          await auth.createUser(makeUser()); // since must be > 0: 0 asks for a full load
          const before = await auth.currentSeq();
          assert.equal(before, await naming.currentSeq());
          const u = makeUser();
          const g = makeGroup(u.id);
          await auth.transaction(async (tx) => {
            await tx.createUser(u);
            await tx.createGroup(g);
          });
          const afterAuth = await auth.currentSeq();
          assert.equal(afterAuth, before + 1);
          const now = Date.now();
          await naming.createNamespace({
            name: `ns-${uid().slice(0, 8)}`,
            comment: '',
            owner: '',
            token: uid(),
            serviceExportTo: [],
            metadata: {},
            ctime: now,
            mtime: now,
          });
          assert.equal(await auth.currentSeq(), afterAuth + 1);
          await auth.deleteUser(u.id);
          assert.equal(await naming.currentSeq(), afterAuth + 2);

          const changes = await auth.readAuthChanges(before);
          assert.equal(changes.seq, afterAuth + 2);
          const userRows = changes.users.filter((v) => v.value.id === u.id);
          assert.equal(userRows.length, 1);
          assert.equal(userRows[0].deleted, true);
          assert.equal(userRows[0].seq, afterAuth + 2);
          const groupRows = changes.groups.filter((v) => v.value.id === g.id);
          assert.deepEqual(groupRows.map((v) => [v.seq, v.deleted]), [[afterAuth, false]]);
        }));

      it('a full load (since 0) has live rows only; nothing after the snapshot is left out', () =>
        withAuth(factory, async ({ auth }) => {
          const a = makeUser();
          const b = makeUser();
          const s = makeStrategy(a.id, { principals: [{ type: 'user', id: a.id }] });
          await auth.createUser(a);
          await auth.createUser(b);
          await auth.createStrategy(s);
          await auth.deleteUser(b.id);
          const full = await auth.readAuthChanges(0);
          assert.ok(full.users.some((v) => v.value.id === a.id && !v.deleted));
          assert.ok(!full.users.some((v) => v.value.id === b.id));
          assert.ok(full.strategies.some((v) => v.value.id === s.id));
          const seqs: number[] = [];
          let since = full.seq;
          for (let i = 0; i < 20; i++) await auth.createUser(makeUser());
          const inc = await auth.readAuthChanges(since);
          for (const v of inc.users) seqs.push(v.seq);
          assert.equal(inc.users.length, 20);
          assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
          since = inc.seq;
          assert.equal((await auth.readAuthChanges(since)).users.length, 0);
        }));
    });
  });
}
