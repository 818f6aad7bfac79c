#!/usr/bin/env node
/**
 * Runbook "verify" (Env B): check a bundle before anything is extracted and write
 * results/<version>/verify.json (results/unverified/verify.json when the signature fails).
 * Exit 1 names every bad volume, artifact or key. The page is runbooks/verify.mdx.
 */
import { argv, echo } from 'zx';
import { verifyStep } from '../src/pipeline/steps.ts';
import { say } from '../src/util/progress.ts';
import { entry, list, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'verify', title: 'Verify a bundle that crossed the gap', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'bundle', help: 'bundle directory holding toc.json, toc.json.minisig and the volumes', required: true },
  { name: 'trust', help: 'a trusted minisign public key (.pub)', required: true, multiple: true },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface VerifyParams {
  bundle: string;
  trust: string[];
  results?: string;
  log?: (m: string) => void;
}

export async function run(p: VerifyParams) {
  return verifyStep(p.bundle, p.trust, { resultsDir: resultsDir(p.results), log: p.log ?? say });
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const r = await run({ bundle: str(v.bundle)!, trust: list(v.trust), results: str(v.results) });
    if (r.ok) {
      echo(`OK: ${r.bundleDir}: release ${r.toc?.release}, ${r.volumes.length} volume(s) verified`);
      echo(`signed by key ${r.key?.keyId} (${r.key?.fingerprint}); toc.json sha256 ${r.tocSha256}`);
    } else {
      echo(`FAILED: ${r.bundleDir}`);
      for (const x of r.problems) echo(`  ${[x.volume, x.artifact].filter(Boolean).join(' ')}${x.volume || x.artifact ? ': ' : ''}${x.message}`);
    }
    echo(`evidence ${r.evidence}`);
    return r.ok ? 0 : 1;
  });
}
