#!/usr/bin/env node
/**
 * Runbook "bundle" (Env A): write the signed bundle (volumes, toc.json, toc.json.minisig,
 * SHA256SUMS, factory.lock.json) and results/<version>/bundle.json. The page is runbooks/bundle.mdx.
 */
import { z } from 'zod';
import { bundleStep } from '../src/pipeline/steps.ts';
import { formatSize, isSize, parseSize } from '../src/util/size.ts';
import { evidencePath, main, resultsDir, type RunContext, type RunbookMeta } from './lib/runbook.ts';
import { storeDir } from './mirror.ts';

export const meta: RunbookMeta = { id: 'bundle', title: 'Write the signed bundle for the media', environment: 'A (connected)' };

export const schema = z.object({
  release: z.string().describe('release directory holding factory.lock.json'),
  out: z.string().describe('output directory for the bundle (one medium, or a staging directory)'),
  key: z.string().describe('secret signing key written by `airgap keygen` (its path; the key stays in its file)'),
  volumeSize: z.string().default('4G').refine(isSize, 'not a size: write it like 4G, 700M or 1048576').describe('largest volume, e.g. 4G, 700M, 25G'),
  store: z.string().optional().describe('the content-addressed store directory (default: $AIRGAP_STORE or ./airgap-store)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
}).strict();

export type BundleParams = z.output<typeof schema>;

export function plan(p: BundleParams): string[] {
  return [
    `Read ${p.release}/factory.lock.json and find every artifact in the store ${p.store ?? '$AIRGAP_STORE or ./airgap-store'}`,
    `Write volumes of at most ${p.volumeSize} into ${p.out}, split at file boundaries, with toc.json, SHA256SUMS and factory.lock.json`,
    `Sign toc.json with ${p.key} (toc.json.minisig)`,
    `Write evidence ${evidencePath(p.results, 'bundle.json')}`,
  ];
}

export async function run(p: BundleParams, ctx: RunContext): Promise<number> {
  const r = await bundleStep(
    { releaseDir: p.release, storeRoot: storeDir(p.store), outDir: p.out, keyPath: p.key, volumeSize: parseSize(p.volumeSize) },
    { resultsDir: resultsDir(p.results), log: ctx.log },
  );
  const bytes = r.toc.volumes.reduce((n, x) => n + x.size, 0);
  ctx.echo(`bundle ${r.outDir}: release ${r.toc.release}, ${r.toc.artifacts.length} artifacts in ${r.toc.volumes.length} volume(s), ${formatSize(bytes)}`);
  for (const x of r.toc.volumes) ctx.echo(`  ${x.name}  ${formatSize(x.size)}  ${x.blobs} blobs  sha256 ${x.sha256}`);
  ctx.echo(`toc.json sha256 ${r.tocSha256}`);
  ctx.echo(`signed by key ${r.signer.keyId} (${r.signer.fingerprint})`);
  ctx.echo(`evidence ${r.evidence}`);
  return 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
