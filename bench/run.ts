/** Runs every benchmark and prints one table. */
import { printTable, type Row } from './lib.js';
import { runNamingHttpBench } from './naming-http.bench.js';
import { runSdkGrpcBench } from './sdk-grpc.bench.js';

const rows: Row[] = [];
rows.push(...(await runNamingHttpBench()));
rows.push(...(await runSdkGrpcBench()));
printTable(rows);
