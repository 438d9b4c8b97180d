import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setVersion, type XdsResource } from '../../src/apiserver/xdsserverv3/resource.js';

/** A resource with only the fingerprint set (all setVersion reads). */
const withFp = (a: number, b: number, c: number): XdsResource => ({ typeUrl: '', name: '', version: '', any: undefined as never, fp: [a, b, c] });

/** The XOR of the fingerprints as 24 hex digits, written out plainly. */
function expected(rs: XdsResource[]): string {
  const x = [0, 1, 2].map((i) => rs.reduce((acc, r) => (acc ^ (r.fp[i] as number)) >>> 0, 0));
  return x.map((n) => n.toString(16).padStart(8, '0')).join('');
}

test('a set version is the XOR of the fingerprints in 24 hex digits, whatever the order', () => {
  assert.equal(setVersion([]), '000000000000000000000000');
  assert.equal(setVersion([withFp(0xffffffff, 0x0000000a, 0x80000001)]), 'ffffffff0000000a80000001');
  let seed = 1;
  const u32 = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) * 2) >>> 0;
  for (let i = 0; i < 200; i++) {
    const rs = Array.from({ length: i % 13 }, () => withFp(u32(), u32() | 0, u32()));
    assert.equal(setVersion(rs), expected(rs));
    assert.equal(setVersion([...rs].reverse()), setVersion(rs));
  }
});
