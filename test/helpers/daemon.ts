import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, retryPortClash } from './ports.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** tsx's loader as an absolute URL, so a daemon started in another directory still finds it. */
export const TSX = import.meta.resolve('tsx');
export const MAIN = join(ROOT, 'src/main.ts');

export interface DaemonOptions {
  /** Reuse a data directory (restart tests). */
  dir?: string;
  /** Extra YAML appended verbatim to the generated config (later keys win in our loader). */
  extraYaml?: string;
  /** Replace the generated config entirely; `{{DIR}}`, `{{HTTP}}`, `{{GRPC}}`, `{{CONFIG_GRPC}}` are substituted. */
  yaml?: string;
  ports?: { http: number; grpc: number; configGrpc: number };
  env?: Record<string, string>;
  /** Extra node flags for the daemon (e.g. --cpu-prof for profiling). */
  nodeArgs?: string[];
}

export interface Daemon {
  dir: string;
  http: string;
  ports: { http: number; grpc: number; configGrpc: number };
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
}

export function defaultYaml(): string {
  return `
bootstrap:
  logger:
    default:
      rotateOutputPath: {{DIR}}/log/polaris-default.log
      errorRotateOutputPath: {{DIR}}/log/polaris-default-error.log
      outputLevel: info
  startInOrder:
    open: true
    key: sz
  polaris_service:
    enable_register: true
    self_address: 127.0.0.1
    heartbeat_interval: 2
    services:
      - name: polaris.checker
        protocols:
          - service-grpc
apiservers:
  - name: api-http
    option:
      listenIP: 127.0.0.1
      listenPort: {{HTTP}}
    api:
      admin:
        enable: true
      console:
        enable: true
        include: [default]
      client:
        enable: true
        include: [discover, register, healthcheck]
  - name: service-grpc
    option:
      listenIP: 127.0.0.1
      listenPort: {{GRPC}}
      enableCacheProto: true
      sizeCacheProto: 128
    api:
      client:
        enable: true
        include: [discover, register, healthcheck]
namespace:
  autoCreate: true
naming:
  autoCreate: true
healthcheck:
  open: true
  service: polaris.checker
  slotNum: 30
  minCheckInterval: 1s
  maxCheckInterval: 30s
  clientCheckInterval: 1s
  clientCheckTtl: 1s
  checkers:
    - name: heartbeatMemory
store:
  name: sqliteStore
  option:
    path: {{DIR}}/polaris.db
# Token checks off for the tests that exercise other features (the repository's file turns them on).
auth:
  strategy:
    option:
      consoleOpen: false
      clientOpen: false
`;
}

/** Free ports for the listeners of the default test configuration. */
export async function daemonPorts(): Promise<{ http: number; grpc: number; configGrpc: number }> {
  return { http: await freePort(), grpc: await freePort(), configGrpc: await freePort() };
}

/** Starts the daemon; with the ports left to it, starts again on new ones if one was taken meanwhile. */
export async function startDaemon(opts: DaemonOptions = {}): Promise<Daemon> {
  return opts.ports ? startOnce(opts) : retryPortClash(() => startOnce(opts));
}

async function startOnce(opts: DaemonOptions): Promise<Daemon> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'polaris-ts-'));
  const ports = opts.ports ?? (await daemonPorts());
  const yaml = (opts.yaml ?? defaultYaml() + (opts.extraYaml ?? ''))
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{HTTP}}', String(ports.http))
    .replaceAll('{{GRPC}}', String(ports.grpc))
    .replaceAll('{{CONFIG_GRPC}}', String(ports.configGrpc));
  const cfg = join(dir, `polaris-server-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(cfg, yaml);
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', TSX, MAIN, 'start', '-c', cfg], {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const http = `http://127.0.0.1:${ports.http}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${http}/`);
      if (res.ok && out.includes('polaris-ts started')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`daemon did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    http,
    ports,
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
    async kill9() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** JSON request helper: returns status, headers and parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
