#!/usr/bin/env node
/**
 * Runbook "preflight" (Env B, and Env A for the tools): seed 001's readiness checklist as checks
 * the machine runs. Writes no evidence. The page is runbooks/preflight.mdx.
 */
import { z } from 'zod';
import { preflight } from '../src/preflight/checks.ts';
import { isSize, parseSize } from '../src/util/size.ts';
import { main, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'preflight', title: 'Check a machine is ready to build', environment: 'B (disconnected)' };

export const schema = z.object({
  dir: z.string().optional().describe('a release or bundle directory: its lock sizes the disk check'),
  store: z.string().default('.work/store').describe('where the store is (or will be)'),
  server: z.string().default('http://127.0.0.1:8081').describe('the repository server builds will use'),
  minFree: z.string().default('10G').refine(isSize, 'not a size: write it like 10G, 500M').describe('free space wanted when no lock says more'),
}).strict();

export type PreflightParams = z.output<typeof schema>;

export function plan(p: PreflightParams): string[] {
  return [
    'Check the host tools each stage needs are installed',
    `Check free space for the store ${p.store}: ${p.dir ? `twice the artifacts of ${p.dir}'s lock, at least ` : ''}${p.minFree}`,
    `Check the repository server ${p.server} answers`,
    `Start the build sandbox and try http://1.1.1.1/ and a lookup of example.org from inside: both must be refused and recorded`,
    'Write nothing',
  ];
}

export async function run(p: PreflightParams, ctx: RunContext): Promise<number> {
  const checks = await preflight({ dir: p.dir, store: p.store, serverUrl: p.server, minFree: parseSize(p.minFree) }, ctx.log);
  for (const c of checks) ctx.echo(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}${c.fix ? `\n        → ${c.fix}` : ''}`);
  const bad = checks.filter((c) => !c.ok).length;
  ctx.echo(bad ? `not ready: ${bad} check(s) failed` : 'ready');
  return bad ? 1 : 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
