import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import type { RequestContext } from '../../common/lifecycle.js';
import type { AccessRequest, AuthChecker, Operator } from '../api.js';
import { guard, PASS, type OperationTable } from './guard.js';

interface Demo {
  write(ctx: RequestContext, names: string[]): Promise<string>;
  read(ctx: RequestContext): Promise<number>;
  beat(ctx: RequestContext, id: string): Promise<string>;
  answer(ctx: RequestContext, id: string): Promise<{ code: number }>;
}

class Inner implements Demo {
  readonly seen: { method: string; ctx: RequestContext; args: unknown[] }[] = [];
  async write(ctx: RequestContext, names: string[]) {
    this.seen.push({ method: 'write', ctx, args: [names] });
    return names.join(',');
  }
  async read(ctx: RequestContext) {
    this.seen.push({ method: 'read', ctx, args: [] });
    return 1;
  }
  async beat(ctx: RequestContext, id: string) {
    this.seen.push({ method: 'beat', ctx, args: [id] });
    return id;
  }
  async answer(ctx: RequestContext, id: string) {
    this.seen.push({ method: 'answer', ctx, args: [id] });
    return { code: 200000 };
  }
}

const TABLE: OperationTable<Demo> = {
  write: {
    plane: 'console',
    access: 'write',
    fn: 'Write',
    resources: (names) => names.map((id) => ({ type: 'namespaces', id })),
    prepare: (op, names) => names.push(`by-${op.ownerId}`),
  },
  read: { plane: 'console', access: 'read', fn: 'Read' },
  beat: PASS,
  answer: { plane: 'client', access: 'write', fn: 'Answer', refuse: (err) => ({ code: err.code }) },
};

/** Allows callers whose token is 'ok'; records what it was asked. */
class FakeChecker implements AuthChecker {
  readonly asked: { fn: string; resources: string[] }[] = [];
  isOpen() {
    return true;
  }
  async authorize(ctx: RequestContext, req: AccessRequest): Promise<Operator> {
    this.asked.push({ fn: req.fn, resources: req.resources().map((r) => r.id) });
    if (ctx.token !== 'ok') throw new PolarisError(Code.NotAllowedAccess);
    return { kind: 'user', id: 'u1', name: 'alice', ownerId: 'main1', role: 'sub' };
  }
}

function ctx(token?: string): RequestContext {
  return {
    reqId: 'r',
    clientIp: '127.0.0.1',
    token,
    protocol: 'http',
    get logger(): never {
      throw new Error('the lazy logger was built');
    },
  };
}

describe('guard()', () => {
  it('checks each listed method with its resources, then calls the inner one with the principal', async () => {
    const inner = new Inner();
    const checker = new FakeChecker();
    const g = guard<Demo>(inner, TABLE, checker);
    assert.equal(await g.write(ctx('ok'), ['a', 'b']), 'a,b,by-main1');
    assert.deepEqual(checker.asked, [{ fn: 'Write', resources: ['a', 'b'] }]);
    const call = inner.seen[0];
    assert.deepEqual(call.ctx.principal, { kind: 'user', id: 'u1', name: 'alice', ownerId: 'main1' });
    // The copy keeps the lazy logger lazy (reading it would throw here).
    assert.equal(call.ctx.reqId, 'r');
  });

  it('a refusal rejects with the checker’s code and never reaches the module', async () => {
    const inner = new Inner();
    const g = guard<Demo>(inner, TABLE, new FakeChecker());
    await assert.rejects(g.write(ctx('bad'), ['a']), (err) => err instanceof PolarisError && err.code === Code.NotAllowedAccess);
    await assert.rejects(g.read(ctx()), (err) => err instanceof PolarisError && err.code === Code.NotAllowedAccess);
    assert.equal(inner.seen.length, 0);
  });

  it('methods that answer codes answer the refusal instead; PASS methods are not checked', async () => {
    const inner = new Inner();
    const checker = new FakeChecker();
    const g = guard<Demo>(inner, TABLE, checker);
    assert.deepEqual(await g.answer(ctx('bad'), 'x'), { code: Code.NotAllowedAccess });
    assert.equal(await g.beat(ctx(), 'i1'), 'i1');
    assert.deepEqual(
      inner.seen.map((s) => s.method),
      ['beat'],
    );
    assert.deepEqual(checker.asked.map((a) => a.fn), ['Answer']);
  });
});
