import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { buildConsole, CONSOLE_OUT, CONSOLE_SRC } from '../../scripts/build-console.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Screenshots the browser tests write (git-ignored). */
export const SCREENSHOTS = join(ROOT, 'test-output', 'console');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/console when it is missing or older than console/src (what `npm run build` does). */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(CONSOLE_OUT, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(CONSOLE_SRC)) return;
  await buildConsole();
}

/** Headless Chromium; a missing browser is a clear failure (never a skip), as for MariaDB. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
    defaultViewport: { width: 1366, height: 800 },
  });
}
