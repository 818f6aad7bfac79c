import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evidenceSchemas, type Evidence, type EvidenceStep } from '../../../src/evidence/schemas.ts';

declare const __RESULTS_DIR__: string;
export const resultsDir = __RESULTS_DIR__;
const STEPS = Object.keys(evidenceSchemas) as EvidenceStep[];

export interface ReleaseEvidence {
  version: string;
  steps: { [S in EvidenceStep]?: Evidence<S> };
  files: string[];
}

/**
 * Every results/<version>/<step>.json, parsed with the same zod schemas the CLI wrote it with.
 * A file that does not match stops the build, naming the file and the field: evidence that cannot
 * be read is not published.
 */
export function loadEvidence(): ReleaseEvidence[] {
  if (!existsSync(resultsDir)) return [];
  const out: ReleaseEvidence[] = [];
  for (const version of readdirSync(resultsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const dir = join(resultsDir, version);
    const steps: ReleaseEvidence['steps'] = {};
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    for (const step of STEPS) {
      const file = `${step}.json`;
      if (!files.includes(file)) continue;
      const where = `results/${version}/${file}`;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      } catch (err) {
        throw new Error(`${where}: not JSON: ${(err as Error).message}`);
      }
      const parsed = evidenceSchemas[step].safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${where}: field "${i.path.join('.') || '(root)'}": ${i.message}`);
        throw new Error(`invalid evidence\n${issues.join('\n')}`);
      }
      (steps as Record<string, unknown>)[step] = parsed.data;
    }
    if (Object.keys(steps).length) out.push({ version, steps, files });
  }
  return out;
}

export type Status = 'ok' | 'bad' | 'none';

/** One word per step for the versions index. */
export function statusOf(r: ReleaseEvidence): Record<EvidenceStep, Status> {
  const s = r.steps;
  return {
    lock: s.lock ? 'ok' : 'none',
    mirror: s.mirror ? 'ok' : 'none',
    bundle: s.bundle ? 'ok' : 'none',
    verify: s.verify ? (s.verify.ok ? 'ok' : 'bad') : 'none',
    import: s.import ? 'ok' : 'none',
    build: s.build ? (s.build.builds.some((b) => !b.ok) ? 'bad' : 'ok') : 'none',
    // an unread filter means the attempts are unknown: not a proof of none (build.ts fails such a build too)
    airgap: s.airgap ? (s.airgap.attempts === 0 && s.airgap.runs.every((r) => r.filterRead) ? 'ok' : 'bad') : 'none',
    publish: s.publish?.images.length ? 'ok' : 'none',
  };
}

/** lock → bundle → volumes → imported artifacts, as a mermaid flowchart built from the evidence. */
export function traceability(r: ReleaseEvidence): string | undefined {
  const { lock, bundle, import: imp } = r.steps;
  if (!lock) return undefined;
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');
  const q = (s: string) => `"${s.replace(/"/g, "'")}"`;
  const lines = ['flowchart LR', `  lock[${q(`lock ${lock.lockSha256.slice(0, 12)}`)}]`];
  if (bundle) {
    lines.push(`  toc[${q(`toc.json ${bundle.tocSha256.slice(0, 12)}<br/>signed ${bundle.signer.keyId}`)}]`, '  lock --> toc');
    for (const v of bundle.volumes) lines.push(`  ${id(v.name)}[${q(`${v.name}<br/>${v.sha256.slice(0, 12)}`)}]`, `  toc --> ${id(v.name)}`);
  }
  const placed = new Map(imp?.artifacts.map((a) => [a.id, a]) ?? []);
  const carried = new Map(bundle?.artifacts.map((a) => [a.id, a.volume]) ?? []);
  for (const a of lock.artifacts) {
    lines.push(`  ${id(a.id)}([${q(`${a.id}<br/>${a.pin.slice(0, 12)}`)}])`);
    const volume = carried.get(a.id);
    lines.push(volume ? `  ${id(volume)} --> ${id(a.id)}` : `  lock --> ${id(a.id)}`);
    const p = placed.get(a.id);
    if (p) lines.push(`  ${id(a.id)} --> ${id(`repo_${a.id}`)}[${q(`imported: ${p.placed.join(', ')}`)}]`);
  }
  return lines.join('\n');
}
