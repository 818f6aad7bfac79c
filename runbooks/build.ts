#!/usr/bin/env node
/**
 * Runbook "build" (Env B): run a builder (rootfs, base-image, disk-image) from the bundle's lock against the
 * served repository, in the sandbox; writes results/<version>/build.json, airgap.json and the
 * build log. Exit 1 when the build fails or anything tried to leave. The page is runbooks/build.mdx.
 */
import { z } from 'zod';
import { build } from '../src/build/build.ts';
import { evidencePath, main, resultsDir, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'build', title: 'Build the base image inside the gap', environment: 'B (disconnected)' };

export const schema = z.object({
  builder: z.enum(['rootfs', 'base-image', 'disk-image']).default('base-image').describe('what to build'),
  bundle: z.string().describe('the verified bundle (or release) directory whose lock says what to build'),
  server: z.string().default('http://127.0.0.1:8081').describe('the repository server (airgap serve)'),
  registry: z.string().optional().describe('registry the image is pushed to (default: the server itself)'),
  pushDir: z.string().optional().describe('the server\'s push directory, if airgap serve was given --push-dir (default: found from --server)'),
  out: z.string().optional().describe('outputs and scratch (default: .work/build/<version>/<builder>)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
}).strict();

export type BuildParams = z.output<typeof schema>;

export function plan(p: BuildParams): string[] {
  return [
    `Read ${p.bundle}/factory.lock.json: its build section says what the ${p.builder} is made of`,
    `Start the sandbox: a network namespace whose only way out is ${p.server}; every other lookup and connection refused and recorded`,
    `Build the ${p.builder} inside it into ${p.out ?? `.work/build/<version>/${p.builder}`}${p.builder === 'disk-image' ? ', then boot-test it under QEMU' : ''}${p.builder === 'base-image' ? `, and push the image to ${p.registry ?? p.server}` : ''}`,
    `Write evidence ${evidencePath(p.results, 'build.json')}, airgap.json and the build log; fail if anything tried to leave`,
  ];
}

export async function run(p: BuildParams, ctx: RunContext): Promise<number> {
  const r = await build({
    builder: p.builder, dir: p.bundle, serverUrl: p.server, registry: p.registry, pushDir: p.pushDir, outDir: p.out,
    allowEgressAttempts: false, resultsDir: resultsDir(p.results), args: [], log: ctx.log,
  });
  ctx.echo(`${r.ok ? 'OK' : 'FAILED'}: build ${r.entry.builder}: ${r.entry.egressAttempts} attempt(s) to leave the sandbox${r.entry.error ? `: ${r.entry.error}` : ''}`);
  for (const o of r.entry.outputs) ctx.echo(`  ${o.name} ${o.ref ? `${o.ref}@` : ''}${o.digest}`);
  ctx.echo(`evidence ${r.evidence.build}, ${r.evidence.airgap}; log ${r.entry.log.file}`);
  return r.ok ? 0 : 1;
}

if (import.meta.main) await main({ meta, schema, plan, run });
