import { parseEntry, parseEntryList } from './parse-modules.js';
import { DEFAULT_MEMORY_RECLAIM, type MemoryReclaimConfig } from '../../maintain/memory-reclaim.js';
import { invalid, Section, warn } from './section.js';
import type { MaintainConfig, MaintainJobConfig, PluginCategoryConfig, PluginCategoryName, PluginConfig, PluginEntry } from './types.js';

export const PLUGIN_CATEGORIES: readonly PluginCategoryName[] = [
  'crypto',
  'cmdb',
  'history',
  'discoverEvent',
  'discoverStatis',
  'statis',
  'ratelimit',
  'auth',
  'parsePassword',
  'whitelist',
  'meshResourceValidate',
];

function parseCategory(s: Section): PluginCategoryConfig {
  const entries = parseEntryList(s, 'entries');
  let out: PluginEntry[];
  if (entries && entries.length > 0) {
    if (s.has('name')) warn(s.ctx, s.at('name'), 'ignored because entries is set');
    s.accept('name', 'option');
    out = entries;
  } else if (s.has('name')) {
    out = [{ name: s.str('name', ''), option: s.freeMap('option') }];
  } else {
    s.accept('option');
    out = [];
  }
  s.finish();
  return { entries: out };
}

/** `plugin`: category → `{name, option}` or `{entries: [...]}`, normalised to entries. */
export function parsePlugin(s: Section): PluginConfig {
  const out: Partial<Record<PluginCategoryName, PluginCategoryConfig>> = {};
  for (const category of s.keys()) {
    if (!(PLUGIN_CATEGORIES as readonly string[]).includes(category)) continue;
    out[category as PluginCategoryName] = parseCategory(s.section(category));
  }
  s.finish();
  return out;
}

export const KNOWN_JOBS: readonly string[] = [
  'DeleteUnHealthyInstance',
  'DeleteEmptyAutoCreatedService',
  'DeleteEmptyService',
  'CleanDeletedInstances',
  'CleanDeletedClients',
  'CleanConfigReleaseHistory',
  'CleanDeletedResources',
];

/** Upstream's jobs when `maintain` is absent. */
const DEFAULT_JOBS: readonly MaintainJobConfig[] = [
  { name: 'CleanDeletedClients', enable: true, option: {} },
  { name: 'CleanDeletedInstances', enable: true, option: {} },
  { name: 'CleanConfigReleaseHistory', enable: true, option: {} },
];

export function parseMaintain(s: Section): MaintainConfig {
  const items = s.list('jobs');
  const jobs = items
    ? items.map(({ node, path }) => {
        const js = Section.of(s.ctx, path, node);
        const enable = js.bool('enable', false);
        const entry = parseEntry(js);
        if (!KNOWN_JOBS.includes(entry.name)) warn(s.ctx, `${path}.name`, `unknown maintain job "${entry.name}", it will not run`);
        return { name: entry.name, enable, option: entry.option };
      })
    : DEFAULT_JOBS.map((j) => ({ ...j, option: {} }));
  const memoryReclaim = parseMemoryReclaim(s.section('memoryReclaim'));
  s.finish();
  return { jobs, memoryReclaim };
}

function parseMemoryReclaim(s: Section): MemoryReclaimConfig {
  const d = DEFAULT_MEMORY_RECLAIM;
  const out: MemoryReclaimConfig = {
    enable: s.bool('enable', d.enable),
    checkIntervalMs: s.duration('checkInterval', d.checkIntervalMs),
    growthBytes: s.int('growthMiB', d.growthBytes / 1048576, { min: 1 }) * 1048576,
    idleBelow: s.num('idleBelow', d.idleBelow),
    minIntervalMs: s.duration('minInterval', d.minIntervalMs),
  };
  if (out.checkIntervalMs < 100) invalid(s.ctx, s.at('checkInterval'), `must be at least 100ms, got ${out.checkIntervalMs}ms`, s.get('checkInterval'));
  if (!(out.idleBelow > 0 && out.idleBelow <= 1)) invalid(s.ctx, s.at('idleBelow'), `must be above 0 and at most 1, got ${out.idleBelow}`, s.get('idleBelow'));
  s.finish();
  return out;
}
