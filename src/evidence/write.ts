import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.ts';
import { releaseVersion } from '../manifest/version.ts';
import { evidenceSchemas, type Evidence, type EvidenceStep } from './schemas.ts';

export const TOOL = 'airgap 0.1.0';

/** Validate, then write results/<version>/<step>.json; invalid evidence is a bug, never written. */
export async function writeEvidence<S extends EvidenceStep>(resultsDir: string, step: S, data: Omit<Evidence<S>, 'step' | 'at' | 'tool'>): Promise<string> {
  const value = evidenceSchemas[step].parse({ step, at: new Date().toISOString(), tool: TOOL, ...data });
  const version = (value as { version: string }).version;
  // The version names a directory; from an unverified bundle it could be "../..".
  if (!releaseVersion.safeParse(version).success) throw new Error(`evidence: unsafe version "${version}"`);
  const path = join(resultsDir, version, `${step}.json`);
  await writeJsonAtomic(path, value);
  return path;
}
