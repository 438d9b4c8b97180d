import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ensureConsoleBuilt } from '../helpers/browser.js';
import { defaultYaml, startDaemon, type Daemon } from '../helpers/daemon.js';

/** `option.console` through the started daemon: a custom path, and the switch that turns it off. */

const started: Daemon[] = [];
after(async () => {
  await Promise.all(started.map((d) => d.stop()));
});

function withConsole(lines: string): string {
  const anchor = '      listenPort: {{HTTP}}\n';
  const yaml = defaultYaml();
  assert.ok(yaml.includes(anchor), 'the test daemon config has changed');
  return yaml.replace(anchor, `${anchor}      console:\n${lines}`);
}

test('the console moves to a configured path and is gone from the default one', async () => {
  await ensureConsoleBuilt();
  const d = await startDaemon({ yaml: withConsole('        path: /ops/ui/\n') });
  started.push(d);
  const page = await fetch(`${d.http}/ops/ui/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Polaris console/);
  const bare = await fetch(`${d.http}/ops/ui`, { redirect: 'manual' });
  assert.equal(bare.headers.get('location'), '/ops/ui/');
  assert.equal((await fetch(`${d.http}/console/`)).status, 404);
});

test('console.enable: false serves nothing, and the OpenAPI is unaffected', async () => {
  const d = await startDaemon({ yaml: withConsole('        enable: false\n') });
  started.push(d);
  assert.equal((await fetch(`${d.http}/console/`)).status, 404);
  assert.equal((await fetch(`${d.http}/naming/v1/namespaces`)).status, 200);
});
