#!/usr/bin/env node
/**
 * Runbook "lock" (Env A): resolve releases/<version>/factory.yaml into factory.lock.json and write
 * results/<version>/lock.json. The page is runbooks/lock.mdx.
 */
import { z } from 'zod';
import { lockStep } from '../src/pipeline/steps.ts';
import { evidencePath, main, resultsDir, secret, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'lock', title: 'Lock a release', environment: 'A (connected)' };

export const schema = z.object({
  release: z.string().describe('release directory holding factory.yaml, e.g. releases/2.0.0'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
  sourceDateEpoch: z.string().regex(/^\d+$/, 'whole seconds since 1970').optional().describe('fix the lock timestamp (whole seconds since 1970); same as SOURCE_DATE_EPOCH'),
  registryAuth: secret('AIRGAP_REGISTRY_AUTH', 'registry credentials, "host:port=user:password[,…]", for images that need a login'),
}).strict();

export type LockParams = z.output<typeof schema>;

export function plan(p: LockParams): string[] {
  return [
    `Read ${p.release}/factory.yaml and check it against the manifest schema`,
    'Resolve every artifact to a pin (sha256, image digest, commit, wheel, package version), asking the upstreams it names',
    `Write ${p.release}/factory.lock.json${p.sourceDateEpoch ? `, created at ${p.sourceDateEpoch} (seconds since 1970)` : ''}`,
    `Write evidence ${evidencePath(p.results, 'lock.json')}`,
  ];
}

export async function run(p: LockParams, ctx: RunContext): Promise<number> {
  const before = process.env.SOURCE_DATE_EPOCH;
  if (p.sourceDateEpoch !== undefined) process.env.SOURCE_DATE_EPOCH = p.sourceDateEpoch;
  try {
    const r = await lockStep(p.release, { resultsDir: resultsDir(p.results), log: ctx.log });
    ctx.echo(`locked ${r.lock.artifacts.length} artifacts of release ${r.lock.version} → ${r.path}`);
    for (const a of r.lock.artifacts) ctx.echo(`  ${a.id}  ${a.version}`);
    ctx.echo(`lock sha256 ${r.sha256} (created ${r.lock.created})`);
    ctx.echo(`evidence ${r.evidence}`);
    return 0;
  } finally {
    if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = before;
  }
}

if (import.meta.main) await main({ meta, schema, plan, run });
