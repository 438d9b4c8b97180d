import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { defaultYaml } from './daemon.js';

const PROTO = resolve(import.meta.dirname, '..', '..', 'proto');

/** defaultYaml() plus the config center and a config-grpc listener. */
export function configYaml(open = true): string {
  return defaultYaml()
    .replace(
      '  - name: service-grpc\n',
      `  - name: config-grpc
    option:
      listenIP: 127.0.0.1
      listenPort: {{CONFIG_GRPC}}
    api:
      client:
        enable: true
  - name: service-grpc
`,
    )
    .concat(`config:\n  open: ${open}\n  contentMaxLength: 20000\n`);
}

/** A PolarisConfigGRPC client as an SDK builds one (wrappers are `{ value }`). */
export function configClient(port: number): any {
  const def = protoLoader.loadSync(join(PROTO, 'api/v1/config_manage/grpc_config_api.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: [PROTO],
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  return new pkg.v1.PolarisConfigGRPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function unary(client: any, method: string, req: unknown): Promise<any> {
  return new Promise((res, rej) => client[method](req, (err: Error | null, out: unknown) => (err ? rej(err) : res(out))));
}

