#!/usr/bin/env node
/**
 * Runbook "verify" (Env B): check a bundle before anything is extracted and write
 * results/<version>/verify.json (results/unverified/verify.json when the signature fails).
 * Exit 1 names every bad volume, artifact or key. The page is runbooks/verify.mdx.
 */
import { z } from 'zod';
import { verifyStep } from '../src/pipeline/steps.ts';
import { evidencePath, main, resultsDir, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'verify', title: 'Verify a bundle that crossed the gap', environment: 'B (disconnected)' };

export const schema = z.object({
  bundle: z.string().describe('bundle directory holding toc.json, toc.json.minisig and the volumes'),
  trust: z.array(z.string()).min(1).describe('a trusted minisign public key (.pub)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
}).strict();

export type VerifyParams = z.output<typeof schema>;

export function plan(p: VerifyParams): string[] {
  return [
    `Check the signature of ${p.bundle}/toc.json against ${p.trust.join(', ')}`,
    `Check every volume in ${p.bundle} (size and sha256 against the TOC), the tar entries (no paths out, no links out, no devices) and completeness against the lock`,
    `Write evidence ${evidencePath(p.results, 'verify.json')} (results/unverified/ when the signature fails)`,
    'Extract nothing',
  ];
}

export async function run(p: VerifyParams, ctx: RunContext): Promise<number> {
  const r = await verifyStep(p.bundle, p.trust, { resultsDir: resultsDir(p.results), log: ctx.log });
  if (r.ok) {
    ctx.echo(`OK: ${r.bundleDir}: release ${r.toc?.release}, ${r.volumes.length} volume(s) verified`);
    ctx.echo(`signed by key ${r.key?.keyId} (${r.key?.fingerprint}); toc.json sha256 ${r.tocSha256}`);
  } else {
    ctx.echo(`FAILED: ${r.bundleDir}`);
    for (const x of r.problems) ctx.echo(`  ${[x.volume, x.artifact].filter(Boolean).join(' ')}${x.volume || x.artifact ? ': ' : ''}${x.message}`);
  }
  ctx.echo(`evidence ${r.evidence}`);
  return r.ok ? 0 : 1;
}

if (import.meta.main) await main({ meta, schema, plan, run });
