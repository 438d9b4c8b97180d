import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import { startHarness, type Harness } from './harness.js';

/**
 * The console's static serving on a real listener, over a hand-made assets directory: cache
 * headers by file kind, precompressed copies sent as they are, compression of the rest, no way
 * out of the directory, and a clear 503 when nothing was built.
 */

const harnesses: Harness[] = [];
after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});

function assets(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-assets-'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>t</title>${'<p>padding</p>'.repeat(200)}`);
  writeFileSync(join(dir, 'app-ABCDEFGH.js'), `console.log("original");${' '.repeat(4000)}`);
  // A precompressed copy whose content differs from the original proves which one was sent.
  writeFileSync(join(dir, 'app-ABCDEFGH.js.br'), brotliCompressSync(Buffer.from('console.log("precompressed")')));
  return dir;
}

describe('web console serving', () => {
  it('sends index.html revalidated, hashed files cached for a year, precompressed copies as they are', async () => {
    const h = await startHarness({ options: { console: { enable: true, path: '/console', assetsDir: assets() } } });
    harnesses.push(h);
    const index = await fetch(`${h.base}/console/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.equal(index.headers.get('content-encoding'), 'gzip', 'compressed on the fly (no .gz copy here)');
    assert.match(await index.text(), /padding/);
    const head = await fetch(`${h.base}/console/`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'HEAD answers like GET (health checks, proxies)');

    const br = await fetch(`${h.base}/console/app-ABCDEFGH.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(br.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await br.text(), 'console.log("precompressed")');

    const plain = await fetch(`${h.base}/console/app-ABCDEFGH.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.match(await plain.text(), /original/);
    assert.match(br.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('never serves a file outside its directory', async () => {
    const h = await startHarness({ options: { console: { enable: true, path: '/console', assetsDir: assets() } } });
    harnesses.push(h);
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2fpackage.json', '/console/%2e%2e%2f%2e%2e%2fetc/passwd']) {
      const r = await fetch(`${h.base}${path}`);
      const text = await r.text();
      assert.notEqual(r.status, 200, `${path}: ${text.slice(0, 80)}`);
      assert.doesNotMatch(text, /"name"|root:/, path);
    }
  });

  it('answers 503 with what to do when the assets were never built, and logs it', async () => {
    const h = await startHarness({ options: { console: { enable: true, path: '/ui', assetsDir: join(tmpdir(), 'no-such-console-dir') } } });
    harnesses.push(h);
    for (const path of ['/ui', '/ui/', '/ui/app.js']) {
      const r = await fetch(`${h.base}${path}`);
      assert.equal(r.status, 503, path);
      assert.match(await r.text(), /npm run build/);
    }
    assert.ok(h.logs.some((l) => /not built/.test(String(l.msg))), 'a warning names the problem');
  });

  it('mounts nothing when switched off', async () => {
    const h = await startHarness({ options: { console: { enable: false, path: '/console', assetsDir: assets() } } });
    harnesses.push(h);
    assert.equal((await fetch(`${h.base}/console/`)).status, 404);
  });
});
