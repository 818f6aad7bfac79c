#!/usr/bin/env node
/**
 * Runbook "build" (Env B): run a builder (rootfs, base-image, disk-image) from the bundle's lock against the
 * served repository, in the sandbox; writes results/<version>/build.json, airgap.json and the
 * build log. Exit 1 when the build fails or anything tried to leave. The page is runbooks/build.mdx.
 */
import { argv, echo } from 'zx';
import { build } from '../src/build/build.ts';
import { say } from '../src/util/progress.ts';
import { entry, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'build', title: 'Build the base image inside the gap', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'builder', help: 'rootfs, base-image or disk-image', default: 'base-image' },
  { name: 'bundle', help: 'the verified bundle (or release) directory whose lock says what to build', required: true },
  { name: 'server', help: 'the repository server (airgap serve)', default: 'http://127.0.0.1:8081' },
  { name: 'registry', help: 'registry the image is pushed to', default: 'the server itself' },
  { name: 'out', help: 'outputs and scratch', default: '.work/build/<version>/<builder>' },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface BuildParams { builder?: string; bundle: string; server?: string; registry?: string; out?: string; results?: string; log?: (m: string) => void }

export function run(p: BuildParams) {
  return build({
    builder: p.builder ?? 'base-image', dir: p.bundle, serverUrl: p.server ?? 'http://127.0.0.1:8081', registry: p.registry, outDir: p.out,
    allowEgressAttempts: false, resultsDir: resultsDir(p.results), args: [], log: p.log ?? say,
  });
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const r = await run({ builder: str(v.builder), bundle: str(v.bundle)!, server: str(v.server), registry: str(v.registry), out: str(v.out), results: str(v.results) });
    echo(`${r.ok ? 'OK' : 'FAILED'}: build ${r.entry.builder}: ${r.entry.egressAttempts} attempt(s) to leave the sandbox${r.entry.error ? `: ${r.entry.error}` : ''}`);
    for (const o of r.entry.outputs) echo(`  ${o.name} ${o.ref ? `${o.ref}@` : ''}${o.digest}`);
    echo(`evidence ${r.evidence.build}, ${r.evidence.airgap}; log ${r.entry.log.file}`);
    return r.ok ? 0 : 1;
  });
}
