#!/usr/bin/env node
/**
 * Runbook "preflight" (Env B, and Env A for the tools): seed 001's readiness checklist as checks
 * the machine runs. Writes no evidence. The page is runbooks/preflight.mdx.
 */
import { argv, echo } from 'zx';
import { preflight } from '../src/preflight/checks.ts';
import { parseSize } from '../src/util/size.ts';
import { say } from '../src/util/progress.ts';
import { entry, str, ParamError, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'preflight', title: 'Check a machine is ready to build', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'dir', help: 'a release or bundle directory: its lock sizes the disk check' },
  { name: 'store', help: 'where the store is (or will be)', default: '.work/store' },
  { name: 'server', help: 'the repository server builds will use', default: 'http://127.0.0.1:8081' },
  { name: 'min-free', help: 'free space wanted when no lock says more', default: '10G' },
];

export interface PreflightParams { dir?: string; store?: string; server?: string; minFree?: string; log?: (m: string) => void }

export async function run(p: PreflightParams) {
  let minFree: number;
  try { minFree = parseSize(p.minFree ?? '10G'); } catch (err) { throw new ParamError(`--min-free: ${(err as Error).message}`); }
  return preflight({ dir: p.dir, store: p.store ?? '.work/store', serverUrl: p.server ?? 'http://127.0.0.1:8081', minFree }, p.log ?? say);
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const checks = await run({ dir: str(v.dir), store: str(v.store), server: str(v.server), minFree: str(v['min-free']) });
    for (const c of checks) echo(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}${c.fix ? `\n        → ${c.fix}` : ''}`);
    const bad = checks.filter((c) => !c.ok).length;
    echo(bad ? `not ready: ${bad} check(s) failed` : 'ready');
    return bad ? 1 : 0;
  });
}
