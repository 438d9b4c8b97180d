/**
 * Web console load times in headless Chromium against the started daemon (auth on):
 *  - cold first page: a fresh browser context (empty cache) to the sign-in form being usable,
 *    next to the daemon's plain-text `/` banner in the same context as the floor of a navigation;
 *  - warm page: the same, with the hashed assets cached;
 *  - sign-in to the overview's counts on screen;
 *  - bytes of the first page's assets as served compressed (brotli).
 * Run: npm run bench (or node --import tsx bench/console.bench.ts [--rounds R])
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import type { Page } from 'puppeteer-core';
import { ensureConsoleBuilt, launchBrowser } from '../test/helpers/browser.js';
import { configYaml } from '../test/helpers/config-daemon.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { CONSOLE_OUT } from '../scripts/build-console.js';
import { printTable, type Row, numArg as arg } from './lib.js';


const AUTH_OFF = `auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false`;
const AUTH_ON = `auth:
  user:
    option:
      salt: "b3nch-16-bytes!!"
  strategy:
    option:
      consoleOpen: true
      consoleStrict: true
      clientOpen: false`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** When the app marked its first screen usable, in ms after navigation start (the page's own clock). */
async function readyMark(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as any).performance.getEntriesByName('polaris-console-ready')[0]?.startTime ?? NaN);
}

export async function runConsoleBench(): Promise<Row[]> {
  const rounds = arg('rounds', 9);
  await ensureConsoleBuilt();
  const d = await startDaemon({ yaml: configYaml().replace(AUTH_OFF, AUTH_ON) });
  const password = /password: (\S+)/.exec(d.output())?.[1] ?? '';
  const browser = await launchBrowser();
  const cold: number[] = [];
  const warm: number[] = [];
  const signIn: number[] = [];
  const baseline: number[] = [];
  const ready: number[] = [];
  const readyWarm: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      let t = performance.now();
      await page.goto(`${d.http}/`, { waitUntil: 'domcontentloaded' });
      baseline.push(performance.now() - t);
      t = performance.now();
      await page.goto(`${d.http}/console/`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('input[name="name"]');
      cold.push(performance.now() - t);
      ready.push(await readyMark(page));

      await page.type('input[name="name"]', 'polaris');
      await page.type('input[name="password"]', password);
      t = performance.now();
      await page.click('button[type="submit"]');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.card .big a').length >= 3);
      signIn.push(performance.now() - t);

      await page.evaluate(() => (globalThis as any).sessionStorage.clear());
      t = performance.now();
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.waitForSelector('input[name="name"]');
      warm.push(performance.now() - t);
      readyWarm.push(await readyMark(page));
      await ctx.close();
    }
  } finally {
    await browser.close();
    await d.stop();
  }
  const bytes = readdirSync(CONSOLE_OUT)
    .filter((f) => !/\.(br|gz)$/.test(f))
    .reduce((n, f) => n + brotliCompressSync(readFileSync(join(CONSOLE_OUT, f))).length, 0);
  const ms = (x: number) => `${Math.round(x)} ms`;
  return [
    { bench: 'console: cold first page, in-page (navigation start → sign-in form rendered)', value: ms(median(ready)), note: `median of ${rounds}, empty cache, headless Chromium` },
    { bench: 'console: cold first page, seen by the test driver', value: ms(median(cold)), note: 'goto → selector found over CDP (includes driver overhead)' },
    { bench: 'console: warm page, in-page', value: ms(median(readyWarm)), note: 'reload with the hashed assets cached' },
    { bench: 'console: baseline, the plain-text `/` banner', value: ms(median(baseline)), note: 'same browser and daemon: the floor of one navigation' },
    { bench: 'console: warm page, seen by the test driver', value: ms(median(warm)), note: `median of ${rounds}` },
    { bench: 'console: sign-in to overview counts shown', value: ms(median(signIn)), note: `median of ${rounds}` },
    { bench: 'console: first-page bytes (brotli)', value: `${(bytes / 1024).toFixed(1)} KiB`, note: 'index.html + script + stylesheet' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await runConsoleBench());
