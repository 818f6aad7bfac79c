#!/usr/bin/env node
/**
 * Runbook "import" (Env B): verify the bundle again, stream it into the embedded repository
 * (journaled; a rerun resumes) and write results/<version>/import.json. The page is
 * runbooks/import.mdx.
 */
import { z } from 'zod';
import { importStep } from '../src/pipeline/steps.ts';
import { evidencePath, main, resultsDir, secret, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'import', title: 'Import a verified bundle into the repository', environment: 'B (disconnected)' };

export const schema = z.object({
  bundle: z.string().describe('bundle directory holding toc.json, toc.json.minisig and the volumes'),
  trust: z.array(z.string()).min(1).describe('a trusted minisign public key (.pub)'),
  to: z.string().describe('the repository directory that `airgap serve --root` serves'),
  registry: z.string().optional().describe('also push every image to this OCI registry (http://host:port for plain HTTP)'),
  aptKey: z.string().optional().describe('OpenPGP secret key that signs the apt repositories (airgap keygen --openpgp; its path); needed when the release has Debian packages'),
  allowRollback: z.boolean().default(false).describe('import a release older than one already imported (its bytes are served again under the same names)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
  registryAuth: secret('AIRGAP_REGISTRY_AUTH', 'credentials for --registry, "host:port=user:password"'),
}).strict();

export type ImportParams = z.output<typeof schema>;

export function plan(p: ImportParams): string[] {
  return [
    `Verify ${p.bundle} again against ${p.trust.join(', ')}; stop before writing anything if it fails`,
    `Stream every artifact into the repository ${p.to}, one journal entry each (a rerun resumes), and read each back`,
    ...(p.aptKey ? [`Sign the apt repositories' InRelease and Release.gpg with ${p.aptKey}`] : []),
    ...(p.registry ? [`Push every image to the registry ${p.registry}`] : []),
    ...(p.allowRollback ? ['Import it even if a newer release is already in the repository (a rollback, recorded in the journal)'] : []),
    `Write evidence ${evidencePath(p.results, 'import.json')}`,
  ];
}

export async function run(p: ImportParams, ctx: RunContext): Promise<number> {
  const r = await importStep(p.bundle, p.trust, p.to, { resultsDir: resultsDir(p.results), log: ctx.log }, { registry: p.registry, 'apt-key': p.aptKey }, p.allowRollback);
  ctx.echo(`imported release ${r.release} into ${p.to}`);
  ctx.echo(`  blobs: ${r.blobs.imported} written, ${r.blobs.present} already there, ${r.blobs.rechecked} re-hashed in place`);
  for (const a of r.artifacts) ctx.echo(`  ${a.id} → ${a.placed.join(', ')}`);
  ctx.echo(`journal ${r.journal}`);
  ctx.echo(`evidence ${r.evidence}`);
  return 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
