import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../util/errors.ts';

/** diskimage-builder's phases, in its order; `block-device` is the builder's own disk step. */
export const PHASES = ['root.d', 'extra-data.d', 'pre-install.d', 'install.d', 'post-install.d', 'finalise.d', 'cleanup.d'] as const;
export type Phase = (typeof PHASES)[number];
/** Phases DIB runs inside the image (chroot); the others run outside with TARGET_ROOT. */
export const IN_CHROOT: ReadonlySet<Phase> = new Set(['pre-install.d', 'install.d', 'post-install.d', 'finalise.d']);

export const BUILTIN_ELEMENTS = resolve(import.meta.dirname, '../../elements');

export interface PhaseScript { element: string; name: string; path: string }
export interface ElementPlan {
  /** elements in dependency order (each after what it depends on) */
  elements: { name: string; dir: string }[];
  /** environment.d files of every element, sourced before each script (DIB sorts them by name) */
  environment: PhaseScript[];
  /** per phase, every element's scripts sorted by file name across elements, as DIB runs them */
  phases: Record<Phase, PhaseScript[]>;
  /** package-installs.yaml, by the phase they are installed in (default install.d); `when` as DIB writes it */
  packages: Record<Phase, { name: string; when: string[] }[]>;
}

/** DIB's package-installs `when`: `VAR = value` or `VAR != value`, every one must hold. */
const WHEN = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*(.*?)\s*$/;
export function whenHolds(conditions: string[], env: Record<string, string | undefined>): boolean {
  return conditions.every((c) => {
    const [, name, op, value] = WHEN.exec(c)!;
    return op === '=' ? (env[name] ?? '') === value : (env[name] ?? '') !== value;
  });
}

async function findElement(name: string, path: string[]): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`element "${name}": not an element name`);
  for (const dir of path) {
    const d = join(dir, name);
    if (existsSync(d) && (await stat(d)).isDirectory()) return d;
  }
  throw new UsageError(`element "${name}" not found`, `looked in: ${path.join(', ')}; add its directory to build.disk-image.elementsPath in factory.yaml and lock again`);
}

const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

/**
 * Resolve element names (and their element-deps) on the search path into the plan the phase
 * runner executes. Pure reading: nothing runs here.
 */
export async function planElements(names: string[], path: string[]): Promise<ElementPlan> {
  const order: { name: string; dir: string }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = async (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new UsageError(`element-deps cycle: ${[...chain, name].join(' → ')}`);
    state.set(name, 'visiting');
    const dir = await findElement(name, path);
    for (const dep of await lines(join(dir, 'element-deps'))) await visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push({ name, dir });
  };
  for (const n of names) await visit(n, []);

  const phases = Object.fromEntries(PHASES.map((p) => [p, [] as PhaseScript[]])) as ElementPlan['phases'];
  const packages = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as ElementPlan['packages'];
  const environment: PhaseScript[] = [];
  for (const e of order) {
    for (const phase of PHASES) {
      for (const f of (await readdir(join(e.dir, phase)).catch(() => [] as string[])).sort()) {
        const p = join(e.dir, phase, f);
        if ((await stat(p)).isFile() && !f.startsWith('.')) phases[phase].push({ element: e.name, name: f, path: p });
      }
    }
    for (const f of (await readdir(join(e.dir, 'environment.d')).catch(() => [] as string[])).sort()) environment.push({ element: e.name, name: f, path: join(e.dir, 'environment.d', f) });
    const yml = join(e.dir, 'package-installs.yaml');
    if (existsSync(yml)) {
      const doc = (parse(await readFile(yml, 'utf8')) ?? {}) as Record<string, null | { phase?: string; uninstall?: boolean; arch?: string; when?: string | string[] }>;
      for (const [pkg, opt] of Object.entries(doc)) {
        if (opt?.uninstall) continue;
        const phase = (opt?.phase ?? 'install.d') as Phase;
        if (!PHASES.includes(phase) || !IN_CHROOT.has(phase)) throw new UsageError(`${yml}: ${pkg}: phase ${opt?.phase} is not one packages can be installed in`);
        if (opt?.arch && !opt.arch.split(',').map((a) => a.trim()).includes('amd64')) continue;
        const when = opt?.when === undefined ? [] : Array.isArray(opt.when) ? opt.when : [opt.when];
        for (const w of when) if (!WHEN.test(w)) throw new UsageError(`${yml}: ${pkg}: when "${w}" is not VAR = value or VAR != value`);
        packages[phase].push({ name: pkg, when });
      }
    }
  }
  for (const phase of PHASES) phases[phase].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.element < b.element ? -1 : 1));
  environment.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { elements: order, environment, phases, packages };
}
