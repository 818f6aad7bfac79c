#!/usr/bin/env node
/**
 * Runbook "mirror" (Env A): fetch every artifact of factory.lock.json into the content-addressed
 * store and write results/<version>/mirror.json. The page is runbooks/mirror.mdx.
 */
import { z } from 'zod';
import { mirrorStep } from '../src/pipeline/steps.ts';
import { formatSize } from '../src/util/size.ts';
import { evidencePath, main, resultsDir, secret, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'mirror', title: 'Mirror a locked release into the store', environment: 'A (connected)' };

export const schema = z.object({
  release: z.string().describe('release directory holding factory.lock.json'),
  store: z.string().optional().describe('the content-addressed store directory (default: $AIRGAP_STORE or ./airgap-store)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
  registryAuth: secret('AIRGAP_REGISTRY_AUTH', 'registry credentials, "host:port=user:password[,…]", for images that need a login'),
}).strict();

export type MirrorParams = z.output<typeof schema>;

export const storeDir = (given?: string) => given ?? process.env.AIRGAP_STORE ?? 'airgap-store';

export function plan(p: MirrorParams): string[] {
  return [
    `Read ${p.release}/factory.lock.json`,
    `Fetch every artifact it pins that is not yet in the store ${p.store ?? '$AIRGAP_STORE or ./airgap-store'}, hashing while writing; refuse bytes that do not match their pin`,
    `Write evidence ${evidencePath(p.results, 'mirror.json')}`,
  ];
}

export async function run(p: MirrorParams, ctx: RunContext): Promise<number> {
  const store = storeDir(p.store);
  const r = await mirrorStep(p.release, store, { resultsDir: resultsDir(p.results), log: ctx.log });
  const fetched = r.artifacts.filter((a) => a.fetched).length;
  ctx.echo(`mirrored ${r.artifacts.length} artifacts of release ${r.version} into ${store}`);
  ctx.echo(`  ${fetched} fetched (${formatSize(r.bytesFetched)}), ${r.artifacts.length - fetched} already in the store`);
  for (const a of r.artifacts) ctx.echo(`  ${a.id}  ${a.blobs[0]?.digest ?? '-'}${a.fetched ? '' : '  (already there)'}`);
  ctx.echo(`evidence ${r.evidence}`);
  return 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
