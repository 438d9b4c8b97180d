import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password only; every hash is salted', async () => {
    const a = await hashPassword('secret-1');
    const b = await hashPassword('secret-1');
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$16384\$8\$1\$/);
    assert.equal(await verifyPassword('secret-1', a), true);
    assert.equal(await verifyPassword('secret-2', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('never accepts what is not one of its hashes (bcrypt, plain text, tampered cost)', async () => {
    assert.equal(await verifyPassword('polaris', '$2a$10$3izWuZtE5SBdAtSZci.gs.iZ2pAn9I8hEqYrC6gwJp1dyjqQnrrum'), false);
    assert.equal(await verifyPassword('polaris', 'polaris'), false);
    const h = await hashPassword('x-secret');
    assert.equal(await verifyPassword('x-secret', h.replace('$16384$', '$99999999$')), false);
  });
});
