import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evidenceSchemas, type Evidence, type EvidenceStep } from './schemas.ts';
import { UsageError } from '../util/errors.ts';

/** An evidence file written earlier, for steps that append (build, airgap, publish); undefined if none. */
export async function readEvidence<S extends EvidenceStep>(resultsDir: string, version: string, step: S): Promise<Evidence<S> | undefined> {
  const text = await readFile(join(resultsDir, version, `${step}.json`), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { raw = undefined; }
  const parsed = evidenceSchemas[step].safeParse(raw);
  // an unreadable earlier file is not silently replaced: it stays the operator's to look at
  if (!parsed.success) throw new UsageError(`results/${version}/${step}.json does not match its schema; not appending to it`, 'move it aside and build again');
  return parsed.data as Evidence<S>;
}
