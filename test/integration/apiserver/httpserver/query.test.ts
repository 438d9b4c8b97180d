import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { namespaceListQuery, parseQueryString } from '../../../../src/apiserver/httpserver/query.js';
import { PolarisError } from '../../../../src/common/errors/polaris-error.js';

describe('query parsing', () => {
  test('repeated keys become arrays, single keys strings, escapes decoded', () => {
    const q = parseQueryString('name=a&name=b&host=10.0.0.1&x=a+b%2Cc&empty=');
    assert.deepEqual({ ...q }, { name: ['a', 'b'], host: '10.0.0.1', x: 'a b,c', empty: '' });
  });

  test('prototype keys are plain data', () => {
    const q = parseQueryString('__proto__=x&constructor=y&toString=z');
    assert.equal(Object.getPrototypeOf(q), Object.prototype);
    assert.deepEqual(Object.keys(q).sort(), ['__proto__', 'constructor', 'toString']);
    assert.equal(Object.getOwnPropertyDescriptor(q, '__proto__')?.value, 'x');
    assert.deepEqual(namespaceListQuery(parseQueryString('constructor=1')), { names: [], owners: [], offset: 0, limit: 100 });
  });

  test('paging: Go Atoi rules', () => {
    assert.deepEqual(namespaceListQuery(parseQueryString('offset=%2B3&limit=007')), { names: [], owners: [], offset: 3, limit: 7 });
    assert.equal(namespaceListQuery(parseQueryString('limit=99999999999999999')).limit, 100);
    for (const qs of ['offset=99999999999999999999', 'limit=%201', 'offset=0x10', 'limit=1e3']) {
      assert.throws(() => namespaceListQuery(parseQueryString(qs)), (e: unknown) => e instanceof PolarisError && e.code === 400103, qs);
    }
  });
});
