#!/usr/bin/env node
/**
 * Runbook "import" (Env B): verify the bundle again, stream it into the embedded repository
 * (journaled; a rerun resumes) and write results/<version>/import.json. The page is
 * runbooks/import.mdx.
 */
import { argv, echo } from 'zx';
import { importStep } from '../src/pipeline/steps.ts';
import { say } from '../src/util/progress.ts';
import { entry, list, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'import', title: 'Import a verified bundle into the repository', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'bundle', help: 'bundle directory holding toc.json, toc.json.minisig and the volumes', required: true },
  { name: 'trust', help: 'a trusted minisign public key (.pub)', required: true, multiple: true },
  { name: 'to', help: 'the repository directory that `airgap serve --root` serves', required: true },
  { name: 'registry', help: 'also push every image to this OCI registry (http://host:port for plain HTTP)' },
  { name: 'apt-key', help: 'OpenPGP secret key that signs the apt repositories (airgap keygen --openpgp); needed when the release has Debian packages' },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface ImportParams {
  bundle: string;
  trust: string[];
  to: string;
  registry?: string;
  aptKey?: string;
  results?: string;
  log?: (m: string) => void;
}

export async function run(p: ImportParams) {
  return importStep(p.bundle, p.trust, p.to, { resultsDir: resultsDir(p.results), log: p.log ?? say }, p.registry, p.aptKey);
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const to = str(v.to)!;
    const r = await run({ bundle: str(v.bundle)!, trust: list(v.trust), to, registry: str(v.registry), aptKey: str(v['apt-key']), results: str(v.results) });
    echo(`imported release ${r.release} into ${to}`);
    echo(`  blobs: ${r.blobs.imported} written, ${r.blobs.present} already there, ${r.blobs.rechecked} re-hashed in place`);
    for (const a of r.artifacts) echo(`  ${a.id} → ${a.placed.join(', ')}`);
    echo(`journal ${r.journal}`);
    echo(`evidence ${r.evidence}`);
    return 0;
  });
}
