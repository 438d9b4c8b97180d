import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundaryOf, formFile } from './multipart.js';

test('multipart: finds the named file part, binary-safe', () => {
  const data = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x00]);
  const b = 'XyZ';
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="other"\r\n\r\nhello\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="config"; filename="config.zip"\r\nContent-Type: application/zip\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  assert.equal(boundaryOf(`multipart/form-data; boundary=${b}`), b);
  assert.equal(boundaryOf('multipart/form-data; boundary="a b"'), 'a b');
  assert.equal(boundaryOf('application/json'), undefined);
  const f = formFile(body, b, 'config');
  assert.equal(f?.filename, 'config.zip');
  assert.deepEqual(f?.data, data);
  assert.equal(formFile(body, b, 'missing'), undefined);
  assert.throws(() => formFile(Buffer.from('nothing'), b, 'config'));
});
