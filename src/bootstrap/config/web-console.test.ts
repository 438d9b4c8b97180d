import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './load-config.js';
import type { HttpServerOption } from './types.js';

/** `apiservers[api-http].option.console`: the web console switch and its path. */

function httpOption(console: string): HttpServerOption {
  const text = `apiservers:\n  - name: api-http\n    option:\n      listenPort: 8090\n${console}`;
  const { config } = parseConfigText(text, 'polaris-server.yaml', {});
  return config.apiservers[0].option as HttpServerOption;
}

describe('web console option', () => {
  it('is on under /console when not configured', () => {
    assert.deepEqual(httpOption('').console, { enable: true, path: '/console' });
  });

  it('takes a switch and a path, normalized to one leading and no trailing slash', () => {
    assert.deepEqual(httpOption('      console:\n        enable: false\n        path: ui/admin/\n').console, {
      enable: false,
      path: '/ui/admin',
    });
  });

  it('stops start-up on a path that is not a plain URL path, naming the key', () => {
    for (const bad of ['"/"', '"/a b"', '"/x?y"', '/naming/ui', 'config', '/metrics', '/ui/..', '/.']) {
      assert.throws(
        () => httpOption(`      console:\n        path: ${bad}\n`),
        (err: unknown) => err instanceof ConfigError && /console\.path/.test(err.message),
        bad,
      );
    }
  });
});
