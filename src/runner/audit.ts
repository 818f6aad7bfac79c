import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FormatError } from '../util/errors.ts';

/**
 * The audit line: one JSON line per run in results/<version>/runs/runs.jsonl, appended when the
 * run ends, with secrets already masked. The runner writes it, the site's runs page reads it, with
 * this one schema.
 */
export const runRecord = z.object({
  id: z.string().regex(/^[0-9TZ]+-[a-z0-9-]+-[0-9a-f]+$/),
  runbook: z.string(),
  version: z.string(),
  dryRun: z.boolean(),
  /** what was asked for, every secret as "***" */
  params: z.record(z.string(), z.union([z.string(), z.array(z.string()), z.boolean()])),
  /** the script and its arguments, exactly as spawned (secrets are never arguments) */
  argv: z.array(z.string()),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  durationMs: z.number().int().nonnegative(),
  status: z.enum(['ok', 'failed', 'cancelled']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** files under results/ the run created or changed */
  evidence: z.array(z.string()),
  /** evidence files a secret was masked in */
  redacted: z.array(z.string()),
  /** the run's log, masked, under results/ */
  log: z.string(),
}).strict();

export type RunRecord = z.infer<typeof runRecord>;

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

/**
 * Which version a run belongs to: its own `version` parameter; else the one version directory its
 * evidence went to; else the runner's --version; else "unversioned".
 */
export function runVersion(params: Record<string, unknown>, evidence: string[], runnerVersion?: string): string {
  if (typeof params.version === 'string' && VERSION.test(params.version)) return params.version;
  const dirs = [...new Set(evidence.map((f) => f.split('/')[0]))];
  if (dirs.length === 1 && VERSION.test(dirs[0])) return dirs[0];
  return runnerVersion && VERSION.test(runnerVersion) ? runnerVersion : 'unversioned';
}

export const runsDir = (results: string, version: string) => join(results, version, 'runs');

export async function appendRun(results: string, r: RunRecord): Promise<string> {
  const dir = runsDir(results, r.version);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'runs.jsonl');
  await appendFile(file, JSON.stringify(runRecord.parse(r)) + '\n');
  return file;
}

/**
 * Every audit line under results/, by version (sorted), newest run first. A line that does not
 * match the schema stops the reader, naming the file and the line: an audit that cannot be read
 * is not shown as if it were complete.
 */
export async function readRuns(results: string): Promise<{ version: string; runs: RunRecord[] }[]> {
  const versions = (await readdir(results, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const out: { version: string; runs: RunRecord[] }[] = [];
  for (const version of versions) {
    const text = await readFile(join(runsDir(results, version), 'runs.jsonl'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const runs = text.split('\n').flatMap((line, i) => {
      if (!line.trim()) return [];
      const where = `results/${version}/runs/runs.jsonl:${i + 1}`;
      let raw: unknown;
      try { raw = JSON.parse(line); } catch (err) { throw new FormatError(where, undefined, `not JSON: ${(err as Error).message}`); }
      const r = runRecord.safeParse(raw);
      if (!r.success) throw new FormatError(where, undefined, r.error.issues.map((x) => `field "${x.path.join('.') || '(root)'}": ${x.message}`).join('; '));
      return [r.data];
    });
    out.push({ version, runs: runs.reverse() });
  }
  return out;
}
