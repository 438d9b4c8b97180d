import type { NamingReader } from '../../cache/api.js';
import { configOperations } from './config-guard.js';
import { PASS, type OperationTable } from './guard.js';
import { NAMESPACE_OPERATIONS } from './namespace-guard.js';
import { namingOperations } from './naming-guard.js';
import { rulesOperations } from './rules-guard.js';

/** Server-function names of one operation table, sorted and unique. */
function functionsOf<T>(table: OperationTable<T>): string[] {
  const names = new Set<string>();
  for (const rule of Object.values(table) as Array<{ fn?: string } | typeof PASS>) {
    if (rule !== PASS && rule.fn) names.add(rule.fn);
  }
  return [...names].sort();
}

/**
 * The server-function names strategies may list (`GET /maintain/v1/server/functions`), grouped
 * by module, read from the guards' operation tables so the list is exactly what is checked.
 * The tables' resource finders are never called here, so no cache is needed to list them.
 */
export function serverFunctionGroups(): Array<{ Name: string; Functions: string[] }> {
  const noCache = undefined as unknown as NamingReader;
  return [
    { Name: 'Namespace', Functions: functionsOf(NAMESPACE_OPERATIONS) },
    { Name: 'Service', Functions: functionsOf(namingOperations(noCache)) },
    { Name: 'Rule', Functions: functionsOf(rulesOperations(noCache)) },
    { Name: 'ConfigCenter', Functions: functionsOf(configOperations(() => undefined)) },
    { Name: 'Maintain', Functions: ['Maintain'] },
  ];
}
