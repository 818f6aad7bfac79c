#!/usr/bin/env node
/**
 * Runbook "build-kolla" (Env B): the operator's manual trigger of a Kolla build (seed 002, step 5):
 * preflight, then `airgap build kolla` from the bundle's lock against the served repositories,
 * kolla-build in the sandbox with its own Docker engine; writes results/<version>/build.json
 * (every pushed image with its digest), airgap.json and the build log. The Zuul job
 * airgap-build-kolla runs the same steps. The page is runbooks/build-kolla.mdx.
 */
import { z } from 'zod';
import { build } from '../src/build/build.ts';
import { preflight } from '../src/preflight/checks.ts';
import { evidencePath, main, resultsDir, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'build-kolla', title: 'Build the Kolla images inside the gap', environment: 'B (disconnected)' };

export const schema = z.object({
  bundle: z.string().describe('the verified bundle (or release) directory whose lock has a kolla entry'),
  server: z.string().default('http://127.0.0.1:8081').describe('the repository server (airgap serve)'),
  registry: z.string().optional().describe('registry the images are pushed to (default: the server itself)'),
  pushDir: z.string().optional().describe('the server\'s push directory, if airgap serve was given --push-dir (default: found from --server)'),
  entry: z.string().optional().describe('which kolla entry of the lock (default: the only one)'),
  out: z.string().optional().describe('outputs and scratch (default: .work/build/<version>/kolla)'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
}).strict();

export type BuildKollaParams = z.output<typeof schema>;

export function plan(p: BuildKollaParams): string[] {
  return [
    `Preflight: host tools, free space for ${p.bundle}'s lock, ${p.server} answers, the sandbox refuses and records an attempt to leave`,
    `Read ${p.bundle}/factory.lock.json: its kolla entry${p.entry ? ` ${p.entry}` : ''} names the images, their sources, Debian and Python packages, and Kolla itself`,
    `Clone Kolla from ${p.server}/repository/git/kolla.git at the locked commit (or use kolla-build on PATH)`,
    `Build the base image (debian:bookworm) from ${p.server}/repository/debian in the sandbox and push it to ${p.registry ?? p.server}`,
    'Render kolla-build.conf, repos.yaml and the template override from the lock: every source at its served location, pinned by sha256',
    `Run kolla-build in the sandbox with a Docker engine of its own there; push every image to ${p.registry ?? p.server}`,
    `Write evidence ${evidencePath(p.results, 'build.json')} (each image with its digest), airgap.json and the build log; fail if anything tried to leave`,
  ];
}

export async function run(p: BuildKollaParams, ctx: RunContext): Promise<number> {
  const checks = await preflight({ dir: p.bundle, store: '.work/store', serverUrl: p.server, minFree: 10 * 2 ** 30 }, ctx.log);
  const bad = checks.filter((c) => !c.ok);
  for (const c of bad) ctx.echo(`FAIL  ${c.name}: ${c.detail}${c.fix ? `\n        → ${c.fix}` : ''}`);
  if (bad.length) { ctx.echo(`not ready: ${bad.length} check(s) failed; nothing built`); return 1; }
  const r = await build({
    builder: 'kolla', dir: p.bundle, serverUrl: p.server, registry: p.registry, pushDir: p.pushDir, outDir: p.out,
    allowEgressAttempts: false, resultsDir: resultsDir(p.results), args: [], log: ctx.log,
    overrides: p.entry ? { name: p.entry } : {},
  });
  ctx.echo(`${r.ok ? 'OK' : 'FAILED'}: build kolla: ${r.entry.egressAttempts} attempt(s) to leave the sandbox${r.entry.error ? `: ${r.entry.error}` : ''}`);
  for (const o of r.entry.outputs.filter((x) => x.name.startsWith('kolla/') && x.ref)) ctx.echo(`  ${o.ref}@${o.digest}`);
  ctx.echo(`evidence ${r.evidence.build}, ${r.evidence.airgap}; log ${r.entry.log.file}`);
  return r.ok ? 0 : 1;
}

if (import.meta.main) await main({ meta, schema, plan, run });
