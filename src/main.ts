#!/usr/bin/env node
/**
 * The command line: `polaris-server start [-c FILE]` and `polaris-server version`. The only file
 * that touches process signals and exit codes.
 */
import { parseArgs } from 'node:util';
import { startServer } from './bootstrap/server.js';
import { serverVersion } from './common/version.js';

const DEFAULT_CONFIG = 'polaris-server.yaml';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'version') {
    process.stdout.write(`version: v${serverVersion()}\n`);
    return 0;
  }
  if (command !== 'start') {
    process.stderr.write(
      `usage: polaris-server start [-c|--config FILE]   (default ${DEFAULT_CONFIG})\n       polaris-server version\n`,
    );
    return command === undefined || command === 'help' || command === '--help' ? 0 : 1;
  }
  let configPath = DEFAULT_CONFIG;
  try {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } }, strict: true });
    configPath = values.config ?? DEFAULT_CONFIG;
  } catch (err) {
    process.stderr.write(`polaris-server: ${(err as Error).message}\n`);
    return 1;
  }

  let server;
  try {
    server = await startServer({ configPath, notice: (text) => process.stdout.write(text) });
  } catch (err) {
    process.stderr.write(`polaris-server: failed to start: ${(err as Error).message}\n`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`polaris-server: second ${signal}, exiting now\n`);
        resolve(130);
        return;
      }
      stopping = true;
      server
        .stop(signal)
        .then(() => resolve(0))
        .catch((err: unknown) => {
          process.stderr.write(`polaris-server: error while stopping: ${(err as Error).message}\n`);
          resolve(1);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Reload (polaris-server dies on SIGHUP): re-read the file, apply what can change, reopen logs.
    process.on('SIGHUP', () => server.reload());
    server.closed.then(
      () => resolve(0),
      () => resolve(1),
    );
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`polaris-server: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
