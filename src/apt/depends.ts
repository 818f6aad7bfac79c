import { FormatError } from '../util/errors.ts';
/** One alternative of a dependency: `name[:arch] [(op version)]`. */
export interface Relation { name: string; arch?: string; op?: string; version?: string }

/** `a (>= 1.0) | b, c:any` → [[a>=1.0, b], [c:any]] (Depends, Pre-Depends, Provides syntax). */
export function parseDepends(text: string | undefined, where = 'a Debian relation list', field = 'Depends'): Relation[][] {
  if (!text?.trim()) return [];
  return text.split(',').map((group) => group.split('|').map((alt) => {
    const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>)?\s*$/.exec(alt);
    if (!m) throw new FormatError(where, field, `unparsable relation "${alt.trim()}"`);
    return { name: m[1], ...(m[2] ? { arch: m[2] } : {}), ...(m[3] ? { op: m[3], version: m[4] } : {}) };
  }));
}

export const formatRelation = (r: Relation) => `${r.name}${r.arch ? `:${r.arch}` : ''}${r.op ? ` (${r.op} ${r.version})` : ''}`;
