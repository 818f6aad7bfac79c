import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { FLOORS, EXCEPTIONS } from './layers-rules.ts';

/**
 * The layer check (adr/0023): every relative import under src/ read with the TypeScript compiler's
 * own pre-processor (static, type-only, re-exports and dynamic import()), then two rules: no file
 * imports from a floor above its own unless EXCEPTIONS says why, and no import cycle between files.
 * test/layers.test.ts runs it on src/ (so `npm test` and CI do), and on a planted tree to show it
 * fails. `node scripts/layers.ts [--graph]` prints the problems (or the directory graph).
 */
export interface Edge { from: string; to: string }
export interface LayerReport { problems: string[]; edges: Edge[] }

export function importsOf(root: string): Edge[] {
  const edges: Edge[] = [];
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
  const base = dirname(root);
  for (const file of walk(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const f of info.importedFiles) {
      if (!f.fileName.startsWith('.')) continue;
      const to = posix(relative(base, resolve(dirname(file), f.fileName)));
      // only imports within the tree: src/runner reads runbooks/lib, which is not on a floor of src/
      if (to.startsWith(`${posix(relative(base, root))}/`)) edges.push({ from: posix(relative(base, file)), to });
    }
  }
  return edges;
}

const posix = (p: string) => p.split(sep).join('/');

type Rules = { floors: typeof FLOORS; exceptions: typeof EXCEPTIONS };

/** The floor of a file (`src/a/b.ts`): its longest matching member; undefined when on none. */
export function floorOf(file: string, floors: Rules['floors']): number | undefined {
  const rel = file.split('/').slice(1).join('/');
  let best: { floor: number; len: number } | undefined;
  floors.forEach((f, floor) => {
    for (const m of f.members) {
      if ((rel === m || rel.startsWith(`${m}/`)) && (!best || m.length > best.len)) best = { floor, len: m.length };
    }
  });
  return best?.floor;
}

export function checkLayers(root: string, rules: Rules = { floors: FLOORS, exceptions: EXCEPTIONS }): LayerReport {
  const edges = importsOf(root);
  const problems: string[] = [];
  const used = new Set<number>();
  const unplaced = new Set<string>();
  for (const e of edges) {
    const [a, b] = [floorOf(e.from, rules.floors), floorOf(e.to, rules.floors)];
    for (const [f, x] of [[e.from, a], [e.to, b]] as const) if (x === undefined && !f.endsWith('.d.ts')) unplaced.add(f.split('/').slice(0, 2).join('/'));
    if (a === undefined || b === undefined || b <= a) continue;
    const ex = rules.exceptions.findIndex((x) => e.from.startsWith(x.from) && e.to.startsWith(x.to));
    if (ex >= 0) { used.add(ex); continue; }
    problems.push(`${e.from} (floor ${rules.floors[a].name}) imports ${e.to} (floor ${rules.floors[b].name}), a floor above it`);
  }
  for (const u of unplaced) problems.push(`${u} is on no floor: put it on one in scripts/layers-rules.ts`);
  rules.exceptions.forEach((x, i) => { if (!used.has(i)) problems.push(`exception ${x.from} → ${x.to} matches no import any more: remove it`); });
  for (const cycle of cycles(edges)) problems.push(`import cycle: ${cycle.join(' → ')}`);
  return { problems, edges };
}

/** Strongly connected components of more than one file (or a file importing itself), as paths. */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n); low.set(v, n); n++;
    stack.push(v); on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || next.get(v)?.includes(v)) out.push([...comp.reverse(), comp[0]]);
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** Directory → directories it imports from, for deriving the floors. */
export function directoryGraph(edges: Edge[]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [e.from.split('/')[1], e.to.split('/')[1]];
    if (a !== b) g.set(a, (g.get(a) ?? new Set()).add(b));
  }
  return g;
}

if (import.meta.filename === process.argv[1]) {
  const root = resolve(import.meta.dirname, '../src');
  const r = checkLayers(root);
  if (process.argv.includes('--graph')) {
    for (const [d, to] of [...directoryGraph(r.edges)].sort()) console.log(`${d} → ${[...to].sort().join(' ')}`);
  }
  for (const p of r.problems) console.error(p);
  process.exitCode = r.problems.length ? 1 : 0;
}
