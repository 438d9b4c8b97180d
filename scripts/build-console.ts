import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Builds the web console (console/src) into dist/console: one minified ES module and one CSS
 * file, both with content hashes in their names (cached for a year by the server), and an
 * index.html (never cached) that references them relatively, so any mount path works. Each file
 * also gets a .br and a .gz copy compressed at the highest levels, which the server sends as they
 * are (no compression work per request).
 */

const ROOT = resolve(import.meta.dirname, '..');
export const CONSOLE_SRC = join(ROOT, 'console', 'src');
export const CONSOLE_OUT = join(ROOT, 'dist', 'console');

function precompress(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (!/\.(html|js|css|svg)$/.test(f)) continue;
    const data = readFileSync(join(dir, f));
    writeFileSync(join(dir, `${f}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(join(dir, `${f}.gz`), gzipSync(data, { level: 9 }));
  }
}

/**
 * Builds into a fresh directory next to `target`, then swaps it in, so a server (or a parallel
 * build) never sees a half-written console.
 */
export async function buildConsole(target = CONSOLE_OUT): Promise<{ js: string; css: string; bytes: number }> {
  const outdir = `${target}.build-${process.pid}-${Date.now()}`;
  mkdirSync(outdir, { recursive: true });
  try {
    const out = await buildInto(outdir);
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(outdir, target);
    } catch (err) {
      // A parallel build swapped its copy in first: same sources, same files.
      if (!existsSync(join(target, 'index.html'))) throw err;
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function buildInto(outdir: string): Promise<{ js: string; css: string; bytes: number }> {
  const result = await build({
    entryPoints: [join(CONSOLE_SRC, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'app-[hash]',
    assetNames: '[name]-[hash]',
    outdir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const js = outputs.find(([f]) => f.endsWith('.js'));
  const css = outputs.find(([f]) => f.endsWith('.css'));
  if (!js || !css) throw new Error('console build produced no JS or CSS');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Polaris console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./${basename(css[0])}">
<script type="module" src="./${basename(js[0])}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the Polaris console…</p></div>
<noscript>The Polaris console needs JavaScript.</noscript>
</body>
</html>
`;
  writeFileSync(join(outdir, 'index.html'), html);
  precompress(outdir);
  return { js: basename(js[0]), css: basename(css[0]), bytes: js[1].bytes + css[1].bytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildConsole();
  console.log(`console built: ${out.js}, ${out.css} (${out.bytes} bytes) in ${CONSOLE_OUT}`);
}
