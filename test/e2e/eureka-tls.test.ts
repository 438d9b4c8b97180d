import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instanceBody, startEurekaDaemon, type EurekaDaemon } from '../helpers/eureka.js';

/** `tls.certFile` / `tls.keyFile` turn the Eureka listener into HTTPS. */

let d: EurekaDaemon;
let ca: Buffer;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eureka-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  ca = readFileSync(cert);
  d = await startEurekaDaemon({ eurekaRaw: `      tls:\n        certFile: ${cert}\n        keyFile: ${key}\n` });
});
after(async () => {
  await d?.stop();
});

function https(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(d.eureka.replace('http:', 'https:') + path);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('register and read over HTTPS; plain HTTP is not served', async () => {
  assert.equal((await https('POST', '/eureka/apps/TLS-APP', instanceBody('TLS-APP', '10.40.0.1', 443))).status, 204);
  const r = await https('GET', '/eureka/apps/TLS-APP');
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.text).application.instance[0].ipAddr, '10.40.0.1');
  await assert.rejects(fetch(`${d.eureka}/eureka/apps`));
});
