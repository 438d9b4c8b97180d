/** Runs every benchmark and prints one table. */
import { printTable, type Row } from './lib.js';
import { runNamingHttpBench } from './naming-http.bench.js';

const rows: Row[] = [];
rows.push(...(await runNamingHttpBench()));
printTable(rows);
