#!/usr/bin/env node
/**
 * Runbook "lock" (Env A): resolve releases/<version>/factory.yaml into factory.lock.json and write
 * results/<version>/lock.json. The page is runbooks/lock.mdx.
 */
import { argv, echo } from 'zx';
import { lockStep } from '../src/pipeline/steps.ts';
import { say } from '../src/util/progress.ts';
import { entry, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'lock', title: 'Lock a release', environment: 'A (connected)' };

export const params: ParamSpec[] = [
  { name: 'release', help: 'release directory holding factory.yaml, e.g. releases/2.0.0', required: true },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
  { name: 'source-date-epoch', help: 'fix the lock timestamp (whole seconds since 1970); same as SOURCE_DATE_EPOCH' },
];

export interface LockParams {
  release: string;
  results?: string;
  sourceDateEpoch?: string;
  log?: (m: string) => void;
}

export async function run(p: LockParams) {
  const before = process.env.SOURCE_DATE_EPOCH;
  if (p.sourceDateEpoch !== undefined) process.env.SOURCE_DATE_EPOCH = p.sourceDateEpoch;
  try {
    return await lockStep(p.release, { resultsDir: resultsDir(p.results), log: p.log ?? say });
  } finally {
    if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = before;
  }
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const r = await run({ release: str(v.release)!, results: str(v.results), sourceDateEpoch: str(v['source-date-epoch']) });
    echo(`locked ${r.lock.artifacts.length} artifacts of release ${r.lock.version} → ${r.path}`);
    for (const a of r.lock.artifacts) echo(`  ${a.id}  ${a.version}`);
    echo(`lock sha256 ${r.sha256} (created ${r.lock.created})`);
    echo(`evidence ${r.evidence}`);
    return 0;
  });
}
