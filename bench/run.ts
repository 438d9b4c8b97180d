/** Runs every benchmark and prints one table. */
import { runConfigWatchBench } from './config-watch.bench.js';
import { runEurekaBench } from './eureka.bench.js';
import { printTable, type Row } from './lib.js';
import { runNamingHttpBench } from './naming-http.bench.js';
import { runSdkCoreBench } from './sdk-core.bench.js';
import { runSdkGrpcBench } from './sdk-grpc.bench.js';
import { runClusterBench } from './cluster.bench.js';
import { runConsoleBench } from './console.bench.js';
import { runXdsBench } from './xds.bench.js';
import { runXdsRebuildBench } from './xds-rebuild.bench.js';
import { runMetricsBench } from './metrics.bench.js';

const rows: Row[] = [];
rows.push(...(await runNamingHttpBench()));
rows.push(...(await runSdkGrpcBench()));
rows.push(...(await runSdkCoreBench()));
rows.push(...(await runClusterBench()));
rows.push(...(await runConfigWatchBench()));
rows.push(...(await runConsoleBench()));
rows.push(...(await runEurekaBench()));
rows.push(...(await runXdsBench()));
// The same push with incremental streams, and with several node kinds over several namespaces.
rows.push(...(await runXdsBench({ delta: true })));
rows.push(...(await runXdsBench({ mix: true })));
rows.push(...(await runXdsRebuildBench()));
rows.push(...(await runMetricsBench()));
printTable(rows);
