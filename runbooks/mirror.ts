#!/usr/bin/env node
/**
 * Runbook "mirror" (Env A): fetch every artifact of factory.lock.json into the content-addressed
 * store and write results/<version>/mirror.json. The page is runbooks/mirror.mdx.
 */
import { argv, echo } from 'zx';
import { mirrorStep } from '../src/pipeline/steps.ts';
import { say } from '../src/util/progress.ts';
import { formatSize } from '../src/util/size.ts';
import { entry, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'mirror', title: 'Mirror a locked release into the store', environment: 'A (connected)' };

export const params: ParamSpec[] = [
  { name: 'release', help: 'release directory holding factory.lock.json', required: true },
  { name: 'store', help: 'the content-addressed store directory', default: '$AIRGAP_STORE or ./airgap-store' },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface MirrorParams {
  release: string;
  store?: string;
  results?: string;
  log?: (m: string) => void;
}

export const storeDir = (given?: string) => given ?? process.env.AIRGAP_STORE ?? 'airgap-store';

export async function run(p: MirrorParams) {
  return mirrorStep(p.release, storeDir(p.store), { resultsDir: resultsDir(p.results), log: p.log ?? say });
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const store = storeDir(str(v.store));
    const r = await run({ release: str(v.release)!, store, results: str(v.results) });
    const fetched = r.artifacts.filter((a) => a.fetched).length;
    echo(`mirrored ${r.artifacts.length} artifacts of release ${r.version} into ${store}`);
    echo(`  ${fetched} fetched (${formatSize(r.bytesFetched)}), ${r.artifacts.length - fetched} already in the store`);
    for (const a of r.artifacts) echo(`  ${a.id}  ${a.blobs[0]?.digest ?? '-'}${a.fetched ? '' : '  (already there)'}`);
    echo(`evidence ${r.evidence}`);
    return 0;
  });
}
