import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createToken, decodeToken } from './token.js';

// polaris-server's seeded admin token: public, and still what a migrated console may use.
const WELL_KNOWN = 'nu/0WRA4EqSR1FagrjRj0fZwPXuGlMpX+zCuWu4uMqy8xr1vRjisSbA25aAC3mtU8MeeRsKhQiDAynUR09I=';

describe('tokens', () => {
  it("decode polaris-server's tokens (salted AES-CFB, base64)", () => {
    assert.deepEqual(decodeToken(WELL_KNOWN, 'polarismesh@2021'), { kind: 'user', id: '65e4789a6d5b49669adf1e9e8387549c' });
  });

  it('round-trip users and groups under 16, 24 and 32 byte salts; every token is different', () => {
    for (const salt of ['0123456789abcdef', '0123456789abcdef01234567', '0123456789abcdef0123456789abcdef']) {
      const a = createToken({ kind: 'user', id: 'u1' }, salt);
      const b = createToken({ kind: 'user', id: 'u1' }, salt);
      assert.notEqual(a, b);
      assert.deepEqual(decodeToken(a, salt), { kind: 'user', id: 'u1' });
      assert.deepEqual(decodeToken(createToken({ kind: 'group', id: 'g1' }, salt), salt), { kind: 'group', id: 'g1' });
    }
  });

  it('refuse garbage, empty input and tokens of another salt', () => {
    for (const t of ['', 'garbage', '!!!!', 'AAAA', 'a'.repeat(5000)]) assert.equal(decodeToken(t, 'polarismesh@2021'), undefined);
    assert.equal(decodeToken(WELL_KNOWN, 'another-salt-16b'), undefined);
  });
});
