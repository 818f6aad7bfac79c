// a JSON import, not a read at run time: bundlers (the site's Vite build) carry it along
import data from './data/kolla-2024.1-options.json' with { type: 'json' };

/**
 * What Kolla 2024.1's kolla-build accepts, read once from the data file taken from Kolla's own
 * source (src/kolla/data/kolla-2024.1-options.json names the commit). Kolla (oslo.config) ignores
 * unknown keys silently, so everything we render is checked against this before it is written.
 */
export interface KollaOptions {
  source: { repository: string; commit: string; ref: string };
  default: Record<string, { type: string; default?: unknown }>;
  sourceSectionOptions: string[];
  userSectionOptions: string[];
  userSections: Record<string, unknown>;
  sources: Record<string, { type: string; location: string }>;
  profiles: Record<string, string[]>;
  baseTemplateBlocks: string[];
  reposYaml: { topLevelKeys: string[]; debianEntryKeys: string[] };
}

export const KOLLA_2024_1 = data as unknown as KollaOptions;
